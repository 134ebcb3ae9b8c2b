// bench/uring.cc — the io_uring cells of `sockfd bench` in C, beside bench.cc's select,
// poll and epoll loops and run in the same process for the same reason (bench.cc header).
// man 7 io_uring, man 2 io_uring_setup, man 2 io_uring_enter.
//
// The round is bench.cc's: write one byte to A of the N connections, then one io_uring_enter
// that waits for A completions, then consume each. Two styles, as bench/uring.ts:
//   readiness (method 0): a multishot POLL_ADD per connection, armed once; each CQE names a
//     connection, which is then read with recv(2) (re-armed if the kernel ended the poll);
//   completion (method 1): a RECV per connection; each CQE carries the byte, and the RECV is
//     re-armed, submitted by the next round's io_uring_enter.
// Every round checks that the connections completed are exactly those written.
//
// The ring is made per batch, its requests armed before the clock starts, and cancelled
// (IORING_ASYNC_CANCEL_ANY, then waiting for their last CQEs) after it stops: the TypeScript
// cells run over the same connections between batches, and a RECV left armed would take
// their bytes. The raw ABI is used directly (no liburing, which is not a dependency).
//
// benchPingPongUring (at the end) is the ping-pong suite's io_uring row: one byte bouncing
// between two connected sockets, each hop a SEND and a RECV in one io_uring_enter.
#include <linux/io_uring.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <vector>

#include "bench.h"

namespace sockfd {
namespace {

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

struct CRing {
  int fd = -1;
  io_uring_params p{};
  void* sq = MAP_FAILED;
  void* cq = MAP_FAILED;
  size_t sq_len = 0, cq_len = 0;
  io_uring_sqe* sqes = static_cast<io_uring_sqe*>(MAP_FAILED);
  unsigned *sq_head, *sq_tail, *cq_head, *cq_tail;
  unsigned sq_mask, cq_mask;
  io_uring_cqe* cqes;
  unsigned local = 0;
  size_t armed = 0;  // requests whose last CQE has not been seen

