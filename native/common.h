// common.h — argument checks, the one errno thrower, and per-environment state.
//
// Every syscall wrapper in sockfd is a raw Node-API callback (napi_callback), not a
// node-addon-api Napi::CallbackInfo method: the C++ wrapper roughly doubles the cost of
// an empty call (figures, with the machine, in bench/README.md), and send/recv/poll/epoll_wait
// are benchmarked against C in the same process. node-addon-api is still used for module
// set-up, instance data and everything off the hot path.
//
// Argument rules (DESIGN.md "Errors"): nothing is coerced. napi_get_value_int32 would turn
// 2**32+3 into 3 and NaN into 0, so integers are read as doubles and checked for
// integrality and range before they are converted.
#pragma once

#ifndef NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS
#define NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS
#endif
#include <napi.h>

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <sys/socket.h>

namespace sockfd {

// ---------------------------------------------------------------------------------------
// Per-environment state. The addon is context-aware: each main thread or worker that
// loads it gets its own EnvData through napi_set_instance_data.
struct EnvData {
  napi_ref errno_ctor = nullptr;  // lib/errors.ts ErrnoError, registered at load
  void* watch = nullptr;          // watch.cc's per-environment registry
  void (*watch_free)(void*) = nullptr;
};

EnvData* GetEnvData(napi_env env);

// ---------------------------------------------------------------------------------------
// Throwing. Each returns nullptr so a callback can `return ThrowX(...)`.

// Throws ErrnoError{code, errno, syscall, fd?}. `err` must be the errno captured right
// after the failing call.
napi_value ThrowErrno(napi_env env, const char* syscall, int err, int fd = -1);
// TypeError (code ERR_INVALID_ARG_TYPE): "fn: param must be <what>, got <value>"
napi_value ThrowType(napi_env env, const char* fn, const char* param, const char* what,
                     napi_value got);
// RangeError (code ERR_OUT_OF_RANGE) with a preformatted message; prefixed "fn: ".
napi_value ThrowRange(napi_env env, const char* fn, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
// Describes a JS value for an error message: "3.5", "NaN", "string '3'", "undefined".
void Describe(napi_env env, napi_value v, char* out, size_t cap);
// The errno name ("EAGAIN") for an errno value, or nullptr.
const char* ErrnoName(int err);

// ---------------------------------------------------------------------------------------
// Arguments.

constexpr size_t kMaxArgs = 8;

struct Args {
  napi_value v[kMaxArgs];
  size_t argc;
};

// Missing arguments read as undefined (napi_get_cb_info fills the rest of argv), so
// optional parameters need no argc checks.
inline Args GetArgs(napi_env env, napi_callback_info info) {
  Args a;
  a.argc = kMaxArgs;
  napi_get_cb_info(env, info, &a.argc, a.v, nullptr, nullptr);
  return a;
}

// The argument count of a raw callback, checked as lib/check.ts's checkArgc does: fewer
// than `min` is a TypeError ERR_MISSING_ARGS naming the first missing parameter, more
// than `max` a TypeError ERR_TOO_MANY_ARGS. `params` names the parameters in order (at
// least `max` of them). Read `argc` with a capacity above `max` so extras are seen.
bool CheckArgc(napi_env env, size_t argc, size_t min, size_t max, const char* fn,
               const char* const* params);

inline bool IsNullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_undefined || t == napi_null;
}

// An integer-valued number in [min, max]; anything else throws and returns false.
inline bool GetInt(napi_env env, napi_value v, const char* fn, const char* param,
                   double min, double max, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    ThrowType(env, fn, param, "an integer", v);
    return false;
  }
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<int64_t>(d))) {
    char got[64];
    Describe(env, v, got, sizeof got);
    ThrowRange(env, fn, "%s must be an integer in [%.0f, %.0f], got %s", param, min, max, got);
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// As GetInt, but undefined (a missing argument) yields `def`. The number is tried first:
// on the hot path the argument is usually present, and that saves a napi_typeof. A null
// napi_value also yields `def`: hot callbacks mark arguments past argc that way (see
// OmitMissing), which skips napi_typeof's chain of ~8 type tests per argument.
inline bool GetOptInt(napi_env env, napi_value v, const char* fn, const char* param,
                      double min, double max, int64_t def, int64_t* out) {
  if (v == nullptr) {
    *out = def;
    return true;
  }
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    napi_valuetype t;
    napi_typeof(env, v, &t);
    if (t == napi_undefined) {
      *out = def;
      return true;
    }
  }
  return GetInt(env, v, fn, param, min, max, out);
}

// Marks the optional arguments the caller did not pass (index >= argc, from `first`) as
// nullptr, which GetOptInt/GetOptFlags read as absent without a napi_typeof. Only for
// parameters read through those two helpers.
inline void OmitMissing(napi_value* v, size_t argc, size_t first, size_t n) {
  for (size_t i = argc > first ? argc : first; i < n; i++) v[i] = nullptr;
}

