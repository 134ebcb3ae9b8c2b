// bench/addon.cc — registers the benchmark library's functions (see bench.h).
#include "bench.h"

namespace sockfd {

static Napi::Object InitBench(Napi::Env env, Napi::Object exports) {
  InitEnvData(env);
  napi_value e = exports;
  InitErrors(env, e);  // setErrnoError: bench/native.ts registers the package's ErrnoError
  InitBenchScale(env, e);
  InitBenchOverhead(env, e);
  InitBenchStream(env, e);
  InitBenchScan(env, e);
  InitBenchUring(env, e);
  return exports;
}

}  // namespace sockfd

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  return sockfd::InitBench(env, exports);
}

NODE_API_MODULE(sockfd_bench, InitAll)
