// poll.cc — poll(2), ppoll(2).
//
// Why the array is one caller-owned buffer: lib/poll.ts lays `pollfd.array(n)` out as a C
// `struct pollfd[n]` in a single ArrayBuffer, and every element is a view into it. The call
// therefore hands the kernel that memory as is; revents are written back in place by the
// kernel itself, and nothing is allocated or copied per call. poll() is benchmarked against
// the same loop in C (bench/overhead), so it is a raw napi_callback that makes as few
// Node-API calls as the checks allow.
//
// EINTR is not retried unless asked (native/wait.h): that is what lets a JS signal listener
// run while a process sits in poll(-1).
#include <poll.h>
#include <sys/resource.h>

#include "common.h"
#include "wait.h"

namespace sockfd {

// The fds buffer and nfds, checked so the kernel never reads past the caller's memory.
static bool GetPollFds(napi_env env, napi_value buf, napi_value n, const char* fn,
                       pollfd** fds, nfds_t* nfds) {
  uint8_t* mem;
  size_t len;
  if (!GetMem(env, buf, fn, "fds", &mem, &len)) return false;
  int64_t count;
  if (!GetInt(env, n, fn, "nfds", 0, INT_MAX, &count)) return false;
  if (static_cast<uint64_t>(count) > len / sizeof(pollfd)) {
    ThrowRange(env, fn, "nfds %lld exceeds the %zu entries of fds", static_cast<long long>(count),
               len / sizeof(pollfd));
    return false;
  }
  *fds = reinterpret_cast<pollfd*>(mem);
  *nfds = static_cast<nfds_t>(count);
  return true;
}

// poll(fds: ArrayBuffer | view, nfds, timeout, restart?) -> ready count
static napi_value Poll(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fds", "nfds", "timeout", "restart"};
  size_t argc = 4;
  napi_value v[4];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 3, 4, "poll", kParams)) return nullptr;
  // From here on, a pointer into the caller's buffer: no JS until the syscall (nothing
  // below can run any).
  pollfd* fds;
  nfds_t nfds;
  if (!GetPollFds(env, v[0], v[1], "poll", &fds, &nfds)) return nullptr;
  int64_t t;
  if (!GetInt(env, v[2], "poll", "timeout", INT_MIN, INT_MAX, &t)) return nullptr;
  bool restart = GetRestart(env, argc, 3, v[3]);
  MsDeadline d(static_cast<int>(t), restart);
  int r = Wait(restart, d, [&](MsDeadline& m) { return poll(fds, nfds, m.ms); });
  if (r < 0) return ThrowErrno(env, "poll", errno);
  return Int(env, r);
}

// ppoll(fds: ArrayBuffer | view, nfds, tmo_p: timespec bytes | null,
//       sigmask: Int32Array | null, restart?) -> ready count
static napi_value Ppoll(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fds", "nfds", "tmo_p", "sigmask", "restart"};
  size_t argc = 5;
  napi_value v[5];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 4, 5, "ppoll", kParams)) return nullptr;
  // The mask is read before any pointer into fds or the timespec is taken (args.h, THE RULE).
  sigset_t mask;
  bool has_mask;
  if (!GetSigmask(env, v[3], "ppoll", &mask, &has_mask)) return nullptr;
  bool restart = GetRestart(env, argc, 4, v[4]);
  pollfd* fds;
  nfds_t nfds;
  if (!GetPollFds(env, v[0], v[1], "ppoll", &fds, &nfds)) return nullptr;
  void* tsp;
  if (!GetStructArg(env, v[2], "ppoll", "tmo_p", sizeof(timespec), &tsp)) return nullptr;
  // glibc's ppoll leaves the caller's timespec unchanged (the kernel's write-back goes to
  // glibc's own copy); TsDeadline hands it a copy too.
  TsDeadline d(tsp, restart);
  int r = Wait(restart, d, [&](TsDeadline& ts) {
    return ppoll(fds, nfds, ts.ptr(), has_mask ? &mask : nullptr);
  });
  if (r < 0) return ThrowErrno(env, "ppoll", errno);
  return Int(env, r);
}

// pollNfdsMax() -> RLIMIT_NOFILE's soft limit: poll(2) fails with EINVAL when nfds exceeds
// it, and lib/poll.ts checks a plain array against it before copying anything.
static napi_value PollNfdsMax(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {""};
  size_t argc = 0;
  napi_get_cb_info(env, info, &argc, nullptr, nullptr, nullptr);
  if (!CheckArgc(env, argc, 0, 0, "pollNfdsMax", kParams)) return nullptr;
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ThrowErrno(env, "getrlimit", errno);
  double cur = rl.rlim_cur == RLIM_INFINITY ? 9007199254740991.0 : static_cast<double>(rl.rlim_cur);
  napi_value r;
  napi_create_double(env, cur, &r);
  return r;
}

void InitPoll(napi_env env, napi_value exports) {
  SetFunction(env, exports, "poll", Poll);
  SetFunction(env, exports, "ppoll", Ppoll);
  SetFunction(env, exports, "pollNfdsMax", PollNfdsMax);
  SetLayout(env, exports, "pollfd",
            {{"size", sizeof(pollfd)},
             {"fd", offsetof(pollfd, fd)},
             {"events", offsetof(pollfd, events)},
             {"revents", offsetof(pollfd, revents)}});
}

}  // namespace sockfd
