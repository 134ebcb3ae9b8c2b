// io.cc — moving bytes: send, recv, sendto, recvfrom, read, write.
//
// man 2 send, man 2 recv, man 2 read, man 2 write, man 7 signal.
//
// The hottest calls in the package (the overhead benchmark times send+recv against C in
// the same process), so each is one raw napi_callback that reads its arguments with as
// few Node-API calls as it can and never allocates. The caller's buffer is written in
// place; bounds (offset, len) are checked before the syscall. The argument count is
// checked with two integer comparisons; CheckArgc runs only when they fail.
//
// EINTR (native/eintr.h, docs/api.md "EINTR"): send, recv, sendto, recvfrom, read and
// write on a blocking socket do not sit in a call the kernel would restart after a Node
// signal handler (but for the residual cases listed in eintr.h). They try without blocking first (MSG_DONTWAIT: still one
// syscall when data or buffer space is there); when that would block they honour the
// socket's SO_RCVTIMEO/SO_SNDTIMEO exactly as C (EAGAIN on expiry, EINTR on a signal), and
// without a timeout they wait in poll(2), so a signal throws ErrnoError EINTR and a
// process.on('SIGINT') listener can run. Nothing is retried after EINTR. read and write
// on a socket are made as recv/send with no flags (the same call for a socket, but one
// that can take MSG_DONTWAIT; write on an SCTP SOCK_SEQPACKET socket thereby loses the
// MSG_EOR that write(2) implies); on any other fd (recv's ENOTSOCK costs one extra
// syscall there) and for 0 bytes they are the plain call. The try* variants
// are always the one plain call: they are for O_NONBLOCK fds (or MSG_DONTWAIT), and on a
// blocking fd they block as C does.
//
// send and sendto always add MSG_NOSIGNAL: a write to a reset peer must be an EPIPE error,
// not a SIGPIPE. (write() has no flags; Node ignores SIGPIPE, so it reports EPIPE too.)
// recv with MSG_TRUNC may return more than len — the datagram's real length — but the
// kernel never writes past len, so only the caller's bytes are touched.
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "eintr.h"

