// bench/stream.cc — the C side of `sockfd bench --suites stream`: a bulk transfer loop and
// a datagram drain loop, run in sockfd_bench.so in the same process, the limit the TypeScript cells of
// bench/stream.ts are compared with.
//
// man 2 send, man 2 recv, man 2 sendmmsg, man 2 clock_gettime.
//
// Why one thread, alternating "send until EAGAIN, receive until EAGAIN": on a 2-core machine
// shared with other work, a sender thread and a receiver thread measure the scheduler (who
// runs when, on which core) as much as the transfer; a single thread makes the same calls in
// the same order every run, in C and in TypeScript alike. Why in-process: Node's threads make
// every fd-taking syscall pay for a shared fd table (DESIGN.md "Traps"); the same loop in the
// same process makes the TS/C ratio measure sockfd alone. Each call moves one bounded transfer
// that bench/stream.ts sized, so it blocks the JS thread only that long.
#include <errno.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "bench.h"

namespace sockfd {
namespace {

inline double NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// A Float64Array of at least `min` elements, taken last: no JS runs after this pointer.
bool GetOut(napi_env env, napi_value v, const char* fn, size_t min, const char* what, double** out) {
  bool is = false;
  napi_typedarray_type type = napi_uint8_array;
  size_t len = 0;
  void* p = nullptr;
  napi_is_typedarray(env, v, &is);
  if (is) napi_get_typedarray_info(env, v, &type, &len, &p, nullptr, nullptr);
  if (!is || type != napi_float64_array || len < min) {
    ThrowType(env, fn, "out", what, v);
    return false;
  }
  *out = static_cast<double*>(p);
  return true;
}

// benchStreamLoop(a, b, chunk, total, out)
//
// Moves `total` bytes from a to b (two ends of one stream connection) on this thread:
// send `chunk`-byte pieces on a until the kernel says EAGAIN (its buffers are full), then
// recv on b into a `chunk`-byte buffer until EAGAIN (drained), and again, until b has
// received `total`. MSG_DONTWAIT on every call, so the fds may be blocking. The same
// statements as the "sockfd sync" cell of bench/stream.ts. out[0] = ns, out[1] = bytes
// received, out[2] = send calls that moved data, out[3] = recv calls that moved data,
// out[4] = rounds (one send phase and one recv phase each).
napi_value BenchStreamLoop(napi_env env, napi_callback_info info) {
  static const char* fn = "benchStreamLoop";
  size_t argc = 5;
  napi_value v[5];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 5) return ThrowRange(env, fn, "expects 5 arguments, got %zu", argc);
  int a, b;
  int64_t chunk, total;
  double* out;
  if (!GetFd(env, v[0], fn, "a", &a) || !GetFd(env, v[1], fn, "b", &b) ||
      !GetInt(env, v[2], fn, "chunk", 1, 1 << 24, &chunk) || !GetInt(env, v[3], fn, "total", 0, 1e15, &total) ||
      !GetOut(env, v[4], fn, 5, "a Float64Array of at least 5 elements", &out))
    return nullptr;
  std::vector<char> src(static_cast<size_t>(chunk), 's');
  std::vector<char> dst(static_cast<size_t>(chunk));
  uint64_t sent = 0, got = 0;
  double sends = 0, recvs = 0, rounds = 0;
  const uint64_t want = static_cast<uint64_t>(total);
  const double start = NowNs();
  while (got < want) {
    rounds++;
    while (sent < want) {
      const uint64_t left = want - sent;
      const ssize_t n = send(a, src.data(), left < src.size() ? left : src.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return ThrowErrno(env, "send", errno, a);
      }
      sent += static_cast<uint64_t>(n);
      sends++;
    }
    for (;;) {
      const ssize_t n = recv(b, dst.data(), dst.size(), MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return ThrowErrno(env, "recv", errno, b);
      }
      if (n == 0) return ThrowRange(env, fn, "the peer closed after %llu bytes", static_cast<unsigned long long>(got));
      got += static_cast<uint64_t>(n);
      recvs++;
    }
  }
  out[0] = NowNs() - start;
  out[1] = static_cast<double>(got);
  out[2] = sends;
  out[3] = recvs;
  out[4] = rounds;
  return Undefined(env);
}

// The stream floor: the same loop driven from TypeScript, one Node-API call per syscall,
// but calls that take no arguments and touch no JS object (the fds, the C-owned buffers
// and the bytes left to send live here, set by benchStreamFloorInit). A floor call costs
// the Node-API crossing and the int32 result, nothing else: floor minus C is what any
// addon pays per call at this chunk size on this machine (including V8 state the 64 KiB
// copies evicted from the caches), TS minus floor is what sockfd's argument handling adds.
struct StreamFloor {
  int a = -1, b = -1;
  uint64_t left = 0;
  std::vector<char> src, dst;
};
StreamFloor stream_floor;

// benchStreamFloorInit(a, b, chunk, total): the floor's fds, `chunk`-byte buffers (the
// source filled like C's) and `total` bytes to send.
napi_value BenchStreamFloorInit(napi_env env, napi_callback_info info) {
  static const char* fn = "benchStreamFloorInit";
  size_t argc = 4;
  napi_value v[4];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 4) return ThrowRange(env, fn, "expects 4 arguments, got %zu", argc);
  auto& f = stream_floor;
  int64_t chunk, total;
  if (!GetFd(env, v[0], fn, "a", &f.a) || !GetFd(env, v[1], fn, "b", &f.b) ||
      !GetInt(env, v[2], fn, "chunk", 1, 1 << 24, &chunk) || !GetInt(env, v[3], fn, "total", 0, 1e15, &total))
    return nullptr;
  f.src.assign(static_cast<size_t>(chunk), 's');
  f.dst.assign(static_cast<size_t>(chunk), 0);
  f.left = static_cast<uint64_t>(total);
  return Undefined(env);
}

