// bench/overhead.cc — the C side of bench/overhead: the same calls the TypeScript side makes,
// looped in C inside this same Node process.
//
// man 2 poll, man 2 epoll_wait, man 2 select, man 2 send, man 2 recv, man 2 sendmsg,
// man 2 recvmsg, man 2 recvfrom, man 2 recvmmsg.
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
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

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

static napi_value Double(napi_env env, double x) {
  napi_value r;
  napi_create_double(env, x, &r);
  return r;
}

static napi_value PerCall(napi_env env, int64_t start, int64_t iters) {
  return Double(env, static_cast<double>(MonotonicNs() - start) / iters);
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

// overheadSendmsgRecvmsg(fd, fd2, iterations): sendmsg of one 1-byte iovec on fd, recvmsg
// of it on fd2 (no name, no control), as the TypeScript side does with msghdr/iovec.
static napi_value OverheadSendmsgRecvmsg(napi_env env, napi_callback_info info) {
  LoopArgs l;
  if (!GetLoopArgs(env, info, "overheadSendmsgRecvmsg", true, &l)) return nullptr;
  char out = 'x', in = 0;
  iovec oiov = {&out, 1}, iiov = {&in, 1};
  msghdr om = {}, im = {};
  om.msg_iov = &oiov;
  om.msg_iovlen = 1;
  im.msg_iov = &iiov;
  im.msg_iovlen = 1;
  int64_t t0 = MonotonicNs();
  for (int64_t i = 0; i < l.iters; i++) {
    if (sendmsg(l.a, &om, MSG_NOSIGNAL) != 1) return ThrowErrno(env, "sendmsg", errno ? errno : EIO);
    if (recvmsg(l.b, &im, MSG_CMSG_CLOEXEC) != 1) return ThrowErrno(env, "recvmsg", errno ? errno : EIO);
  }
  return PerCall(env, t0, l.iters);
}

// The datagram rows: `vlen` 1-byte datagrams are queued on fd (sent from its connected peer,
// untimed), then received — one recvfrom each, or one recvmmsg for all — and only the
// receiving is timed. Both return ns per datagram over `batches` batches.
static constexpr int64_t kBatchMax = 1024;

struct BatchArgs {
  int fd = -1, peer = -1;
  int64_t vlen = 0, batches = 0;
};

// (fd, peer, vlen, batches)
static bool GetBatchArgs(napi_env env, napi_callback_info info, const char* fn, BatchArgs* b) {
  Args a = GetArgs(env, info);
  return GetFd(env, a.v[0], fn, "fd", &b->fd) && GetFd(env, a.v[1], fn, "peer", &b->peer) &&
         GetInt(env, a.v[2], fn, "vlen", 1, kBatchMax, &b->vlen) &&
         GetInt(env, a.v[3], fn, "batches", 1, 1e9, &b->batches);
}

// Queues `n` 1-byte datagrams on peer's connected socket.
static bool FillDgrams(napi_env env, int peer, int64_t n) {
  const char c = 'd';
  for (int64_t i = 0; i < n; i++)
    if (send(peer, &c, 1, MSG_NOSIGNAL) != 1) {
      ThrowErrno(env, "send", errno ? errno : EIO, peer);
      return false;
    }
  return true;
}

// overheadFillDgrams(peer, n): the untimed fill of the TypeScript and floor batches.
static napi_value OverheadFillDgrams(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int peer;
  int64_t n;
  if (!GetFd(env, a.v[0], "overheadFillDgrams", "peer", &peer) ||
      !GetInt(env, a.v[1], "overheadFillDgrams", "n", 1, kBatchMax, &n) || !FillDgrams(env, peer, n))
    return nullptr;
  return Undefined(env);
}

// overheadRecvfromBatch(fd, peer, vlen, batches): vlen recvfrom calls per batch, each with a
// sockaddr_in for the sender.
static napi_value OverheadRecvfromBatch(napi_env env, napi_callback_info info) {
  BatchArgs b;
  if (!GetBatchArgs(env, info, "overheadRecvfromBatch", &b)) return nullptr;
  char c;
  sockaddr_in from;
  int64_t ns = 0;
  for (int64_t k = 0; k < b.batches; k++) {
    if (!FillDgrams(env, b.peer, b.vlen)) return nullptr;
    const int64_t t0 = MonotonicNs();
    for (int64_t i = 0; i < b.vlen; i++) {
      socklen_t len = sizeof from;
      if (recvfrom(b.fd, &c, 1, 0, reinterpret_cast<sockaddr*>(&from), &len) != 1)
        return ThrowErrno(env, "recvfrom", errno ? errno : EIO, b.fd);
    }
    ns += MonotonicNs() - t0;
  }
  return Double(env, static_cast<double>(ns) / static_cast<double>(b.batches * b.vlen));
}

// overheadRecvmmsgBatch(fd, peer, vlen, batches): one recvmmsg per batch receiving all vlen
// datagrams, each entry with a 1-byte iovec and a sockaddr_in name.
static napi_value OverheadRecvmmsgBatch(napi_env env, napi_callback_info info) {
  BatchArgs b;
  if (!GetBatchArgs(env, info, "overheadRecvmmsgBatch", &b)) return nullptr;
  mmsghdr msgs[kBatchMax];
  iovec iov[kBatchMax];
  char bytes[kBatchMax];
  sockaddr_in names[kBatchMax];
  const unsigned vlen = static_cast<unsigned>(b.vlen);
  int64_t ns = 0;
  for (int64_t k = 0; k < b.batches; k++) {
    if (!FillDgrams(env, b.peer, b.vlen)) return nullptr;
    const int64_t t0 = MonotonicNs();
    // The entries are set up inside the timed part, as a C program reusing them would reset
    // the value-result msg_namelen before each call.
    for (unsigned i = 0; i < vlen; i++) {
      iov[i] = {&bytes[i], 1};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_name = &names[i];
      msgs[i].msg_hdr.msg_namelen = sizeof names[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int got = recvmmsg(b.fd, msgs, vlen, MSG_CMSG_CLOEXEC, nullptr);
    ns += MonotonicNs() - t0;
    if (got < 0) return ThrowErrno(env, "recvmmsg", errno, b.fd);
    if (static_cast<unsigned>(got) != vlen)
      return ThrowRange(env, "overheadRecvmmsgBatch", "recvmmsg returned %d of %u datagrams", got, vlen);
  }
  return Double(env, static_cast<double>(ns) / static_cast<double>(b.batches * b.vlen));
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
  // sendmsg/recvmsg and the datagram floors (overheadFloorInitMsg)
  int ma = -1, mb = -1, dgram = -1;
  unsigned vlen = 0;
  iovec oiov, iiov;
  msghdr om, im;
  char out, in;
  sockaddr_in from;
  mmsghdr msgs[kBatchMax];
  iovec iov[kBatchMax];
  char bytes[kBatchMax];
  sockaddr_in names[kBatchMax];
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

// overheadFloorInitMsg(sendmsgFd, recvmsgFd, dgramFd, vlen)
static napi_value OverheadFloorInitMsg(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  auto& f = floor_state;
  int64_t vlen;
  if (!GetFd(env, a.v[0], "overheadFloorInitMsg", "a", &f.ma) ||
      !GetFd(env, a.v[1], "overheadFloorInitMsg", "b", &f.mb) ||
      !GetFd(env, a.v[2], "overheadFloorInitMsg", "dgram", &f.dgram) ||
      !GetInt(env, a.v[3], "overheadFloorInitMsg", "vlen", 1, kBatchMax, &vlen))
    return nullptr;
  f.vlen = static_cast<unsigned>(vlen);
  f.out = 'x';
  f.oiov = {&f.out, 1};
  f.iiov = {&f.in, 1};
  f.om = {};
  f.om.msg_iov = &f.oiov;
  f.om.msg_iovlen = 1;
  f.im = {};
  f.im.msg_iov = &f.iiov;
  f.im.msg_iovlen = 1;
  return Undefined(env);
}

static napi_value FloorSendmsg(napi_env env, napi_callback_info) {
  return Int(env, sendmsg(floor_state.ma, &floor_state.om, MSG_NOSIGNAL));
}
static napi_value FloorRecvmsg(napi_env env, napi_callback_info) {
  return Int(env, recvmsg(floor_state.mb, &floor_state.im, MSG_CMSG_CLOEXEC));
}
static napi_value FloorRecvfrom(napi_env env, napi_callback_info) {
  auto& f = floor_state;
  socklen_t len = sizeof f.from;
  return Int(env, recvfrom(f.dgram, &f.c, 1, 0, reinterpret_cast<sockaddr*>(&f.from), &len));
}
// One recvmmsg of vlen datagrams (the entries reset as in the C loop).
static napi_value FloorRecvmmsg(napi_env env, napi_callback_info) {
  auto& f = floor_state;
  for (unsigned i = 0; i < f.vlen; i++) {
    f.iov[i] = {&f.bytes[i], 1};
    f.msgs[i].msg_hdr = {};
    f.msgs[i].msg_hdr.msg_name = &f.names[i];
    f.msgs[i].msg_hdr.msg_namelen = sizeof f.names[i];
    f.msgs[i].msg_hdr.msg_iov = &f.iov[i];
    f.msgs[i].msg_hdr.msg_iovlen = 1;
  }
  return Int(env, recvmmsg(f.dgram, f.msgs, f.vlen, MSG_CMSG_CLOEXEC, nullptr));
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
  SetFunction(env, exports, "overheadSendmsgRecvmsg", OverheadSendmsgRecvmsg);
  SetFunction(env, exports, "overheadFillDgrams", OverheadFillDgrams);
  SetFunction(env, exports, "overheadRecvfromBatch", OverheadRecvfromBatch);
  SetFunction(env, exports, "overheadRecvmmsgBatch", OverheadRecvmmsgBatch);
  SetFunction(env, exports, "overheadFloorInitMsg", OverheadFloorInitMsg);
  SetFunction(env, exports, "floorSendmsg", FloorSendmsg);
  SetFunction(env, exports, "floorRecvmsg", FloorRecvmsg);
  SetFunction(env, exports, "floorRecvfrom", FloorRecvfrom);
  SetFunction(env, exports, "floorRecvmmsg", FloorRecvmmsg);
}

}  // namespace sockfd
