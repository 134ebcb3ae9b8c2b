// sockopt.cc — socket options and fd flags: setsockopt, getsockopt, fcntl.
//
// man 2 setsockopt, man 7 socket, man 7 tcp, man 7 ip, man 2 fcntl.
//
// Options come in two forms, as in C: an int (the common case, passed as a JS number) and
// a struct or raw buffer with an explicit length (linger, timeval, TCP_INFO, ...). The
// buffer form hands the kernel the caller's bytes with the length checked against them.
// F_DUPFD is F_DUPFD_CLOEXEC here (close-on-exec default). fcntl accepts only the commands
// whose third argument is an int: the pointer-taking ones
// (F_GETLK, F_SETOWN_EX, ...) could otherwise be made to write through a number.
//
// The typed options of lib/sockopt.ts and lib/ucred.ts (struct ucred for SO_PEERCRED,
// struct tcp_info for TCP_INFO, struct ip_mreqn and struct ipv6_mreq for multicast joins)
// travel as their bytes through the same two calls; their sizes and offsets are published
// here (SetLayout) so lib/ never guesses them. struct tcp_info comes from the kernel's
// <linux/tcp.h>: glibc's <netinet/tcp.h> stops before tcpi_bytes_acked.
//
// EINTR: none of these blocks (F_SETLKW, the one fcntl that waits, is not accepted), so
// each is one syscall and nothing is retried (docs/api.md "EINTR").
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

#include "common.h"

