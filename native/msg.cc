// msg.cc — scatter/gather and ancillary data: readv, writev, sendmsg, recvmsg, sendmmsg,
// recvmmsg, CMSG_SPACE, CMSG_LEN, and the layouts of iovec, cmsghdr, in_pktinfo and
// in6_pktinfo.
//
// man 2 readv, man 2 sendmsg, man 2 recvmsg, man 2 sendmmsg, man 2 recvmmsg, man 3 cmsg,
// man 7 unix (SCM_RIGHTS, SCM_CREDENTIALS), man 7 ip (IP_PKTINFO), man 7 socket
// (SO_TIMESTAMPNS).
//
// NO JS-SUPPLIED ADDRESS EVER REACHES THE KERNEL. lib/msg.ts keeps C's struct field names,
// but a pointer field (iov_base, msg_name, msg_iov, msg_control) holds a JS object there, and
// this file builds the real struct iovec[] / struct msghdr / struct mmsghdr[] itself, on
// every call, from the buffers those objects reference. The message calls take
// (fd, vlen, bufs, nums, flags[, timeout]); `Batch` below says what bufs and nums hold.
// readv/writev take (fd, iovmem, bases, iovcnt).
//
// RULE 1 (args.h): napi_get_element can run JS (an index getter). Every element of every
// array is fetched first, and only then is any pointer into a caller's buffer taken; from
// there to the syscall no Node-API call runs JS (lib/msg.ts reads the user's objects —
// getters, Proxies, array elements — in TypeScript, before the addon is called at all).
// Every length is checked against the buffer it describes, as that buffer is now, so the
// kernel never touches memory outside the caller's buffers. iovec counts above IOV_MAX are
// a RangeError (C: EMSGSIZE/EINVAL).
//
// RULE 3: recvmsg/recvmmsg always add MSG_CMSG_CLOEXEC, and nothing after the syscall can
// throw: the write-back is plain stores into memory checked before the call. Every fd the
// kernel installs for SCM_RIGHTS is inside the control buffer it returned (with MSG_CTRUNC
// the kernel installs only the fds that fit), so the caller holds every one.
//
// EINTR (native/eintr.h): readv, writev, sendmsg and recvmsg follow the rule of send/recv —
// on a socket readv/writev are made as recvmsg/sendmsg with no flags (the same call for a
// socket, but one that can take MSG_DONTWAIT), on any other fd they are the plain call.
// A stream sendmsg that sent part of its bytes sends the rest WITHOUT the control data (it
// went with the first part: resending SCM_RIGHTS would duplicate the fds). sendmmsg
// follows the same rule counting messages instead of bytes (a blocking sendmmsg that filled
// the buffer part way waits, EINTR-able, then sends the rest; a signal then returns the
// count so far). recvmmsg waits for its first datagram by the rule (poll first: EINTR-able),
// then makes the blocking call, in which the kernel waits for the rest of vlen as in C (a
// signal there returns the count so far; the timeout is checked after each datagram, as C).
//
// sendmsg and sendmmsg always add MSG_NOSIGNAL (writev, like write, does not).
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "common.h"
#include "eintr.h"

