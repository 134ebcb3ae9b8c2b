// eventfd.cc — the event fds a C loop waits on beside its sockets: eventfd(2) with
// eventfd_read/eventfd_write(3), signalfd(2) with sigset_t and sigemptyset(3) & co.,
// sigprocmask(2) / pthread_sigmask(3), timerfd_create(2) / timerfd_settime /
// timerfd_gettime, and tgkill(2) / gettid(2) to direct a signal at one thread.
//
// Why every creation adds its CLOEXEC flag (EFD_CLOEXEC, SFD_CLOEXEC, TFD_CLOEXEC): every fd
// sockfd creates is close-on-exec (DESIGN.md "Safety defaults"); fcntl(fd, F_SETFD, 0) opts
// out as in C.
//
// Why a sigset_t is copied into a local one: the caller's bytes (lib/eventfd.ts sigset_t)
// need not be aligned for unsigned long, and glibc's sigaddset & co. are the only code that
// knows the layout; the copy is 128 bytes. None of these callbacks runs JS after taking a
// pointer into a caller's buffer (args.h, THE RULE): every argument is read with
// napi_get_*_info / napi_get_value_*, which never call into JS.
//
// Why sigprocmask and pthread_sigmask both change only the calling thread's mask: that is
// what they do in a multithreaded Linux process (glibc's sigprocmask is rt_sigprocmask,
// which is per thread). Node runs other threads (docs/api.md "signalfd and Node's threads"
// says which signals a signalfd can therefore see); nothing here touches another thread.
//
// eventfd_read / eventfd_write on a blocking eventfd follow the EINTR rule of the other
// blocking calls (eintr.h): the call is tried without blocking first, and only when it
// would block does the thread wait in poll(2), which a signal interrupts with EINTR (the
// read(2) itself would be restarted by Node's SA_RESTART handlers, and a JS listener would
// never run).
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "common.h"

namespace sockfd {

// A sigset_t argument: the bytes of a lib/ sigset_t (at least sizeof(sigset_t)), copied out.
// `opt`: null/undefined is C's NULL (*present = false).
static bool GetSigset(napi_env env, napi_value v, const char* fn, const char* param, bool opt,
                      sigset_t* set, uint8_t** mem, bool* present) {
  *present = false;
  *mem = nullptr;
  if (opt && IsNullish(env, v)) return true;
  uint8_t* data;
  size_t len;
  if (!GetBytes(env, v, fn, param, &data, &len)) return false;
  if (len < sizeof(sigset_t)) {
    ThrowRange(env, fn, "%s must hold %zu bytes (a sigset_t), got %zu", param, sizeof(sigset_t),
               len);
    return false;
  }
  memcpy(set, data, sizeof(sigset_t));
  *mem = data;
  *present = true;
  return true;
}

// A signal number for sigaddset & co.: [1, NSIG-1] (glibc's own range check, as a RangeError).
static bool GetSigno(napi_env env, napi_value v, const char* fn, int* out) {
  int64_t x;
  if (!GetInt(env, v, fn, "signum", 1, NSIG - 1, &x)) return false;
  *out = static_cast<int>(x);
  return true;
}

// sigemptyset(set) / sigfillset(set) -> 0
template <int (*Op)(sigset_t*)>
static napi_value SetAll(napi_env env, napi_callback_info info, const char* fn) {
  static const char* const kParams[] = {"set"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 1, 1, fn, kParams)) return nullptr;
  sigset_t set;
  uint8_t* mem;
  bool present;
  if (!GetSigset(env, a.v[0], fn, "set", false, &set, &mem, &present)) return nullptr;
  Op(&set);
  memcpy(mem, &set, sizeof set);
  return Int(env, 0);
}
static napi_value Sigemptyset(napi_env env, napi_callback_info info) {
  return SetAll<sigemptyset>(env, info, "sigemptyset");
}
static napi_value Sigfillset(napi_env env, napi_callback_info info) {
  return SetAll<sigfillset>(env, info, "sigfillset");
}