namespace sockfd {
namespace {

const char* const kOptParams[] = {"fd", "level", "optname", "optval", "optlen"};
const char* const kFcntlParams[] = {"fd", "cmd", "arg"};

// setsockopt(fd, level, optname, optval: number | bytes, optlen?)
napi_value Setsockopt(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, level, name;
  if (!CheckArgc(env, a.argc, 4, 5, "setsockopt", kOptParams) ||
      !GetFd(env, a.v[0], "setsockopt", "fd", &fd) ||
      !GetInt32(env, a.v[1], "setsockopt", "level", &level) ||
      !GetInt32(env, a.v[2], "setsockopt", "optname", &name))
    return nullptr;
  napi_valuetype t;
  napi_typeof(env, a.v[3], &t);
  int ival;
  const void* p;
  socklen_t len;
  if (t == napi_number) {
    if (!GetInt32(env, a.v[3], "setsockopt", "optval", &ival)) return nullptr;
    if (!IsNullish(env, a.v[4]))
      return ThrowType(env, "setsockopt", "optlen", "undefined for an int optval", a.v[4]);
    p = &ival;
    len = sizeof ival;
  } else {
    uint8_t* bytes;
    size_t size;
    if (t == napi_undefined || t == napi_null ||
        !GetBytes(env, a.v[3], "setsockopt", "optval", &bytes, &size)) {
      if (t == napi_undefined || t == napi_null)
        ThrowType(env, "setsockopt", "optval", "a number or an ArrayBufferView", a.v[3]);
      return nullptr;
    }
    int64_t n;
    if (!GetOptInt(env, a.v[4], "setsockopt", "optlen", 0, static_cast<double>(size),
                   static_cast<int64_t>(size), &n))
      return nullptr;
    p = bytes;
    len = static_cast<socklen_t>(n);
  }
  if (setsockopt(fd, level, name, p, len) < 0) return ThrowErrno(env, "setsockopt", errno, fd);
  return Int(env, 0);
}

// getsockopt(fd, level, optname) -> the int value
// getsockopt(fd, level, optname, optval: bytes, optlen?) -> the length the kernel wrote
napi_value Getsockopt(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, level, name;
  if (!CheckArgc(env, a.argc, 3, 5, "getsockopt", kOptParams) ||
      !GetFd(env, a.v[0], "getsockopt", "fd", &fd) ||
      !GetInt32(env, a.v[1], "getsockopt", "level", &level) ||
      !GetInt32(env, a.v[2], "getsockopt", "optname", &name))
    return nullptr;
  if (IsNullish(env, a.v[3])) {
    int val = 0;
    socklen_t len = sizeof val;
    if (getsockopt(fd, level, name, &val, &len) < 0)
      return ThrowErrno(env, "getsockopt", errno, fd);
    return Int(env, val);
  }
  uint8_t* bytes;
  size_t size;
  if (!GetBytes(env, a.v[3], "getsockopt", "optval", &bytes, &size)) return nullptr;
  int64_t n;
  if (!GetOptInt(env, a.v[4], "getsockopt", "optlen", 0, static_cast<double>(size),
                 static_cast<int64_t>(size), &n))
    return nullptr;
  socklen_t len = static_cast<socklen_t>(n);
  if (getsockopt(fd, level, name, bytes, &len) < 0) return ThrowErrno(env, "getsockopt", errno, fd);
  return Int(env, len);
}

// fcntl(fd, cmd, arg?) for the int-argument commands.
napi_value Fcntl(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, cmd;
  if (!CheckArgc(env, a.argc, 2, 3, "fcntl", kFcntlParams) ||
      !GetFd(env, a.v[0], "fcntl", "fd", &fd) || !GetInt32(env, a.v[1], "fcntl", "cmd", &cmd))
    return nullptr;
  bool takes_arg;
  switch (cmd) {
    case F_GETFD:
    case F_GETFL:
      takes_arg = false;
      break;
    case F_SETFD:
    case F_SETFL:
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      takes_arg = true;
      break;
    default:
      return ThrowRange(env, "fcntl",
                        "cmd %d is not supported (F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, "
                        "F_DUPFD_CLOEXEC)",
                        cmd);
  }
  // C code often passes a 0 the kernel ignores (fcntl(fd, F_GETFL, 0)): an int is accepted
  // and ignored for the commands without an argument.
  int arg = 0;
  if (takes_arg || !IsNullish(env, a.v[2])) {
    if (!GetInt32(env, a.v[2], "fcntl", "arg", &arg)) return nullptr;
  }
  // F_DUPFD creates an fd, and every fd the package creates is close-on-exec (DESIGN.md
  // "Safety defaults"); fcntl(fd, F_SETFD, 0) on the duplicate opts out, as everywhere.
  if (cmd == F_DUPFD) cmd = F_DUPFD_CLOEXEC;
  int r = takes_arg ? fcntl(fd, cmd, arg) : fcntl(fd, cmd);
  if (r < 0) return ThrowErrno(env, "fcntl", errno, fd);
  return Int(env, r);
}

}  // namespace

void InitSockopt(napi_env env, napi_value exports) {
  SetFunction(env, exports, "setsockopt", Setsockopt);
  SetFunction(env, exports, "getsockopt", Getsockopt);
  SetFunction(env, exports, "fcntl", Fcntl);
  SetLayout(env, exports, "ucred",
            {{"size", sizeof(struct ucred)},
             {"pid", offsetof(struct ucred, pid)},
             {"uid", offsetof(struct ucred, uid)},
             {"gid", offsetof(struct ucred, gid)}});
#define SOCKFD_TCPI(f) {#f, offsetof(struct tcp_info, f)}
  SetLayout(env, exports, "tcp_info",
            {{"size", sizeof(struct tcp_info)},
             SOCKFD_TCPI(tcpi_state),        SOCKFD_TCPI(tcpi_ca_state),
             SOCKFD_TCPI(tcpi_retransmits),  SOCKFD_TCPI(tcpi_probes),
             SOCKFD_TCPI(tcpi_backoff),      SOCKFD_TCPI(tcpi_options),
             SOCKFD_TCPI(tcpi_rto),          SOCKFD_TCPI(tcpi_ato),
             SOCKFD_TCPI(tcpi_snd_mss),      SOCKFD_TCPI(tcpi_rcv_mss),
             SOCKFD_TCPI(tcpi_unacked),      SOCKFD_TCPI(tcpi_sacked),
             SOCKFD_TCPI(tcpi_lost),         SOCKFD_TCPI(tcpi_retrans),
             SOCKFD_TCPI(tcpi_pmtu),         SOCKFD_TCPI(tcpi_rcv_ssthresh),
             SOCKFD_TCPI(tcpi_rtt),          SOCKFD_TCPI(tcpi_rttvar),
             SOCKFD_TCPI(tcpi_snd_ssthresh), SOCKFD_TCPI(tcpi_snd_cwnd),
             SOCKFD_TCPI(tcpi_advmss),       SOCKFD_TCPI(tcpi_reordering),
             SOCKFD_TCPI(tcpi_total_retrans), SOCKFD_TCPI(tcpi_bytes_acked),
             SOCKFD_TCPI(tcpi_bytes_received), SOCKFD_TCPI(tcpi_segs_out),
             SOCKFD_TCPI(tcpi_segs_in),      SOCKFD_TCPI(tcpi_bytes_sent)});
#undef SOCKFD_TCPI
  SetLayout(env, exports, "ip_mreqn",
            {{"size", sizeof(struct ip_mreqn)},
             {"imr_multiaddr", offsetof(struct ip_mreqn, imr_multiaddr)},
             {"imr_address", offsetof(struct ip_mreqn, imr_address)},
             {"imr_ifindex", offsetof(struct ip_mreqn, imr_ifindex)}});
  SetLayout(env, exports, "ipv6_mreq",
            {{"size", sizeof(struct ipv6_mreq)},
             {"ipv6mr_multiaddr", offsetof(struct ipv6_mreq, ipv6mr_multiaddr)},
             {"ipv6mr_interface", offsetof(struct ipv6_mreq, ipv6mr_interface)}});
}

}  // namespace sockfd