namespace sockfd {
namespace {

constexpr size_t kNums = 5;  // namelen, iovlen, controllen, flags, len
constexpr uint32_t kMaxVlen = 1024;  // UIO_MAXIOV: the kernel caps vlen there itself

inline napi_value Result(napi_env env, ssize_t r, bool try_mode, const char* fn, int fd) {
  if (r >= 0) return Int(env, r);
  int e = errno;
  if (try_mode && (e == EAGAIN || e == EWOULDBLOCK)) return Int(env, -EAGAIN);
  return ThrowErrno(env, fn, e, fd);
}

// An array argument's length, without running JS (napi_get_array_length reads the length
// of a real Array; a Proxy is not one).
bool ArrayLen(napi_env env, napi_value v, const char* fn, const char* param, uint32_t* n) {
  bool is = false;
  if (napi_is_array(env, v, &is) != napi_ok || !is) {
    ThrowType(env, fn, param, "an array", v);
    return false;
  }
  napi_get_array_length(env, v, n);
  return true;
}

// Phase 1: fetch `n` elements (this may run JS; no pointer is held yet).
bool Collect(napi_env env, napi_value arr, uint32_t n, const char* fn, const char* param,
             std::vector<napi_value>* out) {
  uint32_t len;
  if (!ArrayLen(env, arr, fn, param, &len)) return false;
  if (len < n) {
    ThrowRange(env, fn, "%s has %u entries, needs %u", param, len, n);
    return false;
  }
  out->resize(n);
  for (uint32_t i = 0; i < n; i++)
    if (napi_get_element(env, arr, i, &(*out)[i]) != napi_ok) return false;
  return true;
}

// A buffer element of `bufs`, or "none" (NONE, an empty ArrayBuffer, or null): nullptr and
// 0 bytes. A detached buffer is a TypeError, never "none". A view goes first: it is what
// msg_name, msg_control and iov_base hold. No JS.
bool OptBuf(napi_env env, napi_value v, const char* fn, const char* param, uint8_t** p,
            size_t* len) {
  void* q;
  if (napi_get_buffer_info(env, v, &q, len) == napi_ok && *len > 0) {
    *p = static_cast<uint8_t*>(q);
    return true;
  }
  if (!GetOptMem(env, v, fn, param, p, len)) return false;
  if (*len == 0) *p = nullptr;
  return true;
}

// Phase 2: the real struct iovec[n] in `out`, from a caller's iovec array `mem` (only its
// iov_len fields are read: iov_base there is always zero, the buffers are `bases`), each
// iov_len checked against its buffer. Shared by the msghdr path and readv/writev. The
// caller passes n > 0 only with `mem` holding n entries and `bases`/`out` n elements each.
// No JS.
bool FillIov(napi_env env, const char* fn, const uint8_t* mem, const napi_value* bases, size_t n,
             iovec* out) {
  for (size_t j = 0; j < n; j++) {
    size_t want;
    memcpy(&want, mem + j * sizeof(iovec) + offsetof(iovec, iov_len), sizeof want);
    uint8_t* bp;
    size_t blen;
    if (!OptBuf(env, bases[j], fn, "iov_base", &bp, &blen)) return false;
    if (want > blen) {
      ThrowRange(env, fn, "iov_len %zu exceeds the %zu bytes of iov_base (iov %zu)", want, blen, j);
      return false;
    }
    out[j].iov_base = want > 0 ? bp : nullptr;
    out[j].iov_len = want;
  }
  return true;
}

// A vector with room for `N` elements inline: the common calls (one message, a batch of up
// to 64) build their struct mmsghdr / iovec arrays without malloc, which cost more per call
// than the Node-API reads did (perf: _int_malloc + _int_free + malloc ~10 % of a
// sendmsg+recvmsg pair). Elements are not initialised: each is written before it is read.
template <typename T, size_t N>
class Small {
 public:
  void resize(size_t n) {
    n_ = n;
    if (n > N) heap_.resize(n);
  }
  T* data() { return n_ > N ? heap_.data() : inline_; }
  T& operator[](size_t i) { return data()[i]; }
  size_t size() const { return n_; }