// sigaddset(set, signum) / sigdelset(set, signum) -> 0; sigismember(set, signum) -> 1 or 0.
// glibc refuses its own internal signals (32 and 33, used for thread cancellation and
// setxid) with EINVAL: that is C's answer, thrown as ErrnoError.
enum class SetOp { kAdd, kDel, kIs };
template <SetOp kOp>
static napi_value SetOne(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"set", "signum"};
  const char* fn = kOp == SetOp::kAdd ? "sigaddset" : kOp == SetOp::kDel ? "sigdelset" : "sigismember";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, fn, kParams)) return nullptr;
  int signo;
  if (!GetSigno(env, a.v[1], fn, &signo)) return nullptr;
  sigset_t set;
  uint8_t* mem;
  bool present;
  if (!GetSigset(env, a.v[0], fn, "set", false, &set, &mem, &present)) return nullptr;
  int r = kOp == SetOp::kAdd ? sigaddset(&set, signo)
          : kOp == SetOp::kDel ? sigdelset(&set, signo)
                               : sigismember(&set, signo);
  if (r < 0) return ThrowErrno(env, fn, errno);
  if (kOp != SetOp::kIs) memcpy(mem, &set, sizeof set);
  return Int(env, r);
}

// sigprocmask(how, set | null, oldset | null) / pthread_sigmask(...) -> 0; the calling
// thread's mask.
template <bool kPthread>
static napi_value Sigmask(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"how", "set", "oldset"};
  const char* fn = kPthread ? "pthread_sigmask" : "sigprocmask";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 3, 3, fn, kParams)) return nullptr;
  int how;
  if (!GetInt32(env, a.v[0], fn, "how", &how)) return nullptr;
  sigset_t set, old;
  uint8_t *set_mem, *old_mem;
  bool has_set, has_old;
  if (!GetSigset(env, a.v[1], fn, "set", true, &set, &set_mem, &has_set)) return nullptr;
  if (!GetSigset(env, a.v[2], fn, "oldset", true, &old, &old_mem, &has_old)) return nullptr;
  int err = 0;
  if (kPthread) {
    err = pthread_sigmask(how, has_set ? &set : nullptr, has_old ? &old : nullptr);
  } else if (sigprocmask(how, has_set ? &set : nullptr, has_old ? &old : nullptr) < 0) {
    err = errno;
  }
  if (err != 0) return ThrowErrno(env, fn, err);
  if (has_old) memcpy(old_mem, &old, sizeof old);
  return Int(env, 0);
}

// signalfd(fd, mask, flags) -> fd; fd -1 makes a new one, otherwise mask replaces the mask of
// the signalfd `fd` (and the fd is returned).
static napi_value Signalfd(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "mask", "flags"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 3, 3, "signalfd", kParams)) return nullptr;
  int64_t fd;
  uint32_t flags;
  if (!GetInt(env, a.v[0], "signalfd", "fd", -1, INT_MAX, &fd)) return nullptr;
  if (!GetFlags(env, a.v[2], "signalfd", "flags", &flags)) return nullptr;
  sigset_t mask;
  uint8_t* mem;
  bool present;
  if (!GetSigset(env, a.v[1], "signalfd", "mask", false, &mask, &mem, &present)) return nullptr;
  int r = signalfd(static_cast<int>(fd), &mask, static_cast<int>(flags) | SFD_CLOEXEC);
  if (r < 0) return ThrowErrno(env, "signalfd", errno, static_cast<int>(fd));
  return Int(env, r);
}

// eventfd(initval, flags) -> fd
static napi_value Eventfd(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"initval", "flags"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, "eventfd", kParams)) return nullptr;
  int64_t initval;
  uint32_t flags;
  if (!GetInt(env, a.v[0], "eventfd", "initval", 0, UINT32_MAX, &initval)) return nullptr;
  if (!GetFlags(env, a.v[1], "eventfd", "flags", &flags)) return nullptr;
  int r = eventfd(static_cast<unsigned>(initval), static_cast<int>(flags) | EFD_CLOEXEC);
  if (r < 0) return ThrowErrno(env, "eventfd", errno);
  return Int(env, r);
}

