// uring_prep.cc — the liburing-style helpers that fill SQEs: io_uring_get_sqe,
// io_uring_sqe_set_data64 and io_uring_prep_nop / _recv / _send / _poll_add /
// _poll_multishot / _poll_remove / _accept / _timeout (man 3 io_uring_prep_recv & co.).
//
// Why only these fill SQEs: an SQE holds raw addresses the kernel will read and write. Each
// helper writes the kernel's SQE itself, with addresses only of memory the addon allocated
// for that request (uring.h Request) and the request's internal tag as user_data; JS's
// view of the SQE array is a copy (uring.cc). The caller's user_data is kept beside the
// slot and given back in the CQE.
//
// An sqe is named by (ring id, sequence number), which lib/uring.ts keeps in its
// io_uring_sqe object: a helper refuses an sqe that was already submitted or belongs to a
// closed ring. lib/uring.ts hands sqes out itself over the ring's control block (uring.h
// Ctl; io_uring_get_sqe here is the same for a direct binding call), and Publish submits a
// slot no helper prepared as a NOP the addon owns, so an sqe that is never prepared
// submits nothing harmful (and posts no CQE JS sees).
//
// THE RULE (args.h): every number is read before the first pointer into a caller's buffer,
// and nothing after it runs JS.
#include <poll.h>

#include "uring.h"

namespace sockfd {
namespace uring {

// A u64 given as a bigint or a safe integer.
static bool GetU64(napi_env env, napi_value v, const char* fn, const char* param, uint64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) == napi_ok) {  // the common case: a safe integer
    if (d >= 0 && d <= 9007199254740991.0 && d == static_cast<double>(static_cast<int64_t>(d))) {
      *out = static_cast<uint64_t>(d);
      return true;
    }
    int64_t x;
    GetInt(env, v, fn, param, 0, 9007199254740991.0, &x);  // throws the RangeError
    return false;
  }
  bool lossless;
  if (napi_get_value_bigint_uint64(env, v, out, &lossless) == napi_ok) {
    if (lossless) return true;
    char got[128];
    Describe(env, v, got, sizeof got);
    ThrowRange(env, fn, "%s must be a bigint in [0, 2**64 - 1], got %s", param, got);
    return false;
  }
  ThrowType(env, fn, param, "a bigint or an integer", v);
  return false;
}

// The ring and slot an sqe (id, seq) names.
static bool GetSqe(napi_env env, napi_value id_v, napi_value seq_v, const char* fn, Ring** r,
                   unsigned* idx) {
  int64_t id, seq;
  if (!GetInt(env, id_v, fn, "sqe", 0, UINT32_MAX, &id) ||
      !GetInt(env, seq_v, fn, "sqe", 0, UINT32_MAX, &seq))
    return false;
  *r = FindById(env, static_cast<uint32_t>(id), fn);
  return *r != nullptr && SlotOf(env, *r, static_cast<uint32_t>(seq), fn, idx);
}

// A new request in slot idx (replacing one prepared there before), its SQE zeroed and
// tagged. Returns the kernel SQE to fill.
static io_uring_sqe* Begin(napi_env env, Ring* r, unsigned idx, uint8_t op, int fd,
                           Request** out) {
  if (r->slot[idx] != nullptr) {
    r->live.Remove(r->slot[idx]);
    FreeRequest(env, r->slot[idx]);
  }
  Request* q = new Request();
  q->tag = reinterpret_cast<uint64_t>(q);
  q->op = op;
  r->live.Add(q);
  r->slot[idx] = q;
  io_uring_sqe* s = &r->sqes[idx];
  memset(s, 0, sizeof *s);
  s->opcode = op;
  s->fd = fd;
  s->user_data = q->tag;
  *out = q;
  return s;
}

static napi_value Done(napi_env env, Ring* r, unsigned idx) {
  MirrorSqe(r, idx);
  return Undefined(env);
}