 private:
  size_t n_ = 0;
  T inline_[N];
  std::vector<T> heap_;
};

// The messages of one call, built from its arguments (fd, vlen, bufs, nums, ...):
//
//   bufs  one flat array; for message i, in order: msg_name's bytes, msg_control's bytes,
//         msg_iov's struct iovec[] memory (an iovec.array's own ArrayBuffer: only its
//         iov_len fields are read, its iov_base bytes are always 0), then msg_iovlen
//         iov_base buffers. "none" is NONE or null. lib/msg.ts keeps this array cached
//         on the msghdr / mmsghdr array and rebuilds it only after a buffer-holding field
//         was assigned; it holds JS objects, never an address, so every pointer and every
//         length is taken fresh, here, on every call (a buffer detached or shrunk since is
//         refused, not read).
//   nums  Uint32Array, kNums per message: msg_namelen, msg_iovlen, msg_controllen,
//         msg_flags, msg_len — the value-result fields themselves (a msghdr's own, or the
//         one block an mmsghdr.array shares), written back in place after the call.
struct Batch {
  int fd = -1;
  Small<uint32_t, 64> iovlen;
  Small<napi_value, 256> elems;
  Small<mmsghdr, 64> msgs;
  Small<iovec, 64> iov;
  uint32_t* nums = nullptr;
};

struct MsgArgs {
  napi_value v[7];
  size_t argc = 7;
};
MsgArgs GetMsgArgs(napi_env env, napi_callback_info info) {
  MsgArgs a;
  napi_get_cb_info(env, info, &a.argc, a.v, nullptr, nullptr);
  return a;
}

const char* const kMsgParams[] = {"fd", "vlen", "bufs", "nums", "flags", "timeout"};

// nums as a Uint32Array of at least vlen * kNums values. Reading its info runs no JS.
bool NumsOf(napi_env env, napi_value v, const char* fn, uint32_t vlen, uint32_t** out) {
  napi_typedarray_type t;
  size_t nn;
  void* np;
  if (napi_get_typedarray_info(env, v, &t, &nn, &np, nullptr, nullptr) != napi_ok ||
      t != napi_uint32_array)
    return ThrowType(env, fn, "nums", "a Uint32Array", v), false;
  if (nn < static_cast<size_t>(vlen) * kNums)
    return ThrowRange(env, fn, "nums holds %zu values, needs %zu", nn,
                      static_cast<size_t>(vlen) * kNums),
           false;
  *out = static_cast<uint32_t*>(np);
  return true;
}

// A plan made native (msgPlan): a reference to each element of a bufs array, so a call
// that reuses it reads them with napi_get_reference_value (no JS can run, no TryCatch)
// instead of napi_get_element, which perf showed at ~40 ns each — most of the gap between
// recvmmsg over 64 messages (4 buffers each) and the floor. The references are strong: the
// buffers live as long as the plan, which lib/msg.ts drops with the msghdr that made it.
struct NativePlan {
  std::vector<napi_ref> refs;
};

void FinalizePlan(napi_env env, void* data, void*) {
  auto* p = static_cast<NativePlan*>(data);
  for (napi_ref r : p->refs)
    if (r != nullptr) napi_delete_reference(env, r);
  delete p;
}

// Marks the Externals msgPlan makes: a call takes an External as a plan only with this tag,
// so another addon's External passed to the raw binding is a TypeError, never a cast.
constexpr napi_type_tag kPlanTag = {0x736f636b66642d6dULL, 0x7367706c616e2d31ULL};

const char* const kPlanParams[] = {"bufs"};

// msgPlan(bufs): an External over references to bufs' elements (read now, in order; a
// getter may run here, but no pointer is taken until a call reads the plan).
napi_value MsgPlan(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  uint32_t n;
  if (!CheckArgc(env, a, 1, 1, "msgPlan", kPlanParams) ||
      !ArrayLen(env, a.v[0], "msgPlan", "bufs", &n))
    return nullptr;
  auto p = std::make_unique<NativePlan>();
  p->refs.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_ref r = nullptr;  // null: "none" (Node 20 makes references to objects only)
    bool ok = napi_get_element(env, a.v[0], i, &v) == napi_ok;
    if (ok && !IsNullish(env, v) && napi_create_reference(env, v, 1, &r) != napi_ok) {
      ThrowType(env, "msgPlan", "bufs", "an array of buffers or null", a.v[0]);
      ok = false;
    }
    if (!ok) {
      for (napi_ref x : p->refs)
        if (x != nullptr) napi_delete_reference(env, x);
      return nullptr;
    }
    p->refs.push_back(r);
  }
  napi_value ext;
  if (napi_create_external(env, p.get(), FinalizePlan, nullptr, &ext) != napi_ok) {
    for (napi_ref x : p->refs)
      if (x != nullptr) napi_delete_reference(env, x);
    return nullptr;
  }
  p.release();  // owned by the External now: its finalizer frees the references
  if (napi_type_tag_object(env, ext, &kPlanTag) != napi_ok) return nullptr;
  return ext;
}

bool Build(napi_env env, const MsgArgs& a, const char* fn, Batch* b) {
  int64_t vlen64;
  if (!GetFd(env, a.v[0], fn, "fd", &b->fd) ||
      !GetInt(env, a.v[1], fn, "vlen", 0, 4294967295.0, &vlen64))
    return false;
  uint32_t vlen = static_cast<uint32_t>(vlen64 > kMaxVlen ? kMaxVlen : vlen64);
  uint32_t* nums;
  if (!NumsOf(env, a.v[3], fn, vlen, &nums)) return false;
  // Phase 1: the iov counts are copied now (an index getter of `bufs` below could change
  // nums), then every element of bufs is fetched — before any pointer is taken.
  b->iovlen.resize(vlen);
  size_t total = 0, niov = 0;
  for (uint32_t i = 0; i < vlen; i++) {
    uint32_t c = nums[i * kNums + 1];
    if (c > IOV_MAX)
      return ThrowRange(env, fn, "msg_iovlen %u is above IOV_MAX (%d)", c, IOV_MAX), false;
    b->iovlen[i] = c;
    niov += c;
  }
  total = 3 * static_cast<size_t>(vlen) + niov;
  b->elems.resize(total);
  void* ext;
  bool tagged = false, js_may_run = true;
  if (napi_get_value_external(env, a.v[2], &ext) == napi_ok &&
      napi_check_object_type_tag(env, a.v[2], &kPlanTag, &tagged) == napi_ok && tagged) {
    // A plan from msgPlan: napi_get_reference_value runs no JS.
    const auto& refs = static_cast<NativePlan*>(ext)->refs;
    js_may_run = false;
    if (refs.size() < total)
      return ThrowRange(env, fn, "bufs has %zu entries, needs %zu", refs.size(), total), false;
    for (size_t k = 0; k < total; k++) {
      napi_status st = refs[k] == nullptr ? napi_get_null(env, &b->elems[k])
                                          : napi_get_reference_value(env, refs[k], &b->elems[k]);
      if (st != napi_ok) return false;
    }
  } else {
    uint32_t have;
    if (!ArrayLen(env, a.v[2], fn, "bufs", &have)) return false;
    if (have < total)
      return ThrowRange(env, fn, "bufs has %u entries, needs %zu", have, total), false;
    for (size_t k = 0; k < total; k++)
      if (napi_get_element(env, a.v[2], static_cast<uint32_t>(k), &b->elems[k]) != napi_ok)
        return false;
  }

  // Phase 2: pointers. From here to the syscall, no JS. (nums is read again if an element
  // getter could have run meanwhile.)
  if (js_may_run && !NumsOf(env, a.v[3], fn, vlen, &nums)) return false;
  b->nums = nums;
  b->msgs.resize(vlen);
  b->iov.resize(niov);
  size_t k = 0, j = 0;
  for (uint32_t i = 0; i < vlen; i++) {
    uint32_t* m = nums + i * kNums;
    msghdr& h = b->msgs[i].msg_hdr;
    b->msgs[i].msg_len = 0;
    uint8_t* p;
    size_t len;
    if (!OptBuf(env, b->elems[k++], fn, "msg_name", &p, &len)) return false;
    if (m[0] > len)
      return ThrowRange(env, fn, "msg_namelen %u exceeds the %zu bytes of msg_name", m[0], len),
             false;
    h.msg_name = m[0] > 0 ? p : nullptr;
    h.msg_namelen = m[0];
    if (!OptBuf(env, b->elems[k++], fn, "msg_control", &p, &len)) return false;
    if (m[2] > len)
      return ThrowRange(env, fn, "msg_controllen %u exceeds the %zu bytes of msg_control", m[2],
                        len),
             false;
    h.msg_control = m[2] > 0 ? p : nullptr;
    h.msg_controllen = m[2];
    const uint32_t c = b->iovlen[i];
    if (!OptBuf(env, b->elems[k++], fn, "msg_iov", &p, &len)) return false;
    if (static_cast<size_t>(c) * sizeof(iovec) > len)
      return ThrowRange(env, fn, "msg_iovlen %u exceeds the %zu entries of msg_iov", c,
                        len / sizeof(iovec)),
             false;
    h.msg_iov = nullptr;
    h.msg_iovlen = c;
    if (c > 0) {  // only then is j inside iov (j may equal its size)
      h.msg_iov = b->iov.data() + j;
      if (!FillIov(env, fn, p, b->elems.data() + k, c, h.msg_iov)) return false;
      j += c;
      k += c;
    }
    h.msg_flags = 0;
  }
  return true;
}

size_t IovBytes(const msghdr& h) {
  size_t n = 0;
  for (size_t i = 0; i < h.msg_iovlen; i++) n += h.msg_iov[i].iov_len;
  return n;
}

// The iovecs of `h` past its first `done` bytes, in `rest` (a stream send's second part).
void Advance(const msghdr& h, size_t done, std::vector<iovec>* rest) {
  rest->clear();
  for (size_t i = 0; i < h.msg_iovlen; i++) {
    iovec v = h.msg_iov[i];
    if (done >= v.iov_len) {
      done -= v.iov_len;
      continue;
    }
    v.iov_base = static_cast<uint8_t*>(v.iov_base) + done;
    v.iov_len -= done;
    done = 0;
    rest->push_back(v);
  }
}

// sendmsg/recvmsg on the one message of `b`, by native/eintr.h's rule (kTry: one plain call).
template <bool kSend>
ssize_t OneMsg(int fd, msghdr* h, int f, bool try_mode) {
  if (try_mode) return kSend ? sendmsg(fd, h, f) : recvmsg(fd, h, f);
  std::vector<iovec> rest;
  return Blocking(fd, kSend ? Blocks::kSend : Blocks::kRecv, f, IovBytes(*h),
                  [&](int x, size_t done) {
                    if (done == 0) return kSend ? sendmsg(fd, h, f | x) : recvmsg(fd, h, f | x);
                    // Only a stream send gets here: the rest of the bytes, without the
                    // control data the first part carried.
                    Advance(*h, done, &rest);
                    msghdr h2 = *h;
                    h2.msg_iov = rest.data();
                    h2.msg_iovlen = rest.size();
                    h2.msg_control = nullptr;
                    h2.msg_controllen = 0;
                    return sendmsg(fd, &h2, f | x);
                  });
}

// The value-result fields of the first `n` messages, stored back into nums. A receive
// stores msg_namelen, msg_controllen, msg_flags and msg_len; a send only msg_len (its
// other fields are the caller's input, and nums is the msghdr's own memory). `hide`:
// MSG_CMSG_CLOEXEC when sockfd added it — the kernel echoes it into msg_flags, which should
// show only what the caller asked for and what the kernel reports.
void StoreBack(Batch* b, uint32_t n, bool send, uint32_t hide) {
  for (uint32_t i = 0; i < n; i++) {
    uint32_t* m = b->nums + i * kNums;
    const msghdr& h = b->msgs[i].msg_hdr;
    if (!send) {
      m[0] = h.msg_namelen;
      m[2] = static_cast<uint32_t>(h.msg_controllen);
      m[3] = static_cast<uint32_t>(h.msg_flags) & ~hide;
    }
    m[4] = b->msgs[i].msg_len;
  }
}

// sendmsg / recvmsg (fd, 1, bufs, nums, flags)
template <bool kSend, bool kTry>
napi_value Msg(napi_env env, napi_callback_info info) {
  const char* fn = kSend ? "sendmsg" : "recvmsg";
  MsgArgs a = GetMsgArgs(env, info);
  uint32_t flags;
  if (!CheckArgc(env, a.argc, 5, 5, fn, kMsgParams) ||
      !GetFlags(env, a.v[4], fn, "flags", &flags))
    return nullptr;
  Batch b;
  if (!Build(env, a, fn, &b)) return nullptr;
  if (b.msgs.size() != 1) return ThrowRange(env, fn, "vlen must be 1, got %zu", b.msgs.size());
  int f = static_cast<int>(flags) | (kSend ? MSG_NOSIGNAL : MSG_CMSG_CLOEXEC);
  msghdr* h = &b.msgs[0].msg_hdr;
  ssize_t r = OneMsg<kSend>(b.fd, h, f, kTry);
  if (r >= 0 && !kSend) {
    b.msgs[0].msg_len = static_cast<unsigned>(r);
    StoreBack(&b, 1, false, flags & MSG_CMSG_CLOEXEC ? 0 : MSG_CMSG_CLOEXEC);
  }
  return Result(env, r, kTry, fn, b.fd);
}

// sendmmsg (fd, vlen, bufs, nums, flags) / recvmmsg (..., flags, timeout)
template <bool kSend>
napi_value Mmsg(napi_env env, napi_callback_info info) {
  const char* fn = kSend ? "sendmmsg" : "recvmmsg";
  MsgArgs a = GetMsgArgs(env, info);
  uint32_t flags;
  void* tmo = nullptr;
  if (!CheckArgc(env, a.argc, 5, kSend ? 5 : 6, fn, kMsgParams) ||
      !GetFlags(env, a.v[4], fn, "flags", &flags))
    return nullptr;
  napi_value tmo_v = a.v[5];
  Batch b;
  if (!Build(env, a, fn, &b)) return nullptr;
  // After Build, which takes the other pointers: GetStructArg runs no JS.
  if (!kSend && !GetStructArg(env, tmo_v, fn, "timeout", sizeof(timespec), &tmo)) return nullptr;
  int f = static_cast<int>(flags) | (kSend ? MSG_NOSIGNAL : MSG_CMSG_CLOEXEC);
  unsigned n = static_cast<unsigned>(b.msgs.size());
  const int fd = b.fd;
  // done: the messages already sent (a blocking sendmmsg that met a full buffer part way).
  auto call = [&](int x, size_t done) -> ssize_t {
    mmsghdr* m = b.msgs.data() + done;
    unsigned left = n - static_cast<unsigned>(done);
    return kSend ? sendmmsg(fd, m, left, f | x)
                 : recvmmsg(fd, m, left, f | x, static_cast<timespec*>(tmo));
  };
  ssize_t r;
  if (n == 0 || (f & (MSG_DONTWAIT | MSG_ERRQUEUE)))
    r = call(0, 0);
  else if (kSend)
    r = Blocking(fd, Blocks::kSend, f, n, call);  // counts messages where send counts bytes
  else
    r = eintr::Probe(fd, Blocks::kRecv, call);  // then the kernel waits for the rest of vlen
  if (r < 0) return ThrowErrno(env, fn, errno, fd);
  StoreBack(&b, static_cast<uint32_t>(r), kSend, kSend || (flags & MSG_CMSG_CLOEXEC) ? 0 : MSG_CMSG_CLOEXEC);
  return Int(env, r);
}

const char* const kRwvParams[] = {"fd", "iovmem", "bases", "iovcnt"};

// readv / writev (fd, iovmem, bases, iovcnt): the message path with one msghdr and no name
// or control, so the same checks build the iovec[].
template <bool kWrite>
napi_value Rwv(napi_env env, napi_callback_info info) {
  const char* fn = kWrite ? "writev" : "readv";
  Args a = GetArgs(env, info);
  int fd;
  int64_t cnt;
  if (!CheckArgc(env, a, 4, 4, fn, kRwvParams) || !GetFd(env, a.v[0], fn, "fd", &fd) ||
      !GetInt(env, a.v[3], fn, "iovcnt", 0, 2147483647.0, &cnt))
    return nullptr;
  if (cnt > IOV_MAX)
    return ThrowRange(env, fn, "iovcnt %lld is above IOV_MAX (%d)", static_cast<long long>(cnt),
                      IOV_MAX);
  std::vector<napi_value> bases;
  if (!Collect(env, a.v[2], static_cast<uint32_t>(cnt), fn, "bases", &bases)) return nullptr;
  uint8_t* p;
  size_t len;
  if (!GetBytes(env, a.v[1], fn, "iov", &p, &len)) return nullptr;
  if (static_cast<size_t>(cnt) * sizeof(iovec) > len)
    return ThrowRange(env, fn, "iovcnt %lld exceeds the %zu entries of iov",
                      static_cast<long long>(cnt), len / sizeof(iovec));
  std::vector<iovec> iov(static_cast<size_t>(cnt));
  if (!FillIov(env, fn, p, bases.data(), iov.size(), iov.data())) return nullptr;
  msghdr h{};
  h.msg_iov = iov.data();
  h.msg_iovlen = iov.size();
  ssize_t r;
  if (IovBytes(h) > 0) {
    r = OneMsg<kWrite>(fd, &h, 0, false);
    if (r >= 0 || errno != ENOTSOCK) return Result(env, r, false, fn, fd);
  }
  r = kWrite ? writev(fd, iov.data(), static_cast<int>(iov.size()))
             : readv(fd, iov.data(), static_cast<int>(iov.size()));
  return Result(env, r, false, fn, fd);
}

const char* const kCmsgParams[] = {"length"};

// CMSG_SPACE(length) / CMSG_LEN(length): the C macros themselves, so no size is guessed.
template <bool kSpace>
napi_value CmsgSize(napi_env env, napi_callback_info info) {
  const char* fn = kSpace ? "CMSG_SPACE" : "CMSG_LEN";
  Args a = GetArgs(env, info);
  int64_t n;
  if (!CheckArgc(env, a, 1, 1, fn, kCmsgParams) ||
      !GetInt(env, a.v[0], fn, "length", 0, 1 << 30, &n))
    return nullptr;
  size_t len = static_cast<size_t>(n);
  return Int(env, static_cast<int64_t>(kSpace ? CMSG_SPACE(len) : CMSG_LEN(len)));
}

}  // namespace