// Whether `fd` is an eventfd (the kernel names its anon inode "[eventfd]"). Asked only on
// the slow path, when the fd is blocking and not ready.
static bool IsEventfd(int fd) {
  char path[32], target[32];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n < 0) return false;
  target[n] = '\0';
  return strcmp(target, "anon_inode:[eventfd]") == 0;
}

// The EINTR rule of a blocking eventfd (see the top of this file): when the fd is ready, or
// O_NONBLOCK, or not an eventfd at all (C's read/write then answers, EINVAL on an epoll fd
// for one), `call()` is made at once. Otherwise the thread waits in poll(2) for `events`,
// and a signal ends that wait with EINTR.
template <class Call>
static int EventfdCall(int fd, short events, Call call) {
  pollfd p = {fd, events, 0};
  if (poll(&p, 1, 0) == 0) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK) && IsEventfd(fd) && poll(&p, 1, -1) < 0 && errno == EINTR)
      return -1;
  }
  return call();
}

// glibc's eventfd_read/eventfd_write return -1 without setting errno when the read or write
// moved other than 8 bytes (possible only on an fd that is not an eventfd): that is EINVAL
// here, so an error always carries a real errno.
static int Move8(int fd, void* v, bool write_it) {
  ssize_t n = write_it ? write(fd, v, 8) : read(fd, v, 8);
  if (n == 8) return 0;
  if (n >= 0) errno = EINVAL;
  return -1;
}

// eventfd_read(fd, value: BigUint64Array) -> 0; value[0] = the counter (or 1 in semaphore
// mode), as C's eventfd_read(fd, &value).
static napi_value EventfdRead(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "value"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, "eventfd_read", kParams)) return nullptr;
  int fd;
  if (!GetFd(env, a.v[0], "eventfd_read", "fd", &fd)) return nullptr;
  napi_typedarray_type type;
  size_t n;
  void* data;
  napi_value ab;
  if (napi_get_typedarray_info(env, a.v[1], &type, &n, &data, &ab, nullptr) != napi_ok ||
      type != napi_biguint64_array)
    return ThrowType(env, "eventfd_read", "value", "a BigUint64Array", a.v[1]);
  if (n == 0) {
    if (IsDetachedThrow(env, ab, "eventfd_read", "value")) return nullptr;
    return ThrowRange(env, "eventfd_read", "value must have at least 1 element, got 0");
  }
  eventfd_t v = 0;
  int r = EventfdCall(fd, POLLIN, [&] { return Move8(fd, &v, false); });
  if (r < 0) return ThrowErrno(env, "eventfd_read", errno, fd);
  memcpy(data, &v, sizeof v);
  return Int(env, 0);
}

// eventfd_write(fd, value: bigint | number) -> 0
static napi_value EventfdWrite(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "value"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, "eventfd_write", kParams)) return nullptr;
  int fd;
  if (!GetFd(env, a.v[0], "eventfd_write", "fd", &fd)) return nullptr;
  napi_valuetype t;
  napi_typeof(env, a.v[1], &t);
  uint64_t v;
  if (t == napi_bigint) {
    bool lossless = false;
    napi_get_value_bigint_uint64(env, a.v[1], &v, &lossless);
    if (!lossless)
      return ThrowRange(env, "eventfd_write", "value must be a bigint in [0n, 2n**64n - 1n]");
  } else if (t == napi_number) {
    int64_t x;
    if (!GetInt(env, a.v[1], "eventfd_write", "value", 0, 9007199254740991.0, &x)) return nullptr;
    v = static_cast<uint64_t>(x);
  } else {
    return ThrowType(env, "eventfd_write", "value", "a bigint or an integer", a.v[1]);
  }
  int r = EventfdCall(fd, POLLOUT, [&] { return Move8(fd, &v, true); });
  if (r < 0) return ThrowErrno(env, "eventfd_write", errno, fd);
  return Int(env, 0);
}

