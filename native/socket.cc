// socket.cc — creating, naming, connecting and closing sockets.
//
// man 2 socket, socketpair, bind, listen, accept (accept4), connect, shutdown, close,
// getsockname, getpeername, man 7 signal.
//
// Every fd created here is close-on-exec (SOCK_CLOEXEC is always added, accept is
// accept4 with SOCK_CLOEXEC): a child process spawned by Node must not inherit a
// listening socket. The C way to opt out, fcntl(fd, F_SETFD, 0), works. Nothing throws
// after the kernel handed out an fd: every argument is checked before the syscall.
//
// The try* variants return -EAGAIN (tryConnect also -EINPROGRESS) instead of throwing:
// a non-blocking loop meets EAGAIN on every drain, and a thrown Error costs microseconds.
//
// EINTR (docs/api.md "EINTR"): nothing here is retried. socket, socketpair, bind, listen,
// shutdown, getsockname and getpeername do not block and are one syscall. accept/accept4
// follow native/eintr.h: poll first, then on a blocking socket without SO_RCVTIMEO wait in
// poll(2) so a signal throws EINTR and a JS listener can run (tryAccept/tryAccept4 are the
// one plain call, for O_NONBLOCK sockets). connect is the one plain call, exactly C: the
// kernel applies SO_SNDTIMEO (EINPROGRESS on expiry for TCP, EAGAIN for AF_UNIX) and
// reports a signal as EINTR when a timeout is set; without one it restarts the call after
// Node's (SA_RESTART) handlers, as in C. After EINTR the connection attempt goes on:
// calling connect again waits for it (EALREADY if that times out too), as in C.
// close is never retried (see Close).
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "eintr.h"

