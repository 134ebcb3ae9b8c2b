// bench.cc — the C side of `sockfd bench`: the benchmark loops written in C, run inside
// this addon, in the same process as the TypeScript drivers they are compared with.
//
// man 2 select, man 2 poll, man 7 epoll, man 2 epoll_wait, man 2 send, man 2 recv,
// man 2 setrlimit, man 2 clock_gettime.
//
// Why inside the addon and not a separate C program: Node runs several threads, so every
// syscall that takes an fd pays for fdget on a shared fd table (DESIGN.md "Traps").
// A single-threaded C binary would be faster for reasons that have nothing to do with the
// binding; the same loop in the same process makes the TS/C ratio measure sockfd alone.
//
// Each call runs one bounded batch of rounds that the harness sized from a warm-up, so the
// JS thread is never blocked longer than a sample needs. Every round checks that the ready
// set the kernel reported equals the set that was written, exactly as the TS drivers do:
// neither language can post a fast number from a loop that skipped work.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <vector>

#include "common.h"

namespace sockfd {
namespace {

enum Method { kSelect = 0, kPoll = 1, kEpoll = 2 };

inline double NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

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

// An Int32Array argument: its elements. Anything else is a TypeError.
bool GetInt32s(napi_env env, napi_value v, const char* fn, const char* param, int32_t** data,
               size_t* len) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type = napi_uint8_array;
  void* p = nullptr;
  if (is) napi_get_typedarray_info(env, v, &type, len, &p, nullptr, nullptr);
  if (!is || type != napi_int32_array) {
    ThrowType(env, fn, param, "an Int32Array", v);
    return false;
  }
  *data = static_cast<int32_t*>(p);
  return true;
}

bool GetFloat64s(napi_env env, napi_value v, const char* fn, const char* param, size_t min,
                 double** data) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type = napi_uint8_array;
  size_t len = 0;
  void* p = nullptr;
  if (is) napi_get_typedarray_info(env, v, &type, &len, &p, nullptr, nullptr);
  if (!is || type != napi_float64_array || len < min) {
    ThrowType(env, fn, param, "a Float64Array of at least 2 elements", v);
    return false;
  }
  *data = static_cast<double*>(p);
  return true;
}

// The fd -> connection index table every method uses to map a ready fd back to the
// connection it belongs to (-1: not one of ours).
std::vector<int32_t> IndexByFd(const int32_t* rfds, size_t n, int maxfd) {
  std::vector<int32_t> idx(static_cast<size_t>(maxfd) + 1, -1);
  for (size_t i = 0; i < n; i++) idx[static_cast<size_t>(rfds[i])] = static_cast<int32_t>(i);
  return idx;
}

const char* const kNames[] = {"select", "poll", "epoll_wait"};

// Reads the one byte a round wrote. Anything but exactly one byte means the loop is broken
// (a byte left over from an earlier round, or a connection reported ready with nothing).
bool ReadOne(napi_env env, int fd, char* buf, size_t cap) {
  const ssize_t got = recv(fd, buf, cap, 0);
  if (got < 0) {
    ThrowErrno(env, "recv", errno, fd);
    return false;
  }
  if (got != 1) {
    Fail(env, "C loop: recv on fd %d returned %zd bytes, expected 1", fd, got);
    return false;
  }
  return true;
}

