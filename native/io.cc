// io.cc — moving bytes: send, recv, sendto, recvfrom, read, write.
//
// man 2 send, man 2 recv, man 2 read, man 2 write.
//
// The hottest calls in the package (the overhead benchmark times send+recv against C in
// the same process), so each is one raw napi_callback that reads its arguments with as
// few Node-API calls as it can and never allocates. The caller's buffer is written in
// place; bounds (offset, len) are checked before the syscall.
//
// send and sendto always add MSG_NOSIGNAL: a write to a reset peer must be an EPIPE error,
// not a SIGPIPE. (write() has no flags; Node ignores SIGPIPE, so it reports EPIPE too.)
// recv with MSG_TRUNC may return more than len — the datagram's real length — but the
// kernel never writes past len, so only the caller's bytes are touched.
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

namespace sockfd {
namespace {

inline napi_value Result(napi_env env, ssize_t r, bool try_mode, const char* fn, int fd) {
  if (r >= 0) return Int(env, r);
  int e = errno;
  if (try_mode && (e == EAGAIN || e == EWOULDBLOCK)) return Int(env, -EAGAIN);
  return ThrowErrno(env, fn, e, fd);
}

// send(fd, buf, len?, flags?, offset?) / recv(...)
template <bool kSend, bool kTry>
napi_value SendRecv(napi_env env, napi_callback_info info) {
  const char* fn = kSend ? "send" : "recv";
  napi_value v[5];
  size_t argc = 5;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  OmitMissing(v, argc, 2, 5);  // len, flags, offset
  int fd;
  Span s;
  uint32_t flags;
  if (!GetFd(env, v[0], fn, "fd", &fd) || !GetSpan(env, v[1], v[2], v[4], fn, &s) ||
      !GetOptFlags(env, v[3], fn, "flags", &flags))
    return nullptr;
  ssize_t r;
  if (kSend)
    r = RetryEintr([&] { return send(fd, s.data, s.len, static_cast<int>(flags) | MSG_NOSIGNAL); });
  else
    r = RetryEintr([&] { return recv(fd, s.data, s.len, static_cast<int>(flags)); });
  return Result(env, r, kTry, fn, fd);
}

// read(fd, buf, count?, offset?) / write(...)
template <bool kWrite, bool kTry>
napi_value ReadWrite(napi_env env, napi_callback_info info) {
  const char* fn = kWrite ? "write" : "read";
  napi_value v[4];
  size_t argc = 4;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  OmitMissing(v, argc, 2, 4);  // count, offset
  int fd;
  Span s;
  if (!GetFd(env, v[0], fn, "fd", &fd) || !GetSpan(env, v[1], v[2], v[3], fn, &s))
    return nullptr;
  ssize_t r;
  if (kWrite)
    r = RetryEintr([&] { return write(fd, s.data, s.len); });
  else
    r = RetryEintr([&] { return read(fd, s.data, s.len); });
  return Result(env, r, kTry, fn, fd);
}

// sendto(fd, buf, len, flags, dest_addr|null, addrlen?, offset?)
template <bool kTry>
napi_value Sendto(napi_env env, napi_callback_info info) {
  napi_value v[7];
  size_t argc = 7;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  int fd;
  Span s;
  uint32_t flags;
  const sockaddr* addr = nullptr;
  socklen_t len = 0;
  if (!GetFd(env, v[0], "sendto", "fd", &fd) || !GetSpan(env, v[1], v[2], v[6], "sendto", &s) ||
      !GetOptFlags(env, v[3], "sendto", "flags", &flags))
    return nullptr;
  if (!IsNullish(env, v[4]) && !GetAddrIn(env, v[4], v[5], "sendto", &addr, &len)) return nullptr;
  ssize_t r = RetryEintr(
      [&] { return sendto(fd, s.data, s.len, static_cast<int>(flags) | MSG_NOSIGNAL, addr, len); });
  return Result(env, r, kTry, "sendto", fd);
}

// recvfrom(fd, buf, len, flags, src_addr|null, addrlen?, offset?)
template <bool kTry>
napi_value Recvfrom(napi_env env, napi_callback_info info) {
  napi_value v[7];
  size_t argc = 7;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  int fd;
  Span s;
  uint32_t flags;
  AddrOut out;
  if (!GetFd(env, v[0], "recvfrom", "fd", &fd) ||
      !GetSpan(env, v[1], v[2], v[6], "recvfrom", &s) ||
      !GetOptFlags(env, v[3], "recvfrom", "flags", &flags) ||
      !GetAddrOut(env, v[4], v[5], "recvfrom", &out))
    return nullptr;
  ssize_t r = RetryEintr([&] {
    return recvfrom(fd, s.data, s.len, static_cast<int>(flags), out.addr, out.len_ptr());
  });
  if (r >= 0) out.Store();
  return Result(env, r, kTry, "recvfrom", fd);
}

}  // namespace

void InitIo(napi_env env, napi_value exports) {
  SetFunction(env, exports, "send", SendRecv<true, false>);
  SetFunction(env, exports, "recv", SendRecv<false, false>);
  SetFunction(env, exports, "trySend", SendRecv<true, true>);
  SetFunction(env, exports, "tryRecv", SendRecv<false, true>);
  SetFunction(env, exports, "read", ReadWrite<false, false>);
  SetFunction(env, exports, "write", ReadWrite<true, false>);
  SetFunction(env, exports, "tryRead", ReadWrite<false, true>);
  SetFunction(env, exports, "tryWrite", ReadWrite<true, true>);
  SetFunction(env, exports, "sendto", Sendto<false>);
  SetFunction(env, exports, "recvfrom", Recvfrom<false>);
  SetFunction(env, exports, "trySendto", Sendto<true>);
  SetFunction(env, exports, "tryRecvfrom", Recvfrom<true>);
}

}  // namespace sockfd