void InitMsg(napi_env env, napi_value exports) {
  SetFunction(env, exports, "readv", Rwv<false>);
  SetFunction(env, exports, "writev", Rwv<true>);
  SetFunction(env, exports, "sendmsg", Msg<true, false>);
  SetFunction(env, exports, "recvmsg", Msg<false, false>);
  SetFunction(env, exports, "trySendmsg", Msg<true, true>);
  SetFunction(env, exports, "tryRecvmsg", Msg<false, true>);
  SetFunction(env, exports, "sendmmsg", Mmsg<true>);
  SetFunction(env, exports, "recvmmsg", Mmsg<false>);
  SetFunction(env, exports, "msgPlan", MsgPlan);
  SetFunction(env, exports, "CMSG_SPACE", CmsgSize<true>);
  SetFunction(env, exports, "CMSG_LEN", CmsgSize<false>);
  // CMSG_ALIGN's unit: CMSG_NXTHDR and CMSG_DATA are computed in lib/msg.ts with it.
  cmsghdr probe{};
  SetLayout(env, exports, "cmsghdr",
            {{"size", sizeof(cmsghdr)},
             {"cmsg_len", offsetof(cmsghdr, cmsg_len)},
             {"cmsg_level", offsetof(cmsghdr, cmsg_level)},
             {"cmsg_type", offsetof(cmsghdr, cmsg_type)},
             {"align", sizeof(size_t)},
             {"data", static_cast<size_t>(CMSG_DATA(&probe) - reinterpret_cast<unsigned char*>(&probe))}});
  SetLayout(env, exports, "iovec",
            {{"size", sizeof(iovec)},
             {"iov_base", offsetof(iovec, iov_base)},
             {"iov_len", offsetof(iovec, iov_len)}});
  SetLayout(env, exports, "in_pktinfo",
            {{"size", sizeof(in_pktinfo)},
             {"ipi_ifindex", offsetof(in_pktinfo, ipi_ifindex)},
             {"ipi_spec_dst", offsetof(in_pktinfo, ipi_spec_dst)},
             {"ipi_addr", offsetof(in_pktinfo, ipi_addr)}});
  SetLayout(env, exports, "in6_pktinfo",
            {{"size", sizeof(in6_pktinfo)},
             {"ipi6_addr", offsetof(in6_pktinfo, ipi6_addr)},
             {"ipi6_ifindex", offsetof(in6_pktinfo, ipi6_ifindex)}});
}

}  // namespace sockfd