// benchScale(method, epfd, rfds, wfds, active, rounds, roundBase, timeout, out)
//
// One batch of `rounds` rounds. A round writes one byte to `active` connections (the same
// choice as bench/drivers.ts: offset (round * 7919) % N, stride floor(N / active)), makes
// one multiplexer call over the N read ends, then reads each ready connection. out[0] is
// the batch's wall time in ns, out[1] the time spent inside the multiplexer call.
// `epfd` (epoll only) must already watch every rfd with EPOLLIN and data.fd = the fd; the
// harness passes the instance the TypeScript driver set up, so both loops wait on the same
// kernel object (two instances on the same sockets would double every wake-up callback).
napi_value BenchScale(napi_env env, napi_callback_info info) {
  static const char* fn = "benchScale";
  size_t argc = 9;
  napi_value v[9];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 9) return ThrowRange(env, fn, "expects 9 arguments, got %zu", argc);
  int64_t method, epfd, active, rounds, base, timeout;
  int32_t *rfds, *wfds;
  size_t n, nw;
  double* out;
  if (!GetInt(env, v[0], fn, "method", 0, 2, &method) ||
      !GetInt(env, v[1], fn, "epfd", -1, INT_MAX, &epfd) ||
      !GetInt32s(env, v[2], fn, "rfds", &rfds, &n) ||
      !GetInt32s(env, v[3], fn, "wfds", &wfds, &nw) ||
      !GetInt(env, v[4], fn, "active", 1, static_cast<double>(n), &active) ||
      !GetInt(env, v[5], fn, "rounds", 1, 1e9, &rounds) ||
      !GetInt(env, v[6], fn, "roundBase", 0, 1e12, &base) ||
      !GetInt(env, v[7], fn, "timeout", -1, 0, &timeout) ||
      !GetFloat64s(env, v[8], fn, "out", 2, &out))
    return nullptr;
  if (n == 0 || nw != n) return ThrowRange(env, fn, "rfds and wfds must be the same non-zero length");
  if (method == kEpoll && epfd < 0) return ThrowRange(env, fn, "epoll needs an epfd");

  int maxfd = 0;
  for (size_t i = 0; i < n; i++) {
    if (rfds[i] < 0 || wfds[i] < 0) return ThrowRange(env, fn, "fds must be >= 0");
    if (rfds[i] > maxfd) maxfd = rfds[i];
  }
  // glibc's FD_SET on fd >= FD_SETSIZE is undefined behaviour (DESIGN.md "Traps").
  if (method == kSelect && maxfd >= FD_SETSIZE)
    return ThrowRange(env, fn, "select: fd %d >= FD_SETSIZE (%d)", maxfd, FD_SETSIZE);

  const std::vector<int32_t> idx = IndexByFd(rfds, n, maxfd);
  std::vector<uint8_t> written(n, 0);
  const size_t A = static_cast<size_t>(active);
  const size_t stride = n / A;
  std::vector<pollfd> pfds;
  std::vector<epoll_event> events;
  fd_set master;
  FD_ZERO(&master);
  if (method == kPoll) {
    pfds.resize(n);
    for (size_t i = 0; i < n; i++) pfds[i] = pollfd{rfds[i], POLLIN, 0};
  } else if (method == kEpoll) {
    events.resize(n);
  } else {
    for (size_t i = 0; i < n; i++) FD_SET(rfds[i], &master);
  }
  const char byte = 'x';
  char buf[16];
  double mux = 0;

  const double start = NowNs();
  for (int64_t r = 0; r < rounds; r++) {
    const size_t off = static_cast<size_t>(((base + r) * 7919) % static_cast<int64_t>(n));
    for (size_t k = 0; k < A; k++) {
      const size_t i = (off + k * stride) % n;
      written[i] = 1;
      if (send(wfds[i], &byte, 1, MSG_NOSIGNAL) != 1) return ThrowErrno(env, "send", errno, wfds[i]);
    }
    size_t found = 0;
    int ready;
    const double t1 = NowNs();
    if (method == kPoll) {
      ready = poll(pfds.data(), n, static_cast<int>(timeout));
      mux += NowNs() - t1;
      if (ready < 0) return ThrowErrno(env, "poll", errno);
      for (size_t i = 0; i < n; i++) {
        if (pfds[i].revents == 0) continue;
        if (!(pfds[i].revents & POLLIN) || !written[i])
          return Fail(env, "C poll: round %lld reported fd %d (revents 0x%x) that was not written",
                      static_cast<long long>(base + r), pfds[i].fd, pfds[i].revents);
        written[i] = 0;
        found++;
        if (!ReadOne(env, rfds[i], buf, sizeof buf)) return nullptr;
      }
    } else if (method == kEpoll) {
      ready = epoll_wait(static_cast<int>(epfd), events.data(), static_cast<int>(n),
                         static_cast<int>(timeout));
      mux += NowNs() - t1;
      if (ready < 0) return ThrowErrno(env, "epoll_wait", errno);
      for (int e = 0; e < ready; e++) {
        const int fd = events[e].data.fd;
        const int32_t i = fd >= 0 && fd <= maxfd ? idx[fd] : -1;
        if (i < 0 || !written[i] || !(events[e].events & EPOLLIN))
          return Fail(env, "C epoll_wait: round %lld reported fd %d that was not written",
                      static_cast<long long>(base + r), fd);
        written[i] = 0;
        found++;
        if (!ReadOne(env, fd, buf, sizeof buf)) return nullptr;
      }
    } else {
      fd_set rset = master;
      timeval tv = {0, 0};
      ready = select(maxfd + 1, &rset, nullptr, nullptr, timeout == 0 ? &tv : nullptr);
      mux += NowNs() - t1;
      if (ready < 0) return ThrowErrno(env, "select", errno);
      for (int fd = 0; fd <= maxfd; fd++) {
        if (!FD_ISSET(fd, &rset)) continue;
        const int32_t i = idx[fd];
        if (i < 0 || !written[i])
          return Fail(env, "C select: round %lld reported fd %d that was not written",
                      static_cast<long long>(base + r), fd);
        written[i] = 0;
        found++;
        if (!ReadOne(env, fd, buf, sizeof buf)) return nullptr;
      }
    }
    if (found != A || static_cast<size_t>(ready) != A)
      return Fail(env, "C %s: round %lld returned %d and reported %zu ready, but %zu were written",
                  kNames[method], static_cast<long long>(base + r), ready, found, A);
  }
  out[0] = NowNs() - start;
  out[1] = mux;
  return Undefined(env);
}