// benchStreamFloorSend() -> n | -errno: send(a, src, min(chunk, left), MSG_DONTWAIT |
// MSG_NOSIGNAL), the call the sync cell's trySend makes.
napi_value BenchStreamFloorSend(napi_env env, napi_callback_info) {
  auto& f = stream_floor;
  const size_t len = f.left < f.src.size() ? static_cast<size_t>(f.left) : f.src.size();
  const ssize_t n = send(f.a, f.src.data(), len, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) return Int(env, -errno);
  f.left -= static_cast<uint64_t>(n);
  return Int(env, n);
}

// benchStreamFloorRecv() -> n | -errno: recv(b, dst, chunk, MSG_DONTWAIT), as tryRecv.
napi_value BenchStreamFloorRecv(napi_env env, napi_callback_info) {
  auto& f = stream_floor;
  const ssize_t n = recv(f.b, f.dst.data(), f.dst.size(), MSG_DONTWAIT);
  return Int(env, n < 0 ? -errno : n);
}

// benchDgramFill(fd, size, max) -> count: queues up to `max` datagrams of `size` bytes on
// fd with sendmmsg(2), 64 per call, MSG_DONTWAIT, until the kernel says EAGAIN (the
// peer's queue is full). The untimed half of a datagram round in bench/stream.ts: the
// receivers under test then drain what this queued.
napi_value BenchDgramFill(napi_env env, napi_callback_info info) {
  static const char* fn = "benchDgramFill";
  size_t argc = 3;
  napi_value v[3];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 3) return ThrowRange(env, fn, "expects 3 arguments, got %zu", argc);
  int fd;
  int64_t size, max;
  if (!GetFd(env, v[0], fn, "fd", &fd) || !GetInt(env, v[1], fn, "size", 1, 65507, &size) ||
      !GetInt(env, v[2], fn, "max", 0, 1e15, &max))
    return nullptr;
  constexpr unsigned kBatch = 64;
  std::vector<char> buf(static_cast<size_t>(size), 'd');
  iovec iov = {buf.data(), buf.size()};
  mmsghdr msgs[kBatch] = {};
  for (auto& m : msgs) {
    m.msg_hdr.msg_iov = &iov;
    m.msg_hdr.msg_iovlen = 1;
  }
  int64_t count = 0;
  while (count < max) {
    const int64_t left = max - count;
    const int n = sendmmsg(fd, msgs, left < kBatch ? static_cast<unsigned>(left) : kBatch, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return ThrowErrno(env, "sendmmsg", errno, fd);
    }
    count += n;
  }
  return Int(env, count);
}

// benchDgramDrain(fd, size, max, out): the C receiver of the datagram rounds: recv(2),
// one datagram per call, MSG_DONTWAIT, until EAGAIN or `max` datagrams. A datagram of any
// length but `size` is an error. out[0] = ns, out[1] = datagrams, out[2] = bytes.
napi_value BenchDgramDrain(napi_env env, napi_callback_info info) {
  static const char* fn = "benchDgramDrain";
  size_t argc = 4;
  napi_value v[4];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 4) return ThrowRange(env, fn, "expects 4 arguments, got %zu", argc);
  int fd;
  int64_t size, max;
  double* out;
  if (!GetFd(env, v[0], fn, "fd", &fd) || !GetInt(env, v[1], fn, "size", 1, 65507, &size) ||
      !GetInt(env, v[2], fn, "max", 0, 1e15, &max) || !GetOut(env, v[3], fn, 4, "a Float64Array of at least 4 elements", &out))
    return nullptr;
  std::vector<char> buf(static_cast<size_t>(size) + 1);  // +1: a longer datagram shows as one
  int64_t count = 0;
  double bytes = 0;
  const double start = NowNs();
  while (count < max) {
    const ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return ThrowErrno(env, "recv", errno, fd);
    }
    if (n != size) return ThrowRange(env, fn, "datagram %lld has %zd bytes, expected %lld", static_cast<long long>(count), n, static_cast<long long>(size));
    count++;
    bytes += static_cast<double>(n);
  }
  out[0] = NowNs() - start;
  out[1] = static_cast<double>(count);
  out[2] = bytes;
  return Undefined(env);
}

}  // namespace

void InitBenchStream(napi_env env, napi_value exports) {
  SetFunction(env, exports, "benchStreamLoop", BenchStreamLoop);
  SetFunction(env, exports, "benchStreamFloorInit", BenchStreamFloorInit);
  SetFunction(env, exports, "benchStreamFloorSend", BenchStreamFloorSend);
  SetFunction(env, exports, "benchStreamFloorRecv", BenchStreamFloorRecv);
  SetFunction(env, exports, "benchDgramFill", BenchDgramFill);
  SetFunction(env, exports, "benchDgramDrain", BenchDgramDrain);
}

}  // namespace sockfd
