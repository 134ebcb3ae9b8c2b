// epoll.cc — epoll_create1(2), epoll_ctl(2), epoll_wait(2), epoll_pwait(2), epoll_pwait2(2).
//
// Why the layout is published from here: struct epoll_event is __attribute__((packed)) on
// x86-64 (12 bytes, data at offset 4) and naturally aligned elsewhere (16 bytes, data at 8).
// lib/epoll.ts reads sizeof/offsetof from `layout.epoll_event` so an events array built in
// TypeScript is exactly what the kernel writes into, on every architecture.
//
// Why epoll_create1 always adds EPOLL_CLOEXEC: every fd sockfd creates is close-on-exec
// (DESIGN.md "Safety defaults"); fcntl(epfd, F_SETFD, 0) opts out as in C.
//
// Why data.u64 is written here: a JS bigint outside [0, 2**64) must be a RangeError, and
// napi_get_value_bigint_uint64 says so through its `lossless` flag (DataView.setBigUint64
// would wrap -1n to 2**64-1 silently).
//
// epoll_wait is benchmarked against the same loop in C (bench/overhead): it is a raw
// napi_callback, and waits are not retried on EINTR unless asked (native/wait.h).
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "wait.h"

namespace sockfd {

// epoll_create1(flags) -> epfd
static napi_value EpollCreate1(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"flags"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 1, 1, "epoll_create1", kParams)) return nullptr;
  uint32_t flags;
  if (!GetFlags(env, a.v[0], "epoll_create1", "flags", &flags)) return nullptr;
  int fd = epoll_create1(static_cast<int>(flags) | EPOLL_CLOEXEC);
  if (fd < 0) return ThrowErrno(env, "epoll_create1", errno);
  return Int(env, fd);
}

// epoll_ctl(epfd, op, fd, event: bytes | null) -> 0
static napi_value EpollCtl(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"epfd", "op", "fd", "event"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 4, 4, "epoll_ctl", kParams)) return nullptr;
  int epfd, fd;
  int64_t op;
  if (!GetFd(env, a.v[0], "epoll_ctl", "epfd", &epfd)) return nullptr;
  if (!GetInt(env, a.v[1], "epoll_ctl", "op", INT_MIN, INT_MAX, &op)) return nullptr;
  if (!GetFd(env, a.v[2], "epoll_ctl", "fd", &fd)) return nullptr;
  void* ev;
  if (!GetStructArg(env, a.v[3], "epoll_ctl", "event", sizeof(epoll_event), &ev)) return nullptr;
  // The kernel copies the event in, so an unaligned caller buffer is fine; EPOLL_CTL_DEL
  // ignores it (and a null event is allowed there since Linux 2.6.9).
  // epoll_ctl never blocks, so it cannot fail with EINTR: one call, nothing retried.
  int r = epoll_ctl(epfd, static_cast<int>(op), fd, static_cast<epoll_event*>(ev));
  if (r < 0) return ThrowErrno(env, "epoll_ctl", errno, fd);
  return Int(env, 0);
}

// The events buffer and maxevents, checked so the kernel never writes past the caller's
// memory.
static bool GetEvents(napi_env env, napi_value buf, napi_value n, const char* fn,
                      epoll_event** events, int* maxevents) {
  uint8_t* mem;
  size_t len;
  if (!GetMem(env, buf, fn, "events", &mem, &len)) return false;
  double d;
  if (napi_get_value_double(env, n, &d) != napi_ok) {
    ThrowType(env, fn, "maxevents", "an integer", n);
    return false;
  }
  if (!(d >= 1) || d > static_cast<double>(len / sizeof(epoll_event)) ||
      d != static_cast<double>(static_cast<int64_t>(d))) {
    char got[64];
    Describe(env, n, got, sizeof got);
    ThrowRange(env, fn, "maxevents must be an integer in [1, %zu] (the entries of events), got %s",
               len / sizeof(epoll_event), got);
    return false;
  }
  *events = reinterpret_cast<epoll_event*>(mem);
  *maxevents = static_cast<int>(d);
  return true;
}

// epoll_wait(epfd, events: ArrayBuffer | view, maxevents, timeout, restart?) -> ready count
static napi_value EpollWait(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"epfd", "events", "maxevents", "timeout", "restart"};
  size_t argc = 5;
  napi_value v[5];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 4, 5, "epoll_wait", kParams)) return nullptr;
  int epfd, maxevents;
  epoll_event* events;
  int64_t t;
  if (!GetFd(env, v[0], "epoll_wait", "epfd", &epfd)) return nullptr;
  // From here on, a pointer into the caller's buffer: no JS until the syscall (nothing
  // below can run any).
  if (!GetEvents(env, v[1], v[2], "epoll_wait", &events, &maxevents)) return nullptr;
  if (!GetInt(env, v[3], "epoll_wait", "timeout", INT_MIN, INT_MAX, &t)) return nullptr;
  bool restart = GetRestart(env, argc, 4, v[4]);
  MsDeadline d(static_cast<int>(t), restart);
  int r = Wait(restart, d, [&](MsDeadline& m) { return epoll_wait(epfd, events, maxevents, m.ms); });
  if (r < 0) return ThrowErrno(env, "epoll_wait", errno, epfd);
  return Int(env, r);
}

