// select.cc — select(2), pselect(2).
//
// Why no FD_* macros here or in lib/select.ts: glibc's FD_SET on an fd >= FD_SETSIZE aborts
// under _FORTIFY_SOURCE and writes past the set otherwise (DESIGN.md "Traps"). lib/select.ts
// does the bit arithmetic itself on the set's bytes, using the word size published below,
// and refuses an fd the set cannot hold. Here every set is checked to hold `nfds` bits
// before the kernel reads or writes it: the kernel touches exactly ceil(nfds / 64) words of
// each set, so a set sized past FD_SETSIZE (fd_set(setsize) in lib/select.ts) is legal on
// Linux and an undersized one is a RangeError.
//
// Why the timeval is passed in place: Linux writes the time left back into it, and C
// programs rely on that; lib/select.ts hands over the struct's own bytes.
//
// select() is benchmarked against the same loop in C (bench/overhead), so it is a raw
// napi_callback; waits are not retried on EINTR unless asked (native/wait.h).
#include <sys/select.h>

#include "common.h"
#include "wait.h"

namespace sockfd {

// One fd_set argument (null allowed), checked to hold nfds bits.
static bool GetSet(napi_env env, napi_value v, const char* fn, const char* param, int nfds,
                   fd_set** out) {
  uint8_t* mem;
  size_t len;
  if (!GetOptMem(env, v, fn, param, &mem, &len)) return false;
  *out = reinterpret_cast<fd_set*>(mem);
  if (mem == nullptr) return true;
  // The kernel reads whole longs: ceil(nfds / bits-per-long) of them.
  constexpr size_t kBits = 8 * sizeof(long);
  size_t need = (static_cast<size_t>(nfds) + kBits - 1) / kBits * sizeof(long);
  if (need > len) {
    ThrowRange(env, fn, "nfds %d exceeds the %zu fds %s holds", nfds, len * 8, param);
    return false;
  }
  return true;
}

struct SelectArgs {
  int nfds;
  fd_set* sets[3];
};

static bool GetSelectArgs(napi_env env, const napi_value* v, const char* fn, SelectArgs* s) {
  int64_t n;
  if (!GetInt(env, v[0], fn, "nfds", 0, INT_MAX, &n)) return false;
  s->nfds = static_cast<int>(n);
  return GetSet(env, v[1], fn, "readfds", s->nfds, &s->sets[0]) &&
         GetSet(env, v[2], fn, "writefds", s->nfds, &s->sets[1]) &&
         GetSet(env, v[3], fn, "exceptfds", s->nfds, &s->sets[2]);
}

// select(nfds, readfds, writefds, exceptfds: bytes | null (or empty), timeout: timeval bytes |
//        null, restart?) -> ready count; sets and timeout are updated in place.
static napi_value Select(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"nfds", "readfds", "writefds", "exceptfds", "timeout",
                                        "restart"};
  size_t argc = 6;
  napi_value v[6];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 5, 6, "select", kParams)) return nullptr;
  bool restart = GetRestart(env, argc, 5, v[5]);
  // From here on, pointers into the caller's buffers: no JS until the syscall.
  SelectArgs s;
  if (!GetSelectArgs(env, v, "select", &s)) return nullptr;
  void* tvp;
  if (!GetStructArg(env, v[4], "select", "timeout", sizeof(timeval), &tvp)) return nullptr;
  // The kernel reads and writes the timeval through a user pointer, so the caller's bytes
  // go straight in; alignment does not matter to copy_from_user.
  timeval* tv = static_cast<timeval*>(tvp);
  KernelDeadline d;
  int r = Wait(restart, d, [&](KernelDeadline&) {
    return select(s.nfds, s.sets[0], s.sets[1], s.sets[2], tv);
  });
  if (r < 0) return ThrowErrno(env, "select", errno);
  return Int(env, r);
}

// pselect(nfds, readfds, writefds, exceptfds, timeout: timespec bytes | null,
//         sigmask: Int32Array | null, restart?) -> ready count; the timespec is not changed.
static napi_value Pselect(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"nfds", "readfds", "writefds", "exceptfds", "timeout",
                                        "sigmask", "restart"};
  size_t argc = 7;
  napi_value v[7];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 6, 7, "pselect", kParams)) return nullptr;
  // The mask is read before any pointer into the sets or the timespec is taken (args.h,
  // THE RULE).
  sigset_t mask;
  bool has_mask;
  if (!GetSigmask(env, v[5], "pselect", &mask, &has_mask)) return nullptr;
  bool restart = GetRestart(env, argc, 6, v[6]);
  SelectArgs s;
  if (!GetSelectArgs(env, v, "pselect", &s)) return nullptr;
  void* tsp;
  if (!GetStructArg(env, v[4], "pselect", "timeout", sizeof(timespec), &tsp)) return nullptr;
  TsDeadline d(tsp, restart);
  int r = Wait(restart, d, [&](TsDeadline& t) {
    return pselect(s.nfds, s.sets[0], s.sets[1], s.sets[2], t.ptr(), has_mask ? &mask : nullptr);
  });
  if (r < 0) return ThrowErrno(env, "pselect", errno);
  return Int(env, r);
}

void InitSelect(napi_env env, napi_value exports) {
  SetFunction(env, exports, "select", Select);
  SetFunction(env, exports, "pselect", Pselect);
  // `word`: the kernel's bitmap is an array of longs (glibc's __fd_mask), so on a
  // big-endian machine fd 0 is in the last byte of the first word.
  SetLayout(env, exports, "fd_set", {{"size", sizeof(fd_set)}, {"word", sizeof(long)}});
}

}  // namespace sockfd