  int Open(unsigned entries) {
    fd = static_cast<int>(syscall(__NR_io_uring_setup, entries, &p));
    if (fd < 0) return errno;
    sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    cq_len = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
    if (p.features & IORING_FEAT_SINGLE_MMAP) sq_len = cq_len = std::max(sq_len, cq_len);
    sq = mmap(nullptr, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    if (sq == MAP_FAILED) return errno;
    cq = (p.features & IORING_FEAT_SINGLE_MMAP)
             ? sq
             : mmap(nullptr, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
    if (cq == MAP_FAILED) return errno;
    sqes = static_cast<io_uring_sqe*>(mmap(nullptr, p.sq_entries * sizeof(io_uring_sqe), PROT_READ | PROT_WRITE,
                                           MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES));
    if (sqes == MAP_FAILED) return errno;
    uint8_t* s = static_cast<uint8_t*>(sq);
    uint8_t* c = static_cast<uint8_t*>(cq);
    sq_head = reinterpret_cast<unsigned*>(s + p.sq_off.head);
    sq_tail = reinterpret_cast<unsigned*>(s + p.sq_off.tail);
    sq_mask = *reinterpret_cast<unsigned*>(s + p.sq_off.ring_mask);
    unsigned* array = reinterpret_cast<unsigned*>(s + p.sq_off.array);
    for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i;
    cq_head = reinterpret_cast<unsigned*>(c + p.cq_off.head);
    cq_tail = reinterpret_cast<unsigned*>(c + p.cq_off.tail);
    cq_mask = *reinterpret_cast<unsigned*>(c + p.cq_off.ring_mask);
    cqes = reinterpret_cast<io_uring_cqe*>(c + p.cq_off.cqes);
    return 0;
  }
  int Enter(unsigned min_complete, unsigned flags) {
    __atomic_store_n(sq_tail, local, __ATOMIC_RELEASE);
    unsigned pending = local - __atomic_load_n(sq_head, __ATOMIC_ACQUIRE);
    return static_cast<int>(syscall(__NR_io_uring_enter, fd, pending, min_complete, flags, nullptr, 0));
  }
  // A zeroed SQE, submitting what is queued first if the SQ ring is full.
  io_uring_sqe* Sqe() {
    if (local - __atomic_load_n(sq_head, __ATOMIC_ACQUIRE) >= p.sq_entries) Enter(0, 0);
    io_uring_sqe* s = &sqes[local++ & sq_mask];
    memset(s, 0, sizeof *s);
    return s;
  }
  // Cancels every request and waits (at most 2 s) for their last CQEs, then unmaps. Returns
  // false if the kernel still held a request: the mappings are then left in place, and the
  // caller must leak the request buffers too (it does: see `bufs` in BenchUring).
  bool Close() {
    bool clean = true;
    if (fd >= 0 && sqes != MAP_FAILED && armed > 0) {
      io_uring_sqe* s = Sqe();
      s->opcode = IORING_OP_ASYNC_CANCEL;
      s->fd = -1;
      s->cancel_flags = IORING_ASYNC_CANCEL_ANY;
      s->user_data = UINT64_MAX;
      const double end = Now() + 2e9;
      while (armed > 0 && Now() < end) {
        io_uring_getevents_arg ga{};
        __kernel_timespec ts{0, 50 * 1000 * 1000};
        ga.ts = reinterpret_cast<uint64_t>(&ts);
        syscall(__NR_io_uring_enter, fd, local - __atomic_load_n(sq_head, __ATOMIC_ACQUIRE), 1,
                IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ga, sizeof ga);
        __atomic_store_n(sq_tail, local, __ATOMIC_RELEASE);
        unsigned h = *cq_head, t = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
        for (; h != t; h++) {
          const io_uring_cqe& c = cqes[h & cq_mask];
          if (c.user_data != UINT64_MAX && !(c.flags & IORING_CQE_F_MORE)) armed--;
        }
        __atomic_store_n(cq_head, h, __ATOMIC_RELEASE);
      }
      clean = armed == 0;
    }
    if (clean) {
      if (sqes != MAP_FAILED) munmap(sqes, p.sq_entries * sizeof(io_uring_sqe));
      if (cq != MAP_FAILED && cq != sq) munmap(cq, cq_len);
      if (sq != MAP_FAILED) munmap(sq, sq_len);
    }
    if (fd >= 0) close(fd);
    fd = -1;
    return clean;
  }
};

napi_value Fail(napi_env env, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
napi_value Fail(napi_env env, const char* fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  napi_throw_error(env, "ERR_SOCKFD_BENCH_VERIFY", msg);
  return nullptr;
}

bool Int32s(napi_env env, napi_value v, const char* param, int32_t** data, size_t* len) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type = napi_uint8_array;
  void* p = nullptr;
  if (is) napi_get_typedarray_info(env, v, &type, len, &p, nullptr, nullptr);
  if (!is || type != napi_int32_array) {
    ThrowType(env, "benchUring", param, "an Int32Array", v);
    return false;
  }
  *data = static_cast<int32_t*>(p);
  return true;
}

// benchUring(style, rfds, wfds, active, rounds, roundBase, out): out[0] the batch's ns,
// out[1] the ns inside io_uring_enter. style 0 readiness, 1 completion. The kernel's
// refusal of io_uring_setup is thrown as ErrnoError (the harness reports it and goes on).
napi_value BenchUring(napi_env env, napi_callback_info info) {
  static const char* fn = "benchUring";
  size_t argc = 7;
  napi_value v[7];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 7) return ThrowRange(env, fn, "expects 7 arguments, got %zu", argc);
  int64_t style, active, rounds, base;
  int32_t *rfds, *wfds;
  size_t n, nw;
  if (!GetInt(env, v[0], fn, "style", 0, 1, &style) || !Int32s(env, v[1], "rfds", &rfds, &n) ||
      !Int32s(env, v[2], "wfds", &wfds, &nw) ||
      !GetInt(env, v[3], fn, "active", 1, static_cast<double>(n), &active) ||
      !GetInt(env, v[4], fn, "rounds", 1, 1e9, &rounds) ||
      !GetInt(env, v[5], fn, "roundBase", 0, 1e12, &base))
    return nullptr;
  uint8_t* outp;
  size_t outlen;
  if (!GetBytes(env, v[6], fn, "out", &outp, &outlen)) return nullptr;
  if (outlen < 2 * sizeof(double)) return ThrowRange(env, fn, "out must hold 2 doubles");
  if (n == 0 || nw != n || n > 32768) return ThrowRange(env, fn, "rfds and wfds must be the same length in [1, 32768]");
  const bool recv_style = style == 1;
  const size_t A = static_cast<size_t>(active);
  const size_t stride = n / A;
  std::vector<uint8_t> written(n, 0);
  // The RECV buffers: freed only once the ring is closed with every request done (never
  // under the kernel; leaked if it kept one past the 2 s of Close).
  char* bufs = new char[n * 16]();
  CRing ring;
  auto finish = [&]() {
    bool clean = ring.Close();
    if (clean) delete[] bufs;
    return clean;
  };
  int err = ring.Open(static_cast<unsigned>(n));
  if (err != 0) {
    finish();
    return ThrowErrno(env, "io_uring_setup", err);
  }
  auto arm = [&](size_t i) {
    io_uring_sqe* s = ring.Sqe();
    s->fd = rfds[i];
    s->user_data = i;
    if (recv_style) {
      s->opcode = IORING_OP_RECV;
      s->addr = reinterpret_cast<uint64_t>(&bufs[i * 16]);
      s->len = 16;
    } else {
      s->opcode = IORING_OP_POLL_ADD;
      s->poll32_events = POLLIN;
      s->len = IORING_POLL_ADD_MULTI;
    }
    ring.armed++;
  };
  auto fail = [&](const char* what, long long r, size_t i, int res) {
    bool clean = finish();
    return Fail(env, "C io_uring (%s): round %lld, connection %zu, res %d: %s%s",
                recv_style ? "completion" : "readiness", r, i, res, what,
                clean ? "" : " (and the kernel kept a request past 2 s)");
  };
  for (size_t i = 0; i < n; i++) arm(i);
  if (ring.Enter(0, 0) < 0) {
    err = errno;
    finish();
    return ThrowErrno(env, "io_uring_enter", err);
  }
  const char byte = 'x';
  char tmp[16];
  double mux = 0;
  const double start = Now();
  for (int64_t r = 0; r < rounds; r++) {
    const long long round = static_cast<long long>(base + r);
    const size_t off = static_cast<size_t>(((base + r) * 7919) % static_cast<int64_t>(n));
    for (size_t k = 0; k < A; k++) {
      const size_t i = (off + k * stride) % n;
      written[i] = 1;
      if (send(wfds[i], &byte, 1, MSG_NOSIGNAL) != 1) {
        err = errno;
        finish();
        return ThrowErrno(env, "send", err, wfds[i]);
      }
    }
    const double t1 = Now();
    const int rc = ring.Enter(static_cast<unsigned>(A), IORING_ENTER_GETEVENTS);
    mux += Now() - t1;
    if (rc < 0) {
      err = errno;
      finish();
      return ThrowErrno(env, "io_uring_enter", err);
    }
    size_t found = 0;
    unsigned h = *ring.cq_head;
    const unsigned t = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
    for (; h != t; h++) {
      const io_uring_cqe c = ring.cqes[h & ring.cq_mask];
      const size_t i = static_cast<size_t>(c.user_data);
      if (i >= n || !written[i]) return fail("completed but was not written", round, i, c.res);
      written[i] = 0;
      found++;
      if (!(c.flags & IORING_CQE_F_MORE)) ring.armed--;
      if (recv_style) {
        if (c.res != 1 || bufs[i * 16] != byte) return fail("RECV did not bring the byte", round, i, c.res);
        arm(i);
      } else {
        if (c.res < 0 || !(c.res & POLLIN)) return fail("POLL_ADD without POLLIN", round, i, c.res);
        if (recv(rfds[i], tmp, sizeof tmp, 0) != 1) return fail("recv after POLLIN did not read 1 byte", round, i, c.res);
        if (!(c.flags & IORING_CQE_F_MORE)) arm(i);
      }
    }
    __atomic_store_n(ring.cq_head, h, __ATOMIC_RELEASE);
    if (found != A) return fail("fewer or more completions than connections written", round, found, rc);
  }
  double res[2] = {Now() - start, mux};
  memcpy(outp, res, sizeof res);
  if (!finish()) return Fail(env, "C io_uring: the kernel kept a request past 2 s after cancel");
  return Undefined(env);
}

// benchPingPongUring(fd0, fd1, trips, out): the ping-pong of scale.cc's benchPingPong driven
// through io_uring, as bench/uring.ts's uringTsPingPong does it: each hop is one
// io_uring_enter that submits a SEND of the byte on the side that holds it and a RECV on the
// other side, and waits for both CQEs. Every hop checks both results (1 byte each) and the
// byte received. out[0] is the ns of `trips` round trips (2 hops each); the ring is made and
// closed outside the clock. The kernel's refusal of io_uring_setup is thrown as ErrnoError.
napi_value BenchPingPongUring(napi_env env, napi_callback_info info) {
  static const char* fn = "benchPingPongUring";
  size_t argc = 4;
  napi_value v[4];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 4) return ThrowRange(env, fn, "expects 4 arguments, got %zu", argc);
  int64_t fd0, fd1, trips;
  if (!GetInt(env, v[0], fn, "fd0", 0, INT32_MAX, &fd0) || !GetInt(env, v[1], fn, "fd1", 0, INT32_MAX, &fd1) ||
      !GetInt(env, v[2], fn, "trips", 1, 1e9, &trips))
    return nullptr;
  uint8_t* outp;
  size_t outlen;
  if (!GetBytes(env, v[3], fn, "out", &outp, &outlen)) return nullptr;
  if (outlen < sizeof(double)) return ThrowRange(env, fn, "out must hold 1 double");
  const int fds[2] = {static_cast<int>(fd0), static_cast<int>(fd1)};
  // One byte per side, written by the kernel: freed only once the ring closed clean.
  char* bufs = new char[2]();
  CRing ring;
  auto finish = [&]() {
    bool clean = ring.Close();
    if (clean) delete[] bufs;
    return clean;
  };
  int err = ring.Open(4);
  if (err != 0) {
    finish();
    return ThrowErrno(env, "io_uring_setup", err);
  }
  auto fail = [&](long long hop, const char* what, int res) {
    bool clean = finish();
    return Fail(env, "C io_uring ping-pong, hop %lld: %s (res %d%s%s)%s", hop, what, res, res < 0 ? " " : "",
                res < 0 ? strerror(-res) : "", clean ? "" : " (and the kernel kept a request past 2 s)");
  };
  const char byte = 'p';
  bufs[0] = byte;
  const int64_t hops = trips * 2;
  const double start = Now();
  for (int64_t h = 0; h < hops; h++) {
    const int from = static_cast<int>(h & 1), to = from ^ 1;
    bufs[to] = 0;
    io_uring_sqe* s = ring.Sqe();
    s->opcode = IORING_OP_SEND;
    s->fd = fds[from];
    s->addr = reinterpret_cast<uint64_t>(&bufs[from]);
    s->len = 1;
    s->msg_flags = MSG_NOSIGNAL;
    s->user_data = 0;
    s = ring.Sqe();
    s->opcode = IORING_OP_RECV;
    s->fd = fds[to];
    s->addr = reinterpret_cast<uint64_t>(&bufs[to]);
    s->len = 1;
    s->user_data = 1;
    ring.armed += 2;
    // min_complete 1, not 2: a SEND that fails leaves its RECV waiting for a byte that
    // never comes, and the hop must report the failure rather than wait for it.
    if (ring.Enter(1, IORING_ENTER_GETEVENTS) < 0) {
      err = errno;
      finish();
      return ThrowErrno(env, "io_uring_enter", err);
    }
    int seen = 0;  // bit 0 the SEND's CQE, bit 1 the RECV's
    const double deadline = Now() + 2e9;
    for (;;) {
      unsigned head = *ring.cq_head;
      const unsigned tail = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
      for (; head != tail; head++) {
        const io_uring_cqe c = ring.cqes[head & ring.cq_mask];
        const unsigned bit = c.user_data <= 1 ? 1u << c.user_data : 0;
        ring.armed--;
        if (bit == 0 || (seen & bit) || c.res != 1) {
          __atomic_store_n(ring.cq_head, head + 1, __ATOMIC_RELEASE);
          return fail(static_cast<long long>(h),
                      bit == 0 || (seen & bit) ? "a completion no request of this hop asked for"
                      : c.user_data == 0        ? "SEND did not send 1 byte"
                                                : "RECV did not bring 1 byte",
                      c.res);
        }
        seen |= bit;
      }
      __atomic_store_n(ring.cq_head, head, __ATOMIC_RELEASE);
      if (seen == 3) break;
      // The slow path (the RECV not complete yet): wait for it, at most 2 s in all, so two
      // sockets that are not a connected pair fail instead of hanging.
      if (Now() >= deadline) return fail(static_cast<long long>(h), "RECV not complete after 2 s (not a connected pair?)", 0);
      io_uring_getevents_arg ga{};
      __kernel_timespec ts{0, 100 * 1000 * 1000};
      ga.ts = reinterpret_cast<uint64_t>(&ts);
      syscall(__NR_io_uring_enter, ring.fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ga, sizeof ga);
    }
    if (bufs[to] != byte) return fail(static_cast<long long>(h), "RECV brought a different byte", bufs[to]);
  }
  const double ns = Now() - start;
  memcpy(outp, &ns, sizeof ns);
  if (!finish()) return Fail(env, "C io_uring ping-pong: the kernel kept a request past 2 s after cancel");
  return Undefined(env);
}

}  // namespace

void InitBenchUring(napi_env env, napi_value exports) {
  SetFunction(env, exports, "benchUring", BenchUring);
  SetFunction(env, exports, "benchPingPongUring", BenchPingPongUring);
}

}  // namespace sockfd
