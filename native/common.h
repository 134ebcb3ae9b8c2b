// common.h — what every native file shares: the argument layer (args.h), the one errno
// thrower, result helpers and per-environment state.
//
// Every syscall wrapper in sockfd is a raw Node-API callback (napi_callback), not a
// node-addon-api Napi::CallbackInfo method: the C++ wrapper roughly doubles the cost of
// an empty call (figures, with the machine, in bench/README.md), and send/recv/poll/epoll_wait
// are benchmarked against C in the same process. node-addon-api is still used for module
// set-up, instance data and everything off the hot path.
//
// Arguments are read and checked through args.h, which states the rule every callback
// keeps: no user JavaScript between the first pointer into a caller's buffer and the
// syscall.
#pragma once

#include "args.h"

#include <cerrno>
#include <cstring>

namespace sockfd {

// ---------------------------------------------------------------------------------------
// Per-environment state. The addon is context-aware: each main thread or worker that
// loads it gets its own EnvData through napi_set_instance_data.
struct EnvData {
  napi_ref errno_ctor = nullptr;  // lib/errors.ts ErrnoError, registered at load
  napi_ref is_array = nullptr;    // Array.isArray as it was at load (args.cc Describe)
  void* watch = nullptr;          // watch.cc's per-environment registry
  void (*watch_free)(void*) = nullptr;
};

EnvData* GetEnvData(napi_env env);
// Creates this environment's EnvData as its instance data (env.cc); called first at load.
void InitEnvData(napi_env env);

// ---------------------------------------------------------------------------------------
// Syscall errors (errors.cc).

// Throws ErrnoError{code, errno, syscall, fd?}; returns nullptr so a callback can
// `return ThrowErrno(...)`. `err` must be the errno captured right after the failing call.
napi_value ThrowErrno(napi_env env, const char* syscall, int err, int fd = -1);
// The errno name ("EAGAIN") for an errno value, or nullptr.
const char* ErrnoName(int err);

// ---------------------------------------------------------------------------------------
// Results.

inline napi_value Int(napi_env env, int64_t x) {
  napi_value r;
  if (x >= INT32_MIN && x <= INT32_MAX)
    napi_create_int32(env, static_cast<int32_t>(x), &r);
  else
    napi_create_double(env, static_cast<double>(x), &r);
  return r;
}
inline napi_value Undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

// Called by close() before the fd number is released: stops the fd's readiness watcher
// and rejects its pending async waiters with ECANCELED (watch.cc), so nothing acts on a
// new fd that reuses the number. A no-op for fds that were never awaited.
void WatchBeforeClose(napi_env env, int fd);
// Called by close() too: an io_uring fd from io_uring_setup cancels its requests, waits for
// the kernel and frees its rings (uring.cc). A no-op for any other fd.
void UringBeforeClose(napi_env env, int fd);

// ---------------------------------------------------------------------------------------
// Each family's registration function (native/<family>.cc); addon.cc calls them all.
void InitErrors(napi_env env, napi_value exports);
void InitConstants(napi_env env, napi_value exports);
void InitSockaddr(napi_env env, napi_value exports);
void InitInet(napi_env env, napi_value exports);
void InitSocket(napi_env env, napi_value exports);
void InitIo(napi_env env, napi_value exports);
void InitSockopt(napi_env env, napi_value exports);
void InitNetif(napi_env env, napi_value exports);
void InitSelect(napi_env env, napi_value exports);
void InitPoll(napi_env env, napi_value exports);
void InitEpoll(napi_env env, napi_value exports);
void InitEventfd(napi_env env, napi_value exports);
void InitMsg(napi_env env, napi_value exports);
void InitNetns(napi_env env, napi_value exports);
void InitWatch(napi_env env, napi_value exports);
void InitUring(napi_env env, napi_value exports);

}  // namespace sockfd
