// bench.h — the benchmark's own library, sockfd_bench.so: the C loops `sockfd bench`
// compares the TypeScript API with. It is built beside the addon (binding.gyp target
// sockfd_bench) but is not a `.node` file, so node-gyp-build never picks it for
// require('sockfd'); bench/native.ts loads it with process.dlopen, into the same process
// as the TypeScript it is measured against.
//
// It shares the argument layer (args.cc), the errno thrower (errors.cc) and the
// per-environment state (env.cc) with the addon, compiled in again: each library keeps its
// symbols hidden (-fvisibility=hidden), so the two copies never meet.
#pragma once

#include "../common.h"

namespace sockfd {

// scale.cc: benchScale, benchPingPong, benchPingPongAlone, benchRaiseNofile.
void InitBenchScale(napi_env env, napi_value exports);
// overhead.cc: the per-call loops of bench/overhead.ts and the floor functions.
void InitBenchOverhead(napi_env env, napi_value exports);
// stream.cc: the stream suite's C loops (benchStreamLoop, benchDgramFill, benchDgramDrain).
void InitBenchStream(napi_env env, napi_value exports);
// scan.cc: a multiplexer call over N ready fds plus the scan of its result (bench/scan.ts).
void InitBenchScan(napi_env env, napi_value exports);
// uring.cc: the C io_uring cells of the scale suite (benchUring; bench/uring.ts) and the
// ping-pong's io_uring row (benchPingPongUring).
void InitBenchUring(napi_env env, napi_value exports);

}  // namespace sockfd