namespace sockfd {

namespace {

bool IsWouldBlock(int e) { return e == EAGAIN || e == EWOULDBLOCK; }

const char* const kSocketParams[] = {"domain", "type", "protocol", "sv"};
const char* const kAddrParams[] = {"fd", "addr", "addrlen"};
const char* const kAcceptParams[] = {"fd", "addr", "addrlen", "flags"};
const char* const kListenParams[] = {"fd", "backlog"};
const char* const kShutdownParams[] = {"fd", "how"};
const char* const kCloseParams[] = {"fd"};

napi_value Socket(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int domain, type, protocol;
  if (!CheckArgc(env, a.argc, 3, 3, "socket", kSocketParams) ||
      !GetInt32(env, a.v[0], "socket", "domain", &domain) ||
      !GetInt32(env, a.v[1], "socket", "type", &type) ||
      !GetInt32(env, a.v[2], "socket", "protocol", &protocol))
    return nullptr;
  int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) return ThrowErrno(env, "socket", errno);
  return Int(env, fd);
}

// The Int32Array is checked before the syscall and written with no Node-API call after
// it, so the two new fds always reach the caller.
napi_value Socketpair(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int domain, type, protocol;
  if (!CheckArgc(env, a.argc, 4, 4, "socketpair", kSocketParams) ||
      !GetInt32(env, a.v[0], "socketpair", "domain", &domain) ||
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
  if (socketpair(domain, type | SOCK_CLOEXEC, protocol, sv) < 0)
    return ThrowErrno(env, "socketpair", errno);
  static_cast<int32_t*>(data)[0] = sv[0];
  static_cast<int32_t*>(data)[1] = sv[1];
  return Int(env, 0);
}

napi_value Bind(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  const sockaddr* addr;
  socklen_t len;
  if (!CheckArgc(env, a.argc, 2, 3, "bind", kAddrParams) ||
      !GetFd(env, a.v[0], "bind", "fd", &fd) ||
      !GetAddrIn(env, a.v[1], a.v[2], "bind", &addr, &len))
    return nullptr;
  if (bind(fd, addr, len) < 0) return ThrowErrno(env, "bind", errno, fd);
  return Int(env, 0);
}

napi_value Listen(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, backlog;
  if (!CheckArgc(env, a.argc, 2, 2, "listen", kListenParams) ||
      !GetFd(env, a.v[0], "listen", "fd", &fd) ||
      !GetInt32(env, a.v[1], "listen", "backlog", &backlog))
    return nullptr;
  if (listen(fd, backlog) < 0) return ThrowErrno(env, "listen", errno, fd);
  return Int(env, 0);
}

// accept / accept4 / tryAccept / tryAccept4: (fd, addr?, addrlen?, flags?). lib/socket.ts
// passes accept and tryAccept a 4th argument too (0), which must be 0 there. The new fd
// is returned with no Node-API call that could fail in between (Int cannot throw), so it
// always reaches the caller.
template <bool kTry, bool kFlags>
napi_value Accept(napi_env env, napi_callback_info info) {
  const char* fn = kFlags ? "accept4" : "accept";
  Args a = GetArgs(env, info);
  int fd;
  AddrOut out;
  uint32_t flags = 0;
  if (!CheckArgc(env, a.argc, kFlags ? 4 : 1, 4,
                 kTry ? (kFlags ? "tryAccept4" : "tryAccept") : fn, kAcceptParams) ||
      !GetFd(env, a.v[0], fn, "fd", &fd) || !GetAddrOut(env, a.v[1], a.v[2], fn, &out) ||
      !(kFlags ? GetFlags(env, a.v[3], fn, "flags", &flags)
               : GetOptFlags(env, a.v[3], fn, "flags", &flags)))
    return nullptr;
  if (!kFlags && flags != 0)
    return ThrowRange(env, fn, "flags must be 0 (accept takes none; use accept4), got %u", flags);
  int f = static_cast<int>(flags) | SOCK_CLOEXEC;
  auto call = [&] { return accept4(fd, out.addr, out.len_ptr(), f); };
  int r = kTry ? call() : BlockingAccept(fd, call);
  if (r < 0) {
    int e = errno;
    if (kTry && IsWouldBlock(e)) return Int(env, -EAGAIN);
    return ThrowErrno(env, fn, e, fd);
  }
  out.Store();
  return Int(env, r);
}

template <bool kTry>
napi_value Connect(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  const sockaddr* addr;
  socklen_t len;
  if (!CheckArgc(env, a.argc, 2, 3, kTry ? "tryConnect" : "connect", kAddrParams) ||
      !GetFd(env, a.v[0], "connect", "fd", &fd) ||
      !GetAddrIn(env, a.v[1], a.v[2], "connect", &addr, &len))
    return nullptr;
  if (connect(fd, addr, len) < 0) {
    int e = errno;
    if (kTry && (e == EINPROGRESS || IsWouldBlock(e))) return Int(env, -e);
    return ThrowErrno(env, "connect", e, fd);
  }
  return Int(env, 0);
}

napi_value Shutdown(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, how;
  if (!CheckArgc(env, a.argc, 2, 2, "shutdown", kShutdownParams) ||
      !GetFd(env, a.v[0], "shutdown", "fd", &fd) ||
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
  if (!CheckArgc(env, a.argc, 1, 1, "close", kCloseParams) ||
      !GetFd(env, a.v[0], "close", "fd", &fd))
    return nullptr;
  WatchBeforeClose(env, fd);
  UringBeforeClose(env, fd);
  if (close(fd) < 0 && errno != EINTR) return ThrowErrno(env, "close", errno, fd);
  return Int(env, 0);
}

template <int (*kCall)(int, sockaddr*, socklen_t*)>
napi_value GetName(napi_env env, napi_callback_info info, const char* fn) {
  Args a = GetArgs(env, info);
  int fd;
  AddrOut out;
  if (!CheckArgc(env, a.argc, 2, 3, fn, kAddrParams) || !GetFd(env, a.v[0], fn, "fd", &fd) ||
      !GetAddrOut(env, a.v[1], a.v[2], fn, &out))
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