// A C int argument (domain, level, cmd, ...): an integer in [INT32_MIN, INT32_MAX].
inline bool GetInt32(napi_env env, napi_value v, const char* fn, const char* param, int* out) {
  int64_t x;
  if (!GetInt(env, v, fn, param, INT32_MIN, INT32_MAX, &x)) return false;
  *out = static_cast<int>(x);
  return true;
}

// A file descriptor: an integer in [0, INT_MAX].
inline bool GetFd(napi_env env, napi_value v, const char* fn, const char* param, int* out) {
  int64_t x;
  if (!GetInt(env, v, fn, param, 0, INT_MAX, &x)) return false;
  *out = static_cast<int>(x);
  return true;
}

// A flags word: any int32 or uint32 bit pattern (JS `|` yields negative numbers when bit
// 31 is set, e.g. EPOLLIN | EPOLLET), returned as the 32-bit pattern.
inline bool GetFlags(napi_env env, napi_value v, const char* fn, const char* param,
                     uint32_t* out) {
  int64_t x;
  if (!GetInt(env, v, fn, param, INT32_MIN, UINT32_MAX, &x)) return false;
  *out = static_cast<uint32_t>(x);
  return true;
}
inline bool GetOptFlags(napi_env env, napi_value v, const char* fn, const char* param,
                        uint32_t* out) {
  int64_t x;
  if (!GetOptInt(env, v, fn, param, INT32_MIN, UINT32_MAX, 0, &x)) return false;
  *out = static_cast<uint32_t>(x);
  return true;
}

// Any ArrayBufferView (TypedArray, Buffer, DataView) or ArrayBuffer: its bytes.
bool GetBytes(napi_env env, napi_value v, const char* fn, const char* param, uint8_t** data,
              size_t* len);

// A byte range inside a buffer argument: `buf` (required), then optional `len` and
// `offset` values. len defaults to everything after offset. Bounds are checked here, so
// the syscall can never touch memory outside the caller's buffer.
struct Span {
  uint8_t* data;
  size_t len;
};
bool GetSpan(napi_env env, napi_value buf, napi_value len, napi_value offset, const char* fn,
             Span* out);

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

// Retries a call that failed with EINTR (DESIGN.md: ordinary calls are retried; waits and
// close() are not and must not use this).
template <class F>
inline auto RetryEintr(F f) -> decltype(f()) {
  decltype(f()) r;
  do {
    r = f();
  } while (r == -1 && errno == EINTR);
  return r;
}

// ---------------------------------------------------------------------------------------
// Addresses (socket.cc): a sockaddr argument and its length.

// An input address (bind, connect, sendto): `addr` is the struct's bytes, `addrlen` an
// integer no larger than them (undefined = all of them).
bool GetAddrIn(napi_env env, napi_value addr, napi_value addrlen, const char* fn,
               const sockaddr** out, socklen_t* len);

// An output address (accept, getsockname, recvfrom), C's value-result pair: `addr` may be
// null/undefined (no address wanted); `addrlen` may be a Uint32Array whose [0] holds the
// capacity in and the kernel's length out, or undefined (capacity = the whole buffer).
struct AddrOut {
  sockaddr* addr = nullptr;
  socklen_t len = 0;
  uint32_t* len_out = nullptr;  // where to write the kernel's length back, if anywhere
  socklen_t* len_ptr() { return addr != nullptr ? &len : nullptr; }
  void Store() {
    if (len_out != nullptr) *len_out = len;
  }
};
bool GetAddrOut(napi_env env, napi_value addr, napi_value addrlen, const char* fn,
                AddrOut* out);

// Called by close() before the fd number is released: stops the fd's readiness watcher
// and rejects its pending async waiters with ECANCELED (watch.cc), so nothing acts on a
// new fd that reuses the number. A no-op for fds that were never awaited.
void WatchBeforeClose(napi_env env, int fd);

// ---------------------------------------------------------------------------------------
// Registration.

void SetFunction(napi_env env, napi_value exports, const char* name, napi_callback cb);

// Each family's registration function (native/<family>.cc); addon.cc calls them all.
void InitErrors(napi_env env, napi_value exports);
void InitConstants(napi_env env, napi_value exports);
void InitSockaddr(napi_env env, napi_value exports);
void InitInet(napi_env env, napi_value exports);
void InitSocket(napi_env env, napi_value exports);
void InitIo(napi_env env, napi_value exports);
void InitSockopt(napi_env env, napi_value exports);
void InitSelect(napi_env env, napi_value exports);
void InitPoll(napi_env env, napi_value exports);
void InitEpoll(napi_env env, napi_value exports);
void InitWatch(napi_env env, napi_value exports);
void InitBench(napi_env env, napi_value exports);
void InitOverhead(napi_env env, napi_value exports);

}  // namespace sockfd