// io_uring_get_sqe(fd) -> id * 2**32 + seq, or -1 when the SQ ring is full.
static napi_value GetSqeCb(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 1, 1, "io_uring_get_sqe", kParams)) return nullptr;
  Ring* r = FindByFd(env, a.v[0], "io_uring_get_sqe");
  if (r == nullptr) return nullptr;
  SyncLocal(r);
  unsigned khead = __atomic_load_n(r->ksq_head, __ATOMIC_ACQUIRE);
  if (r->local - khead >= r->p.sq_entries) return Int(env, -1);
  unsigned seq = r->local++;
  r->ctl->local = r->local;
  unsigned idx = seq & r->sq_mask;
  memset(&r->sqes[idx], 0, sizeof(io_uring_sqe));  // a NOP tagged 0: the addon's own
  r->slot[idx] = nullptr;
  r->slot_ud[idx] = 0;
  MirrorSqe(r, idx);
  unsigned* stail = reinterpret_cast<unsigned*>(r->ssq + r->p.sq_off.tail);
  *stail = r->local;
  napi_value v;
  napi_create_double(env, static_cast<double>(r->id) * 4294967296.0 + seq, &v);
  return v;
}

// io_uring_sqe_set_data64(sqe, data): the user_data the CQE will carry.
static napi_value SetData(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"id", "seq", "data"};
  const char* fn = "io_uring_sqe_set_data64";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 3, 3, fn, kParams)) return nullptr;
  uint64_t data;
  if (!GetU64(env, a.v[2], fn, "data", &data)) return nullptr;
  Ring* r;
  unsigned idx;
  if (!GetSqe(env, a.v[0], a.v[1], fn, &r, &idx)) return nullptr;
  r->slot_ud[idx] = data;
  return Done(env, r, idx);
}

// io_uring_prep_nop(sqe)
static napi_value Nop(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"id", "seq"};
  const char* fn = "io_uring_prep_nop";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, fn, kParams)) return nullptr;
  Ring* r;
  unsigned idx;
  Request* q;
  if (!GetSqe(env, a.v[0], a.v[1], fn, &r, &idx)) return nullptr;
  Begin(env, r, idx, IORING_OP_NOP, -1, &q);
  return Done(env, r, idx);
}

// io_uring_prep_recv(sqe, fd, buf, len, flags) / io_uring_prep_send(sqe, fd, buf, len, flags)
template <bool kSend>
static napi_value RecvSend(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"id", "seq", "fd", "buf", "len", "flags"};
  const char* fn = kSend ? "io_uring_prep_send" : "io_uring_prep_recv";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 6, 6, fn, kParams)) return nullptr;
  int fd;
  int64_t len;
  uint32_t flags;
  if (!GetFd(env, a.v[2], fn, "fd", &fd) ||
      !GetInt(env, a.v[4], fn, "len", 0, 9007199254740991.0, &len) ||
      !GetFlags(env, a.v[5], fn, "flags", &flags))
    return nullptr;
  // MSG_ZEROCOPY (with SO_ZEROCOPY) lets the kernel keep sending from the pages of the
  // addon's copy after the CQE, when the addon has freed and reused them: it is refused.
  if (kSend && (flags & MSG_ZEROCOPY))
    return ThrowRange(env, fn, "flags: MSG_ZEROCOPY is not supported (the kernel would keep "
                      "reading the addon's copy of buf after its completion)");
  Ring* r;
  unsigned idx;
  if (!GetSqe(env, a.v[0], a.v[1], fn, &r, &idx)) return nullptr;
  uint8_t* data;
  size_t size;
  if (!GetBytes(env, a.v[3], fn, "buf", &data, &size)) return nullptr;
  if (static_cast<uint64_t>(len) > size)
    return ThrowRange(env, fn, "len %lld exceeds the %zu bytes of buf", static_cast<long long>(len),
                      size);
  if (len > INT32_MAX) return ThrowRange(env, fn, "len must be at most %d", INT32_MAX);
  // Bytes beyond Request::small get memory of their own, taken before Begin so a failure
  // leaves the slot as it was.
  uint8_t* big = nullptr;
  if (static_cast<size_t>(len) > sizeof(Request::small)) {
    big = static_cast<uint8_t*>(malloc(static_cast<size_t>(len)));
    if (big == nullptr) return ThrowErrno(env, fn, ENOMEM);
  }
  napi_ref target = nullptr;
  if (!kSend && napi_create_reference(env, a.v[3], 1, &target) != napi_ok) {
    free(big);
    return nullptr;
  }
  Request* q;
  io_uring_sqe* s = Begin(env, r, idx, kSend ? IORING_OP_SEND : IORING_OP_RECV, fd, &q);
  uint8_t* mem = big != nullptr ? big : q->small;
  if (kSend && len > 0) memcpy(mem, data, static_cast<size_t>(len));  // no JS ran since GetBytes
  q->mem = mem;
  q->len = static_cast<size_t>(len);
  q->target = target;
  q->target_off = 0;
  s->addr = reinterpret_cast<uint64_t>(mem);
  s->len = static_cast<uint32_t>(len);
  s->msg_flags = kSend ? flags | MSG_NOSIGNAL : flags;  // send-like calls never raise SIGPIPE
  return Done(env, r, idx);
}