// timerfd_create(clockid, flags) -> fd
static napi_value TimerfdCreate(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"clockid", "flags"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, "timerfd_create", kParams)) return nullptr;
  int clockid;
  uint32_t flags;
  if (!GetInt32(env, a.v[0], "timerfd_create", "clockid", &clockid)) return nullptr;
  if (!GetFlags(env, a.v[1], "timerfd_create", "flags", &flags)) return nullptr;
  int r = timerfd_create(clockid, static_cast<int>(flags) | TFD_CLOEXEC);
  if (r < 0) return ThrowErrno(env, "timerfd_create", errno);
  return Int(env, r);
}

// An itimerspec argument: the bytes of a lib/ itimerspec (at least sizeof(itimerspec)).
static bool GetItimerspec(napi_env env, napi_value v, const char* fn, const char* param,
                          bool opt, uint8_t** mem) {
  *mem = nullptr;
  if (opt && IsNullish(env, v)) return true;
  size_t len;
  if (!GetBytes(env, v, fn, param, mem, &len)) return false;
  if (len < sizeof(itimerspec)) {
    ThrowRange(env, fn, "%s must hold %zu bytes (an itimerspec), got %zu", param,
               sizeof(itimerspec), len);
    return false;
  }
  return true;
}

// timerfd_settime(fd, flags, new_value, old_value | null) -> 0
static napi_value TimerfdSettime(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "flags", "new_value", "old_value"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 4, 4, "timerfd_settime", kParams)) return nullptr;
  int fd;
  uint32_t flags;
  if (!GetFd(env, a.v[0], "timerfd_settime", "fd", &fd)) return nullptr;
  if (!GetFlags(env, a.v[1], "timerfd_settime", "flags", &flags)) return nullptr;
  uint8_t *nmem, *omem;
  if (!GetItimerspec(env, a.v[2], "timerfd_settime", "new_value", false, &nmem)) return nullptr;
  if (!GetItimerspec(env, a.v[3], "timerfd_settime", "old_value", true, &omem)) return nullptr;
  // Copies: the caller's bytes need not be aligned for time_t.
  itimerspec nv, ov;
  memcpy(&nv, nmem, sizeof nv);
  int r = timerfd_settime(fd, static_cast<int>(flags), &nv, omem != nullptr ? &ov : nullptr);
  if (r < 0) return ThrowErrno(env, "timerfd_settime", errno, fd);
  if (omem != nullptr) memcpy(omem, &ov, sizeof ov);
  return Int(env, 0);
}

// timerfd_gettime(fd, curr_value) -> 0
static napi_value TimerfdGettime(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "curr_value"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, "timerfd_gettime", kParams)) return nullptr;
  int fd;
  if (!GetFd(env, a.v[0], "timerfd_gettime", "fd", &fd)) return nullptr;
  uint8_t* mem;
  if (!GetItimerspec(env, a.v[1], "timerfd_gettime", "curr_value", false, &mem)) return nullptr;
  itimerspec cv;
  int r = timerfd_gettime(fd, &cv);
  if (r < 0) return ThrowErrno(env, "timerfd_gettime", errno, fd);
  memcpy(mem, &cv, sizeof cv);
  return Int(env, 0);
}

// gettid() -> the calling thread's id (the main thread's is the pid).
static napi_value Gettid(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 0, 0, "gettid", nullptr)) return nullptr;
  return Int(env, static_cast<int64_t>(syscall(SYS_gettid)));
}

// tgkill(tgid, tid, sig) -> 0: a thread-directed signal (man 2 tgkill), the one kind a
// signalfd in a Node thread can always see (docs/api.md "signalfd and Node's threads").
static napi_value Tgkill(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"tgid", "tid", "sig"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 3, 3, "tgkill", kParams)) return nullptr;
  int tgid, tid, sig;
  if (!GetInt32(env, a.v[0], "tgkill", "tgid", &tgid)) return nullptr;
  if (!GetInt32(env, a.v[1], "tgkill", "tid", &tid)) return nullptr;
  if (!GetInt32(env, a.v[2], "tgkill", "sig", &sig)) return nullptr;
  if (syscall(SYS_tgkill, tgid, tid, sig) < 0) return ThrowErrno(env, "tgkill", errno);
  return Int(env, 0);
}