namespace sockfd {
namespace {

inline napi_value Result(napi_env env, ssize_t r, bool try_mode, const char* fn, int fd) {
  if (r >= 0) return Int(env, r);
  int e = errno;
  if (try_mode && (e == EAGAIN || e == EWOULDBLOCK)) return Int(env, -EAGAIN);
  return ThrowErrno(env, fn, e, fd);
}

const char* const kSendParams[] = {"fd", "buf", "len", "flags", "offset"};
const char* const kRwParams[] = {"fd", "buf", "count", "offset"};
const char* const kSendtoParams[] = {"fd", "buf", "len", "flags", "dest_addr", "addrlen", "offset"};
const char* const kRecvfromParams[] = {"fd", "buf", "len", "flags", "src_addr", "addrlen", "offset"};

// send(fd, buf, len?, flags?, offset?) / recv(...)
template <bool kSend, bool kTry>
napi_value SendRecv(napi_env env, napi_callback_info info) {
  const char* fn = kSend ? (kTry ? "trySend" : "send") : (kTry ? "tryRecv" : "recv");
  napi_value v[6];
  size_t argc = 6;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 2 || argc > 5) {
    CheckArgc(env, argc, 2, 5, fn, kSendParams);
    return nullptr;
  }
  fn = kSend ? "send" : "recv";
  OmitMissing(v, argc, 2, 5);  // len, flags, offset
  int fd;
  Span s;
  uint32_t flags;
  if (!GetFd(env, v[0], fn, "fd", &fd) || !GetSpan(env, v[1], v[2], v[4], fn, &s) ||
      !GetOptFlags(env, v[3], fn, "flags", &flags))
    return nullptr;
  int f = static_cast<int>(flags) | (kSend ? MSG_NOSIGNAL : 0);
  ssize_t r;
  if (kTry)
    r = kSend ? send(fd, s.data, s.len, f) : recv(fd, s.data, s.len, f);
  else
    r = Blocking(fd, kSend ? Blocks::kSend : Blocks::kRecv, f, s.len, [&](int x, size_t done) {
      return kSend ? send(fd, s.data + done, s.len - done, f | x)
                   : recv(fd, s.data + done, s.len - done, f | x);
    });
  return Result(env, r, kTry, fn, fd);
}

// read(fd, buf, count?, offset?) / write(...)
template <bool kWrite, bool kTry>
napi_value ReadWrite(napi_env env, napi_callback_info info) {
  const char* fn = kWrite ? (kTry ? "tryWrite" : "write") : (kTry ? "tryRead" : "read");
  napi_value v[5];
  size_t argc = 5;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (argc < 2 || argc > 4) {
    CheckArgc(env, argc, 2, 4, fn, kRwParams);
    return nullptr;
  }
  fn = kWrite ? "write" : "read";
  OmitMissing(v, argc, 2, 4);  // count, offset
  int fd;
  Span s;
  if (!GetFd(env, v[0], fn, "fd", &fd) || !GetSpan(env, v[1], v[2], v[3], fn, &s))
    return nullptr;
  ssize_t r = -1;
  // A socket with bytes to move goes through the rule; read(2) of 0 bytes returns 0 at
  // once where recv would wait for data, so it (and every non-socket) is the plain call.
  if (!kTry && s.len > 0) {
    r = Blocking(fd, kWrite ? Blocks::kSend : Blocks::kRecv, 0, s.len, [&](int x, size_t done) {
      return kWrite ? send(fd, s.data + done, s.len - done, x)
                    : recv(fd, s.data + done, s.len - done, x);
    });
    if (r >= 0 || errno != ENOTSOCK) return Result(env, r, kTry, fn, fd);
  }
  r = kWrite ? write(fd, s.data, s.len) : read(fd, s.data, s.len);
  return Result(env, r, kTry, fn, fd);
}

// sendto(fd, buf, len, flags, dest_addr|null, addrlen?, offset?)
template <bool kTry>
napi_value Sendto(napi_env env, napi_callback_info info) {
  napi_value v[8];
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 5, 7, kTry ? "trySendto" : "sendto", kSendtoParams)) return nullptr;
  int fd;
  Span s;
  uint32_t flags;
  const sockaddr* addr = nullptr;
  socklen_t len = 0;
  if (!GetFd(env, v[0], "sendto", "fd", &fd) || !GetSpan(env, v[1], v[2], v[6], "sendto", &s) ||
      !GetOptFlags(env, v[3], "sendto", "flags", &flags))
    return nullptr;
  if (!IsNullish(env, v[4]) && !GetAddrIn(env, v[4], v[5], "sendto", &addr, &len)) return nullptr;
  int f = static_cast<int>(flags) | MSG_NOSIGNAL;
  auto call = [&](int x, size_t done) {
    return sendto(fd, s.data + done, s.len - done, f | x, addr, len);
  };
  ssize_t r = kTry ? call(0, 0) : Blocking(fd, Blocks::kSend, f, s.len, call);
  return Result(env, r, kTry, "sendto", fd);
}

// recvfrom(fd, buf, len, flags, src_addr|null, addrlen?, offset?)
template <bool kTry>
napi_value Recvfrom(napi_env env, napi_callback_info info) {
  napi_value v[8];
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, v, nullptr, nullptr);
  if (!CheckArgc(env, argc, 4, 7, kTry ? "tryRecvfrom" : "recvfrom", kRecvfromParams))
    return nullptr;
  int fd;
  Span s;
  uint32_t flags;
  AddrOut out;
  if (!GetFd(env, v[0], "recvfrom", "fd", &fd) ||
      !GetSpan(env, v[1], v[2], v[6], "recvfrom", &s) ||
      !GetOptFlags(env, v[3], "recvfrom", "flags", &flags) ||
      !GetAddrOut(env, v[4], v[5], "recvfrom", &out))
    return nullptr;
  int f = static_cast<int>(flags);
  // A failed attempt leaves addrlen as it was, so a second attempt sees the capacity again.
  auto call = [&](int x, size_t done) {
    return recvfrom(fd, s.data + done, s.len - done, f | x, out.addr, out.len_ptr());
  };
  ssize_t r = kTry ? call(0, 0) : Blocking(fd, Blocks::kRecv, f, s.len, call);
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