// io_uring_prep_poll_add(sqe, fd, poll_mask) / io_uring_prep_poll_multishot(...)
template <bool kMulti>
static napi_value PollAdd(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"id", "seq", "fd", "poll_mask"};
  const char* fn = kMulti ? "io_uring_prep_poll_multishot" : "io_uring_prep_poll_add";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 4, 4, fn, kParams)) return nullptr;
  int fd;
  uint32_t mask;
  if (!GetFd(env, a.v[2], fn, "fd", &fd) || !GetFlags(env, a.v[3], fn, "poll_mask", &mask))
    return nullptr;
  Ring* r;
  unsigned idx;
  Request* q;
  if (!GetSqe(env, a.v[0], a.v[1], fn, &r, &idx)) return nullptr;
  io_uring_sqe* s = Begin(env, r, idx, IORING_OP_POLL_ADD, fd, &q);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  mask = (mask << 16) | (mask >> 16);  // the kernel reads poll32_events half-word swapped
#endif
  s->poll32_events = mask;
  if (kMulti) s->len = IORING_POLL_ADD_MULTI;
  return Done(env, r, idx);
}

// io_uring_prep_poll_remove(sqe, user_data): removes the poll request whose user_data it is.
static napi_value PollRemove(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"id", "seq", "user_data"};
  const char* fn = "io_uring_prep_poll_remove";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 3, 3, fn, kParams)) return nullptr;
  uint64_t ud;
  if (!GetU64(env, a.v[2], fn, "user_data", &ud)) return nullptr;
  Ring* r;
  unsigned idx;
  Request* q;
  if (!GetSqe(env, a.v[0], a.v[1], fn, &r, &idx)) return nullptr;
  // The kernel knows requests by tag; which poll this names is settled when it is
  // submitted (Publish), not now: a tag is a Request's address, and the poll found now could
  // complete and its address be reused by a newer request before this SQE reaches the kernel.
  io_uring_sqe* s = Begin(env, r, idx, IORING_OP_POLL_REMOVE, -1, &q);
  q->match_ud = ud;
  s->addr = UINT64_MAX;  // no request has this tag: ENOENT, until Publish finds the poll
  return Done(env, r, idx);
}