// ---------------------------------------------------------------------------------------
// routeSignals(set, oldset) / unrouteSignals(set) — not C: what makes a signalfd see a
// process-directed signal in a process whose other threads (Node's platform workers, the
// libuv threadpool, the inspector) do not block it. The kernel hands such a signal to any
// thread that does not block it (docs/api.md "signalfd and Node's threads"), so blocking it
// in the thread that reads the signalfd is not enough. Routing installs, for each signal, a
// handler that re-sends the signal to the routing thread (the one that called
// routeSignals, which blocks the set): there it stays pending, and a signalfd read in that
// thread reports it. The re-sent signal is rt_tgsigqueueinfo(2) with si_code SI_QUEUE and
// the original si_pid/si_uid (a signalfd reads ssi_code SI_QUEUE and the real sender's
// pid; a signal it reads straight from the process's queue, before any thread took it,
// keeps its own code); tgkill(2) if that fails. Only a negative si_code may be queued to
// another thread of one's own process, hence SI_QUEUE rather than the original code.
//
// The handler may run on any thread at any moment, so it makes only raw syscalls (async-
// signal-safe) and reads only lock-free atomics: no malloc, no locks, no JS. The table the
// JS calls change is guarded by a mutex that the handler never takes.

namespace {

struct Route {
  std::atomic<pid_t> tid{0};    // the routing thread; 0: not routed (read by the handler)
  struct sigaction previous;    // the action to restore (guarded by g_route_mu)
  napi_env owner = nullptr;     // the env whose teardown ends the route (guarded by g_route_mu)
};
Route g_routes[NSIG];
std::mutex g_route_mu;
std::atomic<pid_t> g_route_pid{0};  // getpid() of this process, for the handler

void RouteHandler(int sig, siginfo_t* info, void* uctx) {
  int saved_errno = errno;
  pid_t tid = g_routes[sig].tid.load(std::memory_order_acquire);
  pid_t pid = g_route_pid.load(std::memory_order_relaxed);
  if (tid == 0) {
    // Unrouted between the delivery and this load: the previous action is back in place, so
    // a fresh process-directed signal reaches it.
    syscall(SYS_kill, pid, sig);
  } else {
    if (static_cast<pid_t>(syscall(SYS_gettid)) == tid) {
      // The routing thread had the signal unblocked (someone changed its mask). Re-sending
      // it here would run this handler again as soon as it returns, forever: instead the
      // mask this thread returns to blocks the signal again (the kernel restores the mask
      // from the ucontext), so the re-sent one stays pending for the signalfd.
      sigaddset(&static_cast<ucontext_t*>(uctx)->uc_sigmask, sig);
    }
    siginfo_t si = *info;
    si.si_code = SI_QUEUE;  // si_pid and si_uid stay the original sender's
    if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si) < 0 &&
        syscall(SYS_tgkill, pid, tid, sig) < 0 && errno == ESRCH &&
        g_routes[sig].tid.load(std::memory_order_acquire) != tid) {
      // The routing thread ended (a Worker's teardown unrouted it) between the load above
      // and the re-send: the action now in place gets the signal afresh. Only when the route
      // changed, so a route still naming a gone thread cannot make this loop.
      syscall(SYS_kill, pid, sig);
    }
  }
  errno = saved_errno;
}

// Whether the router is the action of `sig` now. Something else may have replaced it since
// routeSignals: libuv does when a process.on(sig) listener is the signal's first.
bool RouterInstalled(int sig) {
  struct sigaction cur;
  return sigaction(sig, nullptr, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) != 0 &&
         cur.sa_sigaction == RouteHandler;
}

