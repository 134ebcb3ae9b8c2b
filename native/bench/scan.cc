// bench/scan.cc — the C side of bench/scan.ts: one multiplexer call over N fds that are all
// ready, then the scan of its result, as a C program writes it (fds[i].revents,
// events[i].data.fd, FD_ISSET), looped in this same Node process (sockfd_bench.so).
//
// man 2 poll, man 2 epoll_wait, man 2 select.
//
// In-process for the reason native/bench/overhead.cc gives (Node's threads make every fd-taking
// syscall pay for a shared fd table). Each loop checks every round's count, as the TS side
// does, and returns nanoseconds per round (CLOCK_MONOTONIC).
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include <vector>

#include "../wait.h"
#include "bench.h"

namespace sockfd {
namespace {

// (fds: Int32Array of fds, all readable, each < FD_SETSIZE for select; iterations)
bool GetScanArgs(napi_env env, napi_callback_info info, const char* fn, std::vector<int>* fds,
                 int64_t* iters) {
  Args a = GetArgs(env, info);
  if (!GetInt(env, a.v[1], fn, "iterations", 1, 1e9, iters)) return false;
  bool is = false;
  napi_is_typedarray(env, a.v[0], &is);
  napi_typedarray_type type = napi_uint8_array;
  size_t len = 0;
  void* p = nullptr;
  if (is) napi_get_typedarray_info(env, a.v[0], &type, &len, &p, nullptr, nullptr);
  if (!is || type != napi_int32_array || len == 0) {
    ThrowType(env, fn, "fds", "a non-empty Int32Array", a.v[0]);
    return false;
  }
  const int32_t* d = static_cast<const int32_t*>(p);
  fds->assign(d, d + len);
  for (int fd : *fds) {
    if (fd < 0 || fd >= FD_SETSIZE) {
      ThrowRange(env, fn, "fds must each be in [0, %d), got %d", FD_SETSIZE, fd);
      return false;
    }
  }
  return true;
}

napi_value PerRound(napi_env env, int64_t start, int64_t iters) {
  napi_value r;
  napi_create_double(env, static_cast<double>(MonotonicNs() - start) / iters, &r);
  return r;
}

napi_value Miscount(napi_env env, const char* fn) {
  napi_throw_error(env, "ERR_SOCKFD_BENCH_VERIFY", fn);
  return nullptr;
}

// benchScanPoll(fds, iterations): poll(fds, n, 0), then count the entries whose revents has POLLIN.
napi_value BenchScanPoll(napi_env env, napi_callback_info info) {
  std::vector<int> fds;
  int64_t iters = 0;
  if (!GetScanArgs(env, info, "benchScanPoll", &fds, &iters)) return nullptr;
  const int n = static_cast<int>(fds.size());
  std::vector<pollfd> p(n);
  for (int i = 0; i < n; i++) p[i] = {fds[i], POLLIN, 0};
  int64_t t0 = MonotonicNs();
  for (int64_t r = 0; r < iters; r++) {
    int k = poll(p.data(), n, 0);
    int seen = 0;
    for (int i = 0; i < n; i++) {
      if (p[i].revents & POLLIN) seen++;
    }
    if (k != n || seen != n) return Miscount(env, "benchScanPoll: not every fd was ready");
  }
  return PerRound(env, t0, iters);
}

// benchScanEpoll(epfd, n, iterations): epoll_wait(epfd, ev, n, 0), then sum each event's
// data.fd whose events has EPOLLIN (the fds were added with data.fd = fd).
napi_value BenchScanEpoll(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int epfd = -1;
  int64_t n = 0, iters = 0, expect = 0;
  if (!GetFd(env, a.v[0], "benchScanEpoll", "epfd", &epfd) ||
      !GetInt(env, a.v[1], "benchScanEpoll", "n", 1, 1 << 20, &n) ||
      !GetInt(env, a.v[2], "benchScanEpoll", "fdSum", 0, 1e15, &expect) ||
      !GetInt(env, a.v[3], "benchScanEpoll", "iterations", 1, 1e9, &iters)) {
    return nullptr;
  }
  std::vector<epoll_event> ev(n);
  int64_t t0 = MonotonicNs();
  for (int64_t r = 0; r < iters; r++) {
    int k = epoll_wait(epfd, ev.data(), static_cast<int>(n), 0);
    int64_t sum = 0;
    for (int i = 0; i < k; i++) {
      if (ev[i].events & EPOLLIN) sum += ev[i].data.fd;
    }
    if (k != n || sum != expect) return Miscount(env, "benchScanEpoll: not every fd was ready");
  }
  return PerRound(env, t0, iters);
}

// benchScanSelect(fds, iterations): rset = master; select(maxfd + 1, &rset, 0, 0, {0, 0});
// then FD_ISSET for every fd up to the highest. The fds are below FD_SETSIZE (checked), so
// glibc's macros are safe here.
napi_value BenchScanSelect(napi_env env, napi_callback_info info) {
  std::vector<int> fds;
  int64_t iters = 0;
  if (!GetScanArgs(env, info, "benchScanSelect", &fds, &iters)) return nullptr;
  fd_set master;
  FD_ZERO(&master);
  int maxfd = 0;
  for (int fd : fds) {
    FD_SET(fd, &master);
    if (fd > maxfd) maxfd = fd;
  }
  const int n = static_cast<int>(fds.size());
  int64_t t0 = MonotonicNs();
  for (int64_t r = 0; r < iters; r++) {
    fd_set rset = master;
    timeval tv = {0, 0};
    int k = select(maxfd + 1, &rset, nullptr, nullptr, &tv);
    int seen = 0;
    for (int fd = 0; fd <= maxfd; fd++) {
      if (FD_ISSET(fd, &rset)) seen++;
    }
    if (k != n || seen != n) return Miscount(env, "benchScanSelect: not every fd was ready");
  }
  return PerRound(env, t0, iters);
}

}  // namespace

void InitBenchScan(napi_env env, napi_value exports) {
  SetFunction(env, exports, "benchScanPoll", BenchScanPoll);
  SetFunction(env, exports, "benchScanEpoll", BenchScanEpoll);
  SetFunction(env, exports, "benchScanSelect", BenchScanSelect);
}

}  // namespace sockfd