// io_uring_prep_accept(sqe, fd, addr, addrlen, flags): addr/addrlen as accept(2)'s (null:
// no address); the address is copied into them when the CQE is moved. SOCK_CLOEXEC is
// always added (every fd sockfd creates is close-on-exec).
static napi_value Accept(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"id", "seq", "fd", "addr", "addrlen", "flags"};
  const char* fn = "io_uring_prep_accept";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 6, 6, fn, kParams)) return nullptr;
  int fd;
  uint32_t flags;
  if (!GetFd(env, a.v[2], fn, "fd", &fd) || !GetFlags(env, a.v[5], fn, "flags", &flags))
    return nullptr;
  Ring* r;
  unsigned idx;
  if (!GetSqe(env, a.v[0], a.v[1], fn, &r, &idx)) return nullptr;
  AddrOut out;
  if (!GetAddrOut(env, a.v[3], a.v[4], fn, &out)) return nullptr;
  size_t cap = out.addr != nullptr ? out.len : 0;
  napi_ref t1 = nullptr, t2 = nullptr;
  if (out.addr != nullptr) {
    napi_create_reference(env, a.v[3], 1, &t1);
    if (out.len_out != nullptr) napi_create_reference(env, a.v[4], 1, &t2);
  }
  Request* q;
  io_uring_sqe* s = Begin(env, r, idx, IORING_OP_ACCEPT, fd, &q);
  uint8_t* mem = q->small;  // sockaddr_storage, then the socklen_t the kernel fills
  memset(mem, 0, sizeof q->small);
  q->mem = mem;
  q->len = cap < sizeof(sockaddr_storage) ? cap : sizeof(sockaddr_storage);
  q->target = t1;
  q->target2 = t2;
  socklen_t klen = sizeof(sockaddr_storage);
  memcpy(mem + sizeof(sockaddr_storage), &klen, sizeof klen);
  if (t1 != nullptr) {
    s->addr = reinterpret_cast<uint64_t>(mem);
    s->addr2 = reinterpret_cast<uint64_t>(mem + sizeof(sockaddr_storage));
  }
  s->accept_flags = flags | SOCK_CLOEXEC;
  return Done(env, r, idx);
}

// io_uring_prep_timeout(sqe, ts, count, flags): completes after ts (a timespec) or after
// `count` other completions, with -ETIME for the timeout.
static napi_value Timeout(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"id", "seq", "ts", "count", "flags"};
  const char* fn = "io_uring_prep_timeout";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 5, 5, fn, kParams)) return nullptr;
  int64_t count;
  uint32_t flags;
  if (!GetInt(env, a.v[3], fn, "count", 0, UINT32_MAX, &count) ||
      !GetFlags(env, a.v[4], fn, "flags", &flags))
    return nullptr;
  Ring* r;
  unsigned idx;
  if (!GetSqe(env, a.v[0], a.v[1], fn, &r, &idx)) return nullptr;
  void* ts;
  if (!GetStructArg(env, a.v[2], fn, "ts", sizeof(__kernel_timespec), &ts)) return nullptr;
  if (ts == nullptr) return ThrowType(env, fn, "ts", "a timespec", a.v[2]);
  Request* q;
  io_uring_sqe* s = Begin(env, r, idx, IORING_OP_TIMEOUT, -1, &q);
  static_assert(sizeof(__kernel_timespec) <= sizeof(Request::small), "timespec fits inline");
  uint8_t* mem = q->small;
  memcpy(mem, ts, sizeof(__kernel_timespec));  // no JS ran since GetStructArg
  q->mem = mem;
  s->addr = reinterpret_cast<uint64_t>(mem);
  s->len = 1;
  s->off = static_cast<uint64_t>(count);
  s->timeout_flags = flags;
  return Done(env, r, idx);
}

void InitPrep(napi_env env, napi_value exports) {
  SetFunction(env, exports, "io_uring_get_sqe", GetSqeCb);
  SetFunction(env, exports, "io_uring_sqe_set_data64", SetData);
  SetFunction(env, exports, "io_uring_prep_nop", Nop);
  SetFunction(env, exports, "io_uring_prep_recv", RecvSend<false>);
  SetFunction(env, exports, "io_uring_prep_send", RecvSend<true>);
  SetFunction(env, exports, "io_uring_prep_poll_add", PollAdd<false>);
  SetFunction(env, exports, "io_uring_prep_poll_multishot", PollAdd<true>);
  SetFunction(env, exports, "io_uring_prep_poll_remove", PollRemove);
  SetFunction(env, exports, "io_uring_prep_accept", Accept);
  SetFunction(env, exports, "io_uring_prep_timeout", Timeout);
}

}  // namespace uring
}  // namespace sockfd