// epoll_pwait(epfd, events, maxevents, timeout, sigmask: Int32Array | null, restart?)
static napi_value EpollPwait(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"epfd", "events", "maxevents", "timeout", "sigmask",
                                        "restart"};
  size_t argc = 6;
  napi_value v[6];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 5, 6, "epoll_pwait", kParams)) return nullptr;
  // The mask is read before any pointer into events is taken (args.h, THE RULE).
  sigset_t mask;
  bool has_mask;
  if (!GetSigmask(env, v[4], "epoll_pwait", &mask, &has_mask)) return nullptr;
  bool restart = GetRestart(env, argc, 5, v[5]);
  int epfd, maxevents;
  epoll_event* events;
  int64_t t;
  if (!GetFd(env, v[0], "epoll_pwait", "epfd", &epfd)) return nullptr;
  if (!GetEvents(env, v[1], v[2], "epoll_pwait", &events, &maxevents)) return nullptr;
  if (!GetInt(env, v[3], "epoll_pwait", "timeout", INT_MIN, INT_MAX, &t)) return nullptr;
  const sigset_t* m = has_mask ? &mask : nullptr;
  MsDeadline d(static_cast<int>(t), restart);
  int r = Wait(restart, d, [&](MsDeadline& ms) {
    return epoll_pwait(epfd, events, maxevents, ms.ms, m);
  });
  if (r < 0) return ThrowErrno(env, "epoll_pwait", errno, epfd);
  return Int(env, r);
}

// epoll_pwait2(epfd, events, maxevents, timeout: timespec bytes | null, sigmask, restart?)
// Made through syscall(2) so it builds against any glibc; a kernel older than 5.11 throws
// ENOSYS.
static napi_value EpollPwait2(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"epfd", "events", "maxevents", "timeout", "sigmask",
                                        "restart"};
  size_t argc = 6;
  napi_value v[6];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 5, 6, "epoll_pwait2", kParams)) return nullptr;
  // The mask is read before any pointer into events or the timespec is taken (args.h, THE
  // RULE).
  sigset_t mask;
  bool has_mask;
  if (!GetSigmask(env, v[4], "epoll_pwait2", &mask, &has_mask)) return nullptr;
  bool restart = GetRestart(env, argc, 5, v[5]);
  int epfd, maxevents;
  epoll_event* events;
  void* tsp;
  if (!GetFd(env, v[0], "epoll_pwait2", "epfd", &epfd)) return nullptr;
  if (!GetEvents(env, v[1], v[2], "epoll_pwait2", &events, &maxevents)) return nullptr;
  if (!GetStructArg(env, v[3], "epoll_pwait2", "timeout", sizeof(timespec), &tsp)) return nullptr;
#ifdef SYS_epoll_pwait2
  // The kernel does not write the timeout back here, so the caller's timespec stays as it
  // was (as with glibc's wrapper); TsDeadline hands it a copy.
  TsDeadline d(tsp, restart);
  long r = Wait(restart, d, [&](TsDeadline& ts) {
    return syscall(SYS_epoll_pwait2, epfd, events, maxevents, ts.ptr(),
                   has_mask ? &mask : nullptr, has_mask ? _NSIG / 8 : 0);
  });
  if (r < 0) return ThrowErrno(env, "epoll_pwait2", errno, epfd);
  return Int(env, r);
#else
  return ThrowErrno(env, "epoll_pwait2", ENOSYS, epfd);
#endif
}

// setEpollDataU64(bytes, offset, value: bigint): stores data.u64 of the epoll_event at
// `offset` of `bytes`, exactly or not at all.
static napi_value SetEpollDataU64(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"bytes", "offset", "value"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 3, 3, "setEpollDataU64", kParams)) return nullptr;
  uint8_t* mem;
  size_t len;
  int64_t off;
  if (!GetBytes(env, a.v[0], "epoll_event", "bytes", &mem, &len)) return nullptr;
  if (!GetInt(env, a.v[1], "epoll_event", "offset", 0, 9007199254740991.0, &off)) return nullptr;
  if (len < sizeof(epoll_event) || static_cast<uint64_t>(off) > len - sizeof(epoll_event))
    return ThrowRange(env, "epoll_event", "offset %lld leaves no room for an epoll_event",
                      static_cast<long long>(off));
  napi_valuetype t;
  napi_typeof(env, a.v[2], &t);
  if (t != napi_bigint) return ThrowType(env, "epoll_event", "data.u64", "a bigint", a.v[2]);
  uint64_t x;
  bool lossless = false;
  napi_get_value_bigint_uint64(env, a.v[2], &x, &lossless);
  if (!lossless)
    return ThrowRange(env, "epoll_event", "data.u64 must be a bigint in [0n, 2n**64n - 1n]");
  epoll_data_t data;
  data.u64 = x;
  memcpy(mem + off + offsetof(epoll_event, data), &data, sizeof data);
  return Undefined(env);
}

void InitEpoll(napi_env env, napi_value exports) {
  SetFunction(env, exports, "epoll_create1", EpollCreate1);
  SetFunction(env, exports, "epoll_ctl", EpollCtl);
  SetFunction(env, exports, "epoll_wait", EpollWait);
  SetFunction(env, exports, "epoll_pwait", EpollPwait);
  SetFunction(env, exports, "epoll_pwait2", EpollPwait2);
  SetFunction(env, exports, "setEpollDataU64", SetEpollDataU64);
  SetLayout(env, exports, "epoll_event",
            {{"size", sizeof(epoll_event)},
             {"events", offsetof(epoll_event, events)},
             {"data", offsetof(epoll_event, data)}});
}

}  // namespace sockfd
