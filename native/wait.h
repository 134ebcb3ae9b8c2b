// wait.h — what select.cc, poll.cc and epoll.cc share: the EINTR restart deadline and the
// optional signal-mask argument of pselect/ppoll/epoll_pwait.
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

// A millisecond timeout (poll, epoll_wait): negative waits forever. The clock is read
// only when the caller asked to restart and the timeout is finite.
class MsDeadline {
 public:
  MsDeadline(int timeout, bool restart) : timeout_(timeout) {
    if (restart && timeout > 0) end_ns_ = MonotonicNs() + static_cast<int64_t>(timeout) * 1000000;
  }
  // The timeout for the next attempt after EINTR: rounded up so the wait never ends early.
  int Remaining() const {
    if (timeout_ <= 0) return timeout_;
    int64_t left = end_ns_ - MonotonicNs();
    if (left <= 0) return 0;
    return static_cast<int>((left + 999999) / 1000000);
  }

 private:
  int timeout_;
  int64_t end_ns_ = 0;
};

// A timespec timeout (ppoll, pselect, epoll_pwait2); `ts` null waits forever.
struct TsDeadline {
  int64_t end_ns = 0;
  bool forever;
  // `ts` points into a caller's buffer that may be unaligned, hence the memcpy.
  explicit TsDeadline(const void* ts) : forever(ts == nullptr) {
    if (ts == nullptr) return;
    timespec t;
    memcpy(&t, ts, sizeof t);
    end_ns = MonotonicNs() + static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
  }
  void Remaining(timespec* out) const {
    int64_t left = end_ns - MonotonicNs();
    if (left < 0) left = 0;
    out->tv_sec = static_cast<time_t>(left / 1000000000);
    out->tv_nsec = static_cast<long>(left % 1000000000);
  }
};

// The trailing `restart` argument the TS wrappers pass only when { restart: true } was
// given (so the common call skips this Node-API call): true restarts after EINTR.
inline bool GetRestart(napi_env env, size_t argc, size_t index, napi_value v) {
  bool b = false;
  if (argc <= index || napi_get_value_bool(env, v, &b) != napi_ok) return false;
  return b;
}

// The memory of an array argument. lib/ passes the ArrayBuffer that pollfd.array /
// epoll_event.array / fd_set own: napi_get_arraybuffer_info costs a fraction of
// napi_get_typedarray_info (which has to find the view's buffer; bench/README.md), and these are the
// hot paths bench/overhead compares with C. Any other view (a subarray, a Buffer) still
// works through GetBytes. A detached buffer reads as 0 bytes, so the caller's count check
// then fails before any syscall.
inline bool GetMem(napi_env env, napi_value v, const char* fn, const char* param,
                   uint8_t** data, size_t* len) {
  void* p;
  if (napi_get_arraybuffer_info(env, v, &p, len) == napi_ok) {
    *data = static_cast<uint8_t*>(p);
    return true;
  }
  return GetBytes(env, v, fn, param, data, len);
}

// An optional struct or set argument: null, undefined or an empty buffer mean C's NULL.
// lib/ passes a shared empty ArrayBuffer for "none", because checking a value for null
// (napi_typeof walks ~10 type tests) costs more than the whole ArrayBuffer read.
inline bool GetOptMem(napi_env env, napi_value v, const char* fn, const char* param,
                      uint8_t** data, size_t* len) {
  void* p = nullptr;
  if (napi_get_arraybuffer_info(env, v, &p, len) == napi_ok) {
    *data = static_cast<uint8_t*>(p);
  } else if (IsNullish(env, v)) {
    *data = nullptr;
    *len = 0;
  } else if (!GetBytes(env, v, fn, param, data, len)) {
    return false;
  }
  if (*len == 0) *data = nullptr;
  return true;
}

// A signal mask given as an array of signal numbers (null/undefined: no mask, the call
// behaves as its non-p variant). Returns false with an exception pending on bad input.
inline bool GetSigmask(napi_env env, napi_value v, const char* fn, sigset_t* set,
                       bool* present) {
  *present = false;
  if (IsNullish(env, v)) return true;
  bool is = false;
  napi_is_array(env, v, &is);
  if (!is) {
    ThrowType(env, fn, "sigmask", "an array of signal numbers or null", v);
    return false;
  }
  uint32_t n = 0;
  napi_get_array_length(env, v, &n);
  sigemptyset(set);
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    napi_get_element(env, v, i, &e);
    int64_t sig;
    if (!GetInt(env, e, fn, "sigmask[i]", 1, NSIG - 1, &sig)) return false;
    sigaddset(set, static_cast<int>(sig));
  }
  *present = true;
  return true;
}

// A struct timeval / timespec / epoll_event argument passed as its bytes (lib/struct.ts);
// "none" (GetOptMem) yields nullptr. The buffer must hold the whole struct.
inline bool GetStructArg(napi_env env, napi_value v, const char* fn, const char* param,
                         size_t size, void** out) {
  uint8_t* data;
  size_t len;
  if (!GetOptMem(env, v, fn, param, &data, &len)) return false;
  *out = data;
  if (data == nullptr) return true;
  if (len < size) {
    ThrowRange(env, fn, "%s must hold %zu bytes, got %zu", param, size, len);
    return false;
  }
  *out = data;
  return true;
}

}  // namespace sockfd