// benchPingPong(epfd, fd0, fd1, trips, timeout, out)
//
// One byte bounces between fd0 and fd1 (two ends of one connection, both watched by epfd
// with EPOLLIN and data.fd = the fd): each hop is one epoll_wait, one recv of the byte on
// the end it arrived at, one send back. out[0] = ns for `trips` round trips (2 hops each).
napi_value BenchPingPong(napi_env env, napi_callback_info info) {
  static const char* fn = "benchPingPong";
  size_t argc = 6;
  napi_value v[6];
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 6) return ThrowRange(env, fn, "expects 6 arguments, got %zu", argc);
  int epfd, fd0, fd1;
  int64_t trips, timeout;
  double* out;
  if (!GetFd(env, v[0], fn, "epfd", &epfd) || !GetFd(env, v[1], fn, "fd0", &fd0) ||
      !GetFd(env, v[2], fn, "fd1", &fd1) || !GetInt(env, v[3], fn, "trips", 1, 1e9, &trips) ||
      !GetInt(env, v[4], fn, "timeout", -1, 0, &timeout) ||
      !GetFloat64s(env, v[5], fn, "out", 1, &out))
    return nullptr;
  epoll_event events[2];
  char byte = 'p';
  const int64_t hops = trips * 2;
  const double start = NowNs();
  if (send(fd0, &byte, 1, MSG_NOSIGNAL) != 1) return ThrowErrno(env, "send", errno, fd0);
  int expect = fd1;
  for (int64_t h = 0; h < hops; h++) {
    const int ready = epoll_wait(epfd, events, 2, static_cast<int>(timeout));
    if (ready < 0) return ThrowErrno(env, "epoll_wait", errno);
    if (ready != 1 || events[0].data.fd != expect)
      return Fail(env, "C ping-pong: hop %lld: epoll_wait returned %d (fd %d), expected fd %d",
                  static_cast<long long>(h), ready, ready > 0 ? events[0].data.fd : -1, expect);
    if (!ReadOne(env, expect, &byte, 1)) return nullptr;
    if (h + 1 < hops && send(expect, &byte, 1, MSG_NOSIGNAL) != 1)
      return ThrowErrno(env, "send", errno, expect);
    expect = expect == fd0 ? fd1 : fd0;
  }
  out[0] = NowNs() - start;
  return Undefined(env);
}

napi_value NofileResult(napi_env env, const rlimit& rl, int err) {
  napi_value o, soft, hard, e;
  napi_create_object(env, &o);
  napi_create_double(env, rl.rlim_cur == RLIM_INFINITY ? -1.0 : static_cast<double>(rl.rlim_cur), &soft);
  napi_create_double(env, rl.rlim_max == RLIM_INFINITY ? -1.0 : static_cast<double>(rl.rlim_max), &hard);
  napi_create_int32(env, err, &e);
  napi_set_named_property(env, o, "soft", soft);
  napi_set_named_property(env, o, "hard", hard);
  napi_set_named_property(env, o, "errno", e);
  return o;
}

// benchRaiseNofile(want): raises the soft RLIMIT_NOFILE to min(want, hard) if it is lower;
// never touches the hard limit. Returns {soft, hard, errno} after the attempt (-1 means
// unlimited; errno 0 unless setrlimit failed). Node has no setrlimit of its own.
napi_value BenchRaiseNofile(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int64_t want;
  if (!GetInt(env, a.v[0], "benchRaiseNofile", "want", 0, 1e9, &want)) return nullptr;
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ThrowErrno(env, "getrlimit", errno);
  int err = 0;
  const rlim_t w = static_cast<rlim_t>(want);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < w) {
    rlimit next = rl;
    next.rlim_cur = rl.rlim_max == RLIM_INFINITY || w < rl.rlim_max ? w : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &next) < 0)
      err = errno;
    else
      rl = next;
  }
  return NofileResult(env, rl, err);
}

}  // namespace

void InitBenchUring(napi_env env, napi_value exports);  // bench_uring.cc
void InitBench(napi_env env, napi_value exports) {
  InitBenchUring(env, exports);
  SetFunction(env, exports, "benchScale", BenchScale);
  SetFunction(env, exports, "benchPingPong", BenchPingPong);
  SetFunction(env, exports, "benchRaiseNofile", BenchRaiseNofile);
}

}  // namespace sockfd
