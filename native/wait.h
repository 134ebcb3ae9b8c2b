// wait.h — what select.cc, poll.cc and epoll.cc share: the one EINTR-restart helper of the
// waits (Wait, with a deadline per timeout type) and the signal-mask argument of
// pselect/ppoll/epoll_pwait/epoll_pwait2.
//
// Why restart against a deadline (DESIGN.md "EINTR"): a wait is never retried by default,
// because the EINTR is what hands control back to JavaScript so a process.on('SIGINT')
// listener can run. A caller that asks for { restart: true } gets CPython's behaviour
// instead (PEP 475): the call is made again with the time that is left, measured on
// CLOCK_MONOTONIC, so a signal storm can neither stretch nor shorten the total wait.
#pragma once
#include <signal.h>
#include <time.h>

#include "common.h"

namespace sockfd {

inline int64_t MonotonicNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// A millisecond timeout (poll, epoll_wait, epoll_pwait): negative waits forever. `ms` is
// the timeout of the next attempt. The clock is read only when the caller asked to
// restart and the timeout is finite, so the default call costs nothing here.
class MsDeadline {
 public:
  MsDeadline(int timeout, bool restart) : ms(timeout) {
    if (restart && timeout > 0) end_ns_ = MonotonicNs() + static_cast<int64_t>(timeout) * 1000000;
  }
  // After EINTR: the time left, rounded up so the wait never ends early.
  void Advance() {
    if (ms <= 0) return;
    int64_t left = end_ns_ - MonotonicNs();
    ms = left <= 0 ? 0 : static_cast<int>((left + 999999) / 1000000);
  }
  int ms;

 private:
  int64_t end_ns_ = 0;
};

// A timespec timeout (ppoll, pselect, epoll_pwait2); a null `ts` waits forever. The
// syscall gets a local copy (ptr()): the caller's bytes may be unaligned, and the caller's
// timespec stays unchanged, as with glibc's wrappers.
class TsDeadline {
 public:
  TsDeadline(const void* ts, bool restart) : forever_(ts == nullptr) {
    if (ts == nullptr) return;
    memcpy(&ts_, ts, sizeof ts_);
    // A timeout of more than ~31 years cannot be told from its remainder, and nanoseconds
    // past now would overflow int64 for tv_sec above ~9.2e9: such a wait restarts with the
    // same timespec instead of a recomputed one.
    huge_ = ts_.tv_sec > kHugeSec;
    if (restart && !huge_)
      end_ns_ = MonotonicNs() + static_cast<int64_t>(ts_.tv_sec) * 1000000000 + ts_.tv_nsec;
  }
  timespec* ptr() { return forever_ ? nullptr : &ts_; }
  void Advance() {
    if (forever_ || huge_) return;
    int64_t left = end_ns_ - MonotonicNs();
    if (left < 0) left = 0;
    ts_.tv_sec = static_cast<time_t>(left / 1000000000);
    ts_.tv_nsec = static_cast<long>(left % 1000000000);
  }

 private:
  static constexpr time_t kHugeSec = 1000000000;
  bool forever_;
  bool huge_ = false;
  timespec ts_{};
  int64_t end_ns_ = 0;
};

// select(2)'s timeval: Linux writes the time left into it even on EINTR (computed on the
// monotonic clock), so calling again with the same timeval already waits until the
// original deadline. Nothing to recompute.
struct KernelDeadline {
  void Advance() {}
};

// The one EINTR policy of every wait: `call(deadline)` is made once; when it fails with
// EINTR and the caller asked to restart, the deadline is moved on to the time that is left
// and the call is made again. Returns the last result with its errno intact. A wait's
// inputs (fd_set, pollfd array) are written back by the kernel only on success, so a
// restarted call still sees the caller's request.
template <class Deadline, class F>
inline auto Wait(bool restart, Deadline& d, F call) -> decltype(call(d)) {
  for (;;) {
    auto r = call(d);
    if (r >= 0 || !restart || errno != EINTR) return r;
    d.Advance();
  }
}

// The trailing `restart` argument the TS wrappers pass only when { restart: true } was
// given (so the common call skips this Node-API call): true restarts after EINTR. Anything
// but `true` is false; napi_get_value_bool never coerces, so no JS runs.
inline bool GetRestart(napi_env env, size_t argc, size_t index, napi_value v) {
  bool b = false;
  if (argc <= index || napi_get_value_bool(env, v, &b) != napi_ok) return false;
  return b;
}

// A signal mask, given as an Int32Array of signal numbers (lib/ converts the public
// `readonly number[]` in TypeScript), or null/undefined for no mask (the call then
// behaves as its non-p variant). An empty array is C's empty sigset_t: nothing blocked
// during the wait. Only a typed array: reading a JS array here
// would need napi_get_element, which runs index getters, getters on Array.prototype and
// Proxy traps — user JS that could detach a buffer (args.h, THE RULE). Callers read the
// mask BEFORE they take any pointer into another argument's buffer. Returns false with an
// exception pending on bad input.
inline bool GetSigmask(napi_env env, napi_value v, const char* fn, sigset_t* set,
                       bool* present) {
  *present = false;
  napi_typedarray_type type;
  size_t n;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, &n, &data, nullptr, nullptr) != napi_ok) {
    if (IsNullish(env, v)) return true;
    ThrowType(env, fn, "sigmask", "an Int32Array of signal numbers or null", v);
    return false;
  }
  if (type != napi_int32_array) {
    ThrowType(env, fn, "sigmask", "an Int32Array of signal numbers or null", v);
    return false;
  }
  if (n == 0) {
    napi_value ab;
    napi_get_typedarray_info(env, v, &type, &n, &data, &ab, nullptr);
    if (IsDetachedThrow(env, ab, fn, "sigmask")) return false;
  }
  sigemptyset(set);
  const int32_t* sigs = static_cast<const int32_t*>(data);
  for (size_t i = 0; i < n; i++) {
    if (sigs[i] < 1 || sigs[i] > NSIG - 1) {
      ThrowRange(env, fn, "sigmask[%zu] must be an integer in [1, %d], got %d", i, NSIG - 1,
                 sigs[i]);
      return false;
    }
    sigaddset(set, sigs[i]);
  }
  *present = true;
  return true;
}

}  // namespace sockfd