// Ends the route of `sig`: restores the action it had before, unless another one replaced
// the router meanwhile (restoring would clobber that one). Called with g_route_mu held.
void UnrouteLocked(int sig) {
  Route& r = g_routes[sig];
  if (r.tid.load(std::memory_order_relaxed) == 0) return;
  // First the action, then tid: a handler that still sees tid 0 re-sends to the process,
  // which the restored action then receives.
  if (RouterInstalled(sig)) sigaction(sig, &r.previous, nullptr);
  r.tid.store(0, std::memory_order_release);
  r.owner = nullptr;
}

// An env's cleanup hook: ends every route made from it (a Worker that ends takes its
// routes with it, before its thread exits).
void UnrouteEnv(void* arg) {
  std::lock_guard<std::mutex> lock(g_route_mu);
  for (int sig = 1; sig < NSIG; sig++)
    if (g_routes[sig].owner == static_cast<napi_env>(arg)) UnrouteLocked(sig);
}

// The synchronous fault signals (the kernel sends them to the thread that faulted) by name;
// nullptr for any other signal.
const char* FaultSignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    default: return nullptr;
  }
}

}  // namespace

// routeSignals(set, oldset | null) -> 0. Checks every signal of `set` before it changes
// anything: a fault signal is a RangeError (routing it would turn a crash into a signal
// that waits, unseen, in a queue), SIGKILL, SIGSTOP and glibc's internal 32/33 are EINVAL
// (sigaction's answer), a signal routed to another live thread is EBUSY. Then it blocks
// `set` in the calling thread (`oldset` receives the previous mask, as pthread_sigmask's)
// and installs the router for each signal not yet routed to this thread (or whose router
// was replaced since).
static napi_value RouteSignals(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"set", "oldset"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, "routeSignals", kParams)) return nullptr;
  sigset_t set, old;
  uint8_t *set_mem, *old_mem;
  bool present, has_old;
  if (!GetSigset(env, a.v[0], "routeSignals", "set", false, &set, &set_mem, &present))
    return nullptr;
  if (!GetSigset(env, a.v[1], "routeSignals", "oldset", true, &old, &old_mem, &has_old))
    return nullptr;
  for (int sig = 1; sig < NSIG; sig++) {
    const char* fault = FaultSignalName(sig);
    if (fault != nullptr && sigismember(&set, sig) == 1)
      return ThrowRange(env, "routeSignals",
                        "set must not hold %s (%d): routing a fault signal would hide a crash",
                        fault, sig);
  }
  pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  std::lock_guard<std::mutex> lock(g_route_mu);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(&set, sig) != 1) continue;
    if (sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33)
      return ThrowErrno(env, "routeSignals", EINVAL);
    pid_t tid = g_routes[sig].tid.load(std::memory_order_relaxed);
    if (tid != 0 && tid != self) return ThrowErrno(env, "routeSignals", EBUSY);
  }
  int err = pthread_sigmask(SIG_BLOCK, &set, &old);
  if (err != 0) return ThrowErrno(env, "routeSignals", err);
  g_route_pid.store(static_cast<pid_t>(syscall(SYS_getpid)), std::memory_order_relaxed);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = RouteHandler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig = 1; sig < NSIG; sig++) {
    Route& r = g_routes[sig];
    if (sigismember(&set, sig) != 1) continue;
    if (r.tid.load(std::memory_order_relaxed) == self && RouterInstalled(sig)) continue;
    r.tid.store(self, std::memory_order_release);  // before the handler can run
    // sigaction cannot fail here: every signal was checked above.
    if (sigaction(sig, &sa, &r.previous) < 0) {
      err = errno;
      r.tid.store(0, std::memory_order_release);
      return ThrowErrno(env, "routeSignals", err);
    }
    r.owner = env;
  }
  if (has_old) memcpy(old_mem, &old, sizeof old);
  return Int(env, 0);
}

