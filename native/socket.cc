// socket.cc — creating, naming, connecting and closing sockets.
//
// man 2 socket, socketpair, bind, listen, accept (accept4), connect, shutdown, close,
// getsockname, getpeername.
//
// Every fd created here is close-on-exec (SOCK_CLOEXEC is always added, accept is
// accept4 with SOCK_CLOEXEC): a child process spawned by Node must not inherit a
// listening socket. The C way to opt out, fcntl(fd, F_SETFD, 0), works.
//
// The try* variants return -EAGAIN (tryConnect also -EINPROGRESS) instead of throwing:
// a non-blocking loop meets EAGAIN on every drain, and a thrown Error costs microseconds.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

namespace sockfd {

namespace {

bool IsWouldBlock(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

napi_value Socket(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int domain, type, protocol;
  if (!GetInt32(env, a.v[0], "socket", "domain", &domain) ||
      !GetInt32(env, a.v[1], "socket", "type", &type) ||
      !GetInt32(env, a.v[2], "socket", "protocol", &protocol))
    return nullptr;
  int fd = RetryEintr([&] { return socket(domain, type | SOCK_CLOEXEC, protocol); });
  if (fd < 0) return ThrowErrno(env, "socket", errno);
  return Int(env, fd);
}

napi_value Socketpair(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int domain, type, protocol;
  if (!GetInt32(env, a.v[0], "socketpair", "domain", &domain) ||
      !GetInt32(env, a.v[1], "socketpair", "type", &type) ||
      !GetInt32(env, a.v[2], "socketpair", "protocol", &protocol))
    return nullptr;
  napi_typedarray_type t;
  size_t n;
  void* data;
  if (napi_get_typedarray_info(env, a.v[3], &t, &n, &data, nullptr, nullptr) != napi_ok ||
      t != napi_int32_array)
    return ThrowType(env, "socketpair", "sv", "an Int32Array", a.v[3]);
  if (n < 2) return ThrowRange(env, "socketpair", "sv must hold 2 ints, has %zu", n);
  int sv[2];
  int r = RetryEintr([&] { return socketpair(domain, type | SOCK_CLOEXEC, protocol, sv); });
  if (r < 0) return ThrowErrno(env, "socketpair", errno);
  static_cast<int32_t*>(data)[0] = sv[0];
  static_cast<int32_t*>(data)[1] = sv[1];
  return Int(env, 0);
}

napi_value Bind(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  const sockaddr* addr;
  socklen_t len;
  if (!GetFd(env, a.v[0], "bind", "fd", &fd) ||
      !GetAddrIn(env, a.v[1], a.v[2], "bind", &addr, &len))
    return nullptr;
  if (RetryEintr([&] { return bind(fd, addr, len); }) < 0)
    return ThrowErrno(env, "bind", errno, fd);
  return Int(env, 0);
}

napi_value Listen(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, backlog;
  if (!GetFd(env, a.v[0], "listen", "fd", &fd) ||
      !GetInt32(env, a.v[1], "listen", "backlog", &backlog))
    return nullptr;
  if (listen(fd, backlog) < 0) return ThrowErrno(env, "listen", errno, fd);
  return Int(env, 0);
}

// accept / accept4 / tryAccept / tryAccept4: (fd, addr?, addrlen?, flags?)
template <bool kTry, bool kFlags>
napi_value Accept(napi_env env, napi_callback_info info) {
  const char* fn = kFlags ? "accept4" : "accept";
  Args a = GetArgs(env, info);
  int fd;
  AddrOut out;
  uint32_t flags = 0;
  if (!GetFd(env, a.v[0], fn, "fd", &fd) || !GetAddrOut(env, a.v[1], a.v[2], fn, &out))
    return nullptr;
  if (kFlags && !GetFlags(env, a.v[3], fn, "flags", &flags)) return nullptr;
  int r = RetryEintr(
      [&] { return accept4(fd, out.addr, out.len_ptr(), static_cast<int>(flags) | SOCK_CLOEXEC); });
  if (r < 0) {
    int e = errno;
    if (kTry && IsWouldBlock(e)) return Int(env, -EAGAIN);
    return ThrowErrno(env, fn, e, fd);
  }
  out.Store();
  return Int(env, r);
}

// A blocking connect interrupted by a signal keeps connecting in the background; calling
// connect again would fail with EALREADY. Wait for the outcome instead, as the man page
// describes for EINPROGRESS, and report it.
int FinishInterruptedConnect(int fd) {
  pollfd p = {fd, POLLOUT, 0};
  if (RetryEintr([&] { return poll(&p, 1, -1); }) < 0) return errno;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}

template <bool kTry>
napi_value Connect(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  const sockaddr* addr;
  socklen_t len;
  if (!GetFd(env, a.v[0], "connect", "fd", &fd) ||
      !GetAddrIn(env, a.v[1], a.v[2], "connect", &addr, &len))
    return nullptr;
  int e = connect(fd, addr, len) < 0 ? errno : 0;
  if (e == EINTR) e = FinishInterruptedConnect(fd);
  if (e != 0) {
    if (kTry && (e == EINPROGRESS || IsWouldBlock(e))) return Int(env, -e);
    return ThrowErrno(env, "connect", e, fd);
  }
  return Int(env, 0);
}

napi_value Shutdown(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, how;
  if (!GetFd(env, a.v[0], "shutdown", "fd", &fd) ||
      !GetInt32(env, a.v[1], "shutdown", "how", &how))
    return nullptr;
  if (shutdown(fd, how) < 0) return ThrowErrno(env, "shutdown", errno, fd);
  return Int(env, 0);
}

// close is never retried: Linux releases the fd number even when close reports EINTR, so a
// retry could close an unrelated fd another thread just opened. EINTR is therefore
// reported as success.
napi_value Close(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  if (!GetFd(env, a.v[0], "close", "fd", &fd)) return nullptr;
  WatchBeforeClose(env, fd);
  if (close(fd) < 0 && errno != EINTR) return ThrowErrno(env, "close", errno, fd);
  return Int(env, 0);
}

template <int (*kCall)(int, sockaddr*, socklen_t*)>
napi_value GetName(napi_env env, napi_callback_info info, const char* fn) {
  Args a = GetArgs(env, info);
  int fd;
  AddrOut out;
  if (!GetFd(env, a.v[0], fn, "fd", &fd) || !GetAddrOut(env, a.v[1], a.v[2], fn, &out))
    return nullptr;
  if (out.addr == nullptr) return ThrowType(env, fn, "addr", "a sockaddr buffer", a.v[1]);
  if (kCall(fd, out.addr, &out.len) < 0) return ThrowErrno(env, fn, errno, fd);
  out.Store();
  return Int(env, 0);
}

int SockName(int fd, sockaddr* a, socklen_t* l) { return getsockname(fd, a, l); }
int PeerName(int fd, sockaddr* a, socklen_t* l) { return getpeername(fd, a, l); }
napi_value Getsockname(napi_env env, napi_callback_info info) {
  return GetName<SockName>(env, info, "getsockname");
}
napi_value Getpeername(napi_env env, napi_callback_info info) {
  return GetName<PeerName>(env, info, "getpeername");
}

}  // namespace

void InitSocket(napi_env env, napi_value exports) {
  SetFunction(env, exports, "socket", Socket);
  SetFunction(env, exports, "socketpair", Socketpair);
  SetFunction(env, exports, "bind", Bind);
  SetFunction(env, exports, "listen", Listen);
  SetFunction(env, exports, "accept", Accept<false, false>);
  SetFunction(env, exports, "accept4", Accept<false, true>);
  SetFunction(env, exports, "tryAccept", Accept<true, false>);
  SetFunction(env, exports, "tryAccept4", Accept<true, true>);
  SetFunction(env, exports, "connect", Connect<false>);
  SetFunction(env, exports, "tryConnect", Connect<true>);
  SetFunction(env, exports, "shutdown", Shutdown);
  SetFunction(env, exports, "close", Close);
  SetFunction(env, exports, "getsockname", Getsockname);
  SetFunction(env, exports, "getpeername", Getpeername);
}

}  // namespace sockfd
