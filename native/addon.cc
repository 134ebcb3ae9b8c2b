// addon.cc — registers each syscall family; nothing else lives here.
//
// Node-API addons are context-aware: this runs once per environment (the main thread and
// every worker_thread), each with its own EnvData (env.cc).
//
// Only the product is registered here. The benchmark's C loops live in a separate library,
// sockfd_bench.so (native/bench/), so none of their code, statics or exports ship in the
// module users load.
#include "common.h"

namespace sockfd {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitEnvData(env);
  napi_value e = exports;
  InitErrors(env, e);
  InitConstants(env, e);
  InitSockaddr(env, e);
  InitInet(env, e);
  InitSocket(env, e);
  InitIo(env, e);
  InitSockopt(env, e);
  InitNetif(env, e);
  InitSelect(env, e);
  InitPoll(env, e);
  InitEpoll(env, e);
  InitEventfd(env, e);
  InitMsg(env, e);
  InitNetns(env, e);
  InitWatch(env, e);
  InitUring(env, e);
  return exports;
}

}  // namespace sockfd

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  return sockfd::Init(env, exports);
}

NODE_API_MODULE(sockfd, InitAll)