// unrouteSignals(set) -> 0: restores the previous action of each routed signal of `set`
// (signals that are not routed are left alone, so a full set unroutes everything). Masks
// are not touched: the routing thread restores its own with pthread_sigmask(SIG_SETMASK,
// oldset) once it has read what is pending.
static napi_value UnrouteSignals(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"set"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 1, 1, "unrouteSignals", kParams)) return nullptr;
  sigset_t set;
  uint8_t* mem;
  bool present;
  if (!GetSigset(env, a.v[0], "unrouteSignals", "set", false, &set, &mem, &present))
    return nullptr;
  std::lock_guard<std::mutex> lock(g_route_mu);
  for (int sig = 1; sig < NSIG; sig++)
    if (sigismember(&set, sig) == 1) UnrouteLocked(sig);
  return Int(env, 0);
}

void InitEventfd(napi_env env, napi_value exports) {
  // A Worker's routes end with its env (before its thread exits).
  napi_add_env_cleanup_hook(env, UnrouteEnv, env);
  SetFunction(env, exports, "sigemptyset", Sigemptyset);
  SetFunction(env, exports, "sigfillset", Sigfillset);
  SetFunction(env, exports, "sigaddset", SetOne<SetOp::kAdd>);
  SetFunction(env, exports, "sigdelset", SetOne<SetOp::kDel>);
  SetFunction(env, exports, "sigismember", SetOne<SetOp::kIs>);
  SetFunction(env, exports, "sigprocmask", Sigmask<false>);
  SetFunction(env, exports, "pthread_sigmask", Sigmask<true>);
  SetFunction(env, exports, "signalfd", Signalfd);
  SetFunction(env, exports, "eventfd", Eventfd);
  SetFunction(env, exports, "eventfd_read", EventfdRead);
  SetFunction(env, exports, "eventfd_write", EventfdWrite);
  SetFunction(env, exports, "timerfd_create", TimerfdCreate);
  SetFunction(env, exports, "timerfd_settime", TimerfdSettime);
  SetFunction(env, exports, "timerfd_gettime", TimerfdGettime);
  SetFunction(env, exports, "gettid", Gettid);
  SetFunction(env, exports, "tgkill", Tgkill);
  SetFunction(env, exports, "routeSignals", RouteSignals);
  SetFunction(env, exports, "unrouteSignals", UnrouteSignals);
  SetLayout(env, exports, "sigset_t", {{"size", sizeof(sigset_t)}});
  SetLayout(env, exports, "itimerspec",
            {{"size", sizeof(itimerspec)},
             {"it_interval", offsetof(itimerspec, it_interval)},
             {"it_value", offsetof(itimerspec, it_value)}});
  SetLayout(env, exports, "signalfd_siginfo",
            {{"size", sizeof(signalfd_siginfo)},
             {"ssi_signo", offsetof(signalfd_siginfo, ssi_signo)},
             {"ssi_errno", offsetof(signalfd_siginfo, ssi_errno)},
             {"ssi_code", offsetof(signalfd_siginfo, ssi_code)},
             {"ssi_pid", offsetof(signalfd_siginfo, ssi_pid)},
             {"ssi_uid", offsetof(signalfd_siginfo, ssi_uid)},
             {"ssi_fd", offsetof(signalfd_siginfo, ssi_fd)},
             {"ssi_tid", offsetof(signalfd_siginfo, ssi_tid)},
             {"ssi_band", offsetof(signalfd_siginfo, ssi_band)},
             {"ssi_overrun", offsetof(signalfd_siginfo, ssi_overrun)},
             {"ssi_trapno", offsetof(signalfd_siginfo, ssi_trapno)},
             {"ssi_status", offsetof(signalfd_siginfo, ssi_status)},
             {"ssi_int", offsetof(signalfd_siginfo, ssi_int)},
             {"ssi_ptr", offsetof(signalfd_siginfo, ssi_ptr)},
             {"ssi_utime", offsetof(signalfd_siginfo, ssi_utime)},
             {"ssi_stime", offsetof(signalfd_siginfo, ssi_stime)},
             {"ssi_addr", offsetof(signalfd_siginfo, ssi_addr)}});
}

}  // namespace sockfd
