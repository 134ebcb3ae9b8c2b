// bench/overhead.cc — the C side of bench/overhead: the same calls the TypeScript side makes,
// looped in C inside this same Node process.
//
// man 2 poll, man 2 epoll_wait, man 2 select, man 2 send, man 2 recv.
//
// Why in-process: Node runs several threads, which makes every fd-taking syscall pay for
// fdget on a shared fd table (DESIGN.md "Traps"). A standalone C program would
// not pay it and would flatter C. Looping here, on the same fds, makes the ratio measure
// only what the binding adds: the JS -> native transition, argument checks, the result.
//
// Each loop returns nanoseconds per call (CLOCK_MONOTONIC), or throws the first error that
// a correct run would not meet.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "../wait.h"
#include "bench.h"

namespace sockfd {

struct LoopArgs {
  int a = -1, b = -1;
  int64_t iters = 0;
};

// (fd [, fd2], iterations)
static bool GetLoopArgs(napi_env env, napi_callback_info info, const char* fn, bool two,
                        LoopArgs* l) {
  Args a = GetArgs(env, info);
  if (!GetFd(env, a.v[0], fn, "fd", &l->a)) return false;
  if (two && !GetFd(env, a.v[1], fn, "fd2", &l->b)) return false;
  return GetInt(env, a.v[two ? 2 : 1], fn, "iterations", 1, 1e9, &l->iters);
}

static napi_value PerCall(napi_env env, int64_t start, int64_t iters) {
  napi_value r;
  napi_create_double(env, static_cast<double>(MonotonicNs() - start) / iters, &r);
  return r;
}

// overheadPoll(fd, iterations): poll(&{fd, POLLIN}, 1, 0) on a ready fd.
static napi_value OverheadPoll(napi_env env, napi_callback_info info) {
  LoopArgs l;
  if (!GetLoopArgs(env, info, "overheadPoll", false, &l)) return nullptr;
  pollfd p = {l.a, POLLIN, 0};
  int64_t t0 = MonotonicNs();
  for (int64_t i = 0; i < l.iters; i++) {
    if (poll(&p, 1, 0) != 1) return ThrowErrno(env, "poll", errno ? errno : EIO);
  }
  return PerCall(env, t0, l.iters);
}

// overheadEpollWait(epfd, iterations): epoll_wait(epfd, ev, 1, 0) with one ready fd.
static napi_value OverheadEpollWait(napi_env env, napi_callback_info info) {
  LoopArgs l;
  if (!GetLoopArgs(env, info, "overheadEpollWait", false, &l)) return nullptr;
  epoll_event ev[1];
  int64_t t0 = MonotonicNs();
  for (int64_t i = 0; i < l.iters; i++) {
    if (epoll_wait(l.a, ev, 1, 0) != 1) return ThrowErrno(env, "epoll_wait", errno ? errno : EIO);
  }
  return PerCall(env, t0, l.iters);
}

// overheadSelect(fd, iterations): select(fd + 1, {fd}, NULL, NULL, &{0, 0}) on a ready fd;
// the set keeps its bit because the fd stays ready, as on the TypeScript side.
static napi_value OverheadSelect(napi_env env, napi_callback_info info) {
  LoopArgs l;
  if (!GetLoopArgs(env, info, "overheadSelect", false, &l)) return nullptr;
  if (l.a >= FD_SETSIZE) return ThrowRange(env, "overheadSelect", "fd must be < FD_SETSIZE");
  fd_set r;
  memset(&r, 0, sizeof r);
  reinterpret_cast<unsigned long*>(&r)[l.a / (8 * sizeof(long))] |= 1UL << (l.a % (8 * sizeof(long)));
  timeval tv = {0, 0};
  int64_t t0 = MonotonicNs();
  for (int64_t i = 0; i < l.iters; i++) {
    if (select(l.a + 1, &r, nullptr, nullptr, &tv) != 1)
      return ThrowErrno(env, "select", errno ? errno : EIO);
  }
  return PerCall(env, t0, l.iters);
}

// overheadSendRecv(fd, fd2, iterations): send 1 byte on fd, recv it on fd2.
static napi_value OverheadSendRecv(napi_env env, napi_callback_info info) {
  LoopArgs l;
  if (!GetLoopArgs(env, info, "overheadSendRecv", true, &l)) return nullptr;
  char c = 'x';
  int64_t t0 = MonotonicNs();
  for (int64_t i = 0; i < l.iters; i++) {
    if (send(l.a, &c, 1, MSG_NOSIGNAL) != 1) return ThrowErrno(env, "send", errno ? errno : EIO);
    if (recv(l.b, &c, 1, 0) != 1) return ThrowErrno(env, "recv", errno ? errno : EIO);
  }
  return PerCall(env, t0, l.iters);
}

// overheadRecvEagain(fd, iterations): recv on an empty non-blocking socket, which fails
// with EAGAIN every time.
static napi_value OverheadRecvEagain(napi_env env, napi_callback_info info) {
  LoopArgs l;
  if (!GetLoopArgs(env, info, "overheadRecvEagain", false, &l)) return nullptr;
  char c;
  int64_t t0 = MonotonicNs();
  for (int64_t i = 0; i < l.iters; i++) {
    if (recv(l.a, &c, 1, 0) != -1 || (errno != EAGAIN && errno != EWOULDBLOCK))
      return ThrowErrno(env, "recv", errno ? errno : EIO);
  }
  return PerCall(env, t0, l.iters);
}

// ---------------------------------------------------------------------------------------
// The floor: the least any Node-API binding can cost. Each floor function is called from a
// TypeScript loop like the public API, but reads no arguments (its fds were fixed once by
// overheadFloorInit) and makes the same syscall. TS-floor minus C is what no binding code can
// remove: the JS -> native transition, plus the syscall itself running slower between
// V8's code than in a tight C loop. Public-API minus floor is what sockfd's own argument
// handling costs. Process-wide statics: these exist for the benchmark only.
static struct {
  int ready = -1, epfd = -1, a = -1, b = -1, empty = -1;
  pollfd p;
  fd_set set;
  timeval tv;
  epoll_event ev[1];
  char c;
} floor_state;

// overheadFloorInit(readyFd, epfd, sendFd, recvFd, emptyNonblockingFd)
static napi_value OverheadFloorInit(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  auto& f = floor_state;
  if (!GetFd(env, a.v[0], "overheadFloorInit", "ready", &f.ready) ||
      !GetFd(env, a.v[1], "overheadFloorInit", "epfd", &f.epfd) ||
      !GetFd(env, a.v[2], "overheadFloorInit", "a", &f.a) ||
      !GetFd(env, a.v[3], "overheadFloorInit", "b", &f.b) ||
      !GetFd(env, a.v[4], "overheadFloorInit", "empty", &f.empty))
    return nullptr;
  if (f.ready >= FD_SETSIZE) return ThrowRange(env, "overheadFloorInit", "ready must be < FD_SETSIZE");
  f.p = {f.ready, POLLIN, 0};
  memset(&f.set, 0, sizeof f.set);
  reinterpret_cast<unsigned long*>(&f.set)[f.ready / (8 * sizeof(long))] |=
      1UL << (f.ready % (8 * sizeof(long)));
  f.tv = {0, 0};
  return Undefined(env);
}

static napi_value FloorPoll(napi_env env, napi_callback_info) {
  return Int(env, poll(&floor_state.p, 1, 0));
}
static napi_value FloorEpollWait(napi_env env, napi_callback_info) {
  return Int(env, epoll_wait(floor_state.epfd, floor_state.ev, 1, 0));
}
static napi_value FloorSelect(napi_env env, napi_callback_info) {
  auto& f = floor_state;
  return Int(env, select(f.ready + 1, &f.set, nullptr, nullptr, &f.tv));
}
static napi_value FloorSend(napi_env env, napi_callback_info) {
  return Int(env, send(floor_state.a, &floor_state.c, 1, MSG_NOSIGNAL));
}
static napi_value FloorRecv(napi_env env, napi_callback_info) {
  return Int(env, recv(floor_state.b, &floor_state.c, 1, 0));
}
static napi_value FloorRecvEagain(napi_env env, napi_callback_info) {
  ssize_t r = recv(floor_state.empty, &floor_state.c, 1, 0);
  return Int(env, r < 0 ? -errno : r);
}

void InitBenchOverhead(napi_env env, napi_value exports) {
  SetFunction(env, exports, "overheadFloorInit", OverheadFloorInit);
  SetFunction(env, exports, "floorPoll", FloorPoll);
  SetFunction(env, exports, "floorEpollWait", FloorEpollWait);
  SetFunction(env, exports, "floorSelect", FloorSelect);
  SetFunction(env, exports, "floorSend", FloorSend);
  SetFunction(env, exports, "floorRecv", FloorRecv);
  SetFunction(env, exports, "floorRecvEagain", FloorRecvEagain);
  SetFunction(env, exports, "overheadPoll", OverheadPoll);
  SetFunction(env, exports, "overheadEpollWait", OverheadEpollWait);
  SetFunction(env, exports, "overheadSelect", OverheadSelect);
  SetFunction(env, exports, "overheadSendRecv", OverheadSendRecv);
  SetFunction(env, exports, "overheadRecvEagain", OverheadRecvEagain);
}

}  // namespace sockfd
