// eintr.h — the one EINTR rule for the calls that can block: send, sendto, recv, recvfrom,
// read and write on sockets, accept and accept4, and msg.cc's readv, writev, sendmsg,
// recvmsg, sendmmsg and recvmmsg (docs/api.md "EINTR").
//
// man 7 signal ("Interruption of system calls and library functions by signal handlers").
//
// Why a rule is needed at all: Node's signal handlers are libuv's, installed with
// SA_RESTART, and a JavaScript listener (process.on('SIGINT')) can only run after the
// native call returns. With SA_RESTART the kernel restarts a blocking accept/recv/send, so
// the listener would never run and Ctrl-C would do nothing; with a socket timeout
// (SO_RCVTIMEO/SO_SNDTIMEO) the kernel never restarts them and C sees EINTR. poll(2) is
// never restarted after a handler, whatever SA_RESTART says. So:
//
//   1. The call is first made without blocking: MSG_DONTWAIT added (accept, which has no
//      such flag, and recv with MSG_WAITALL, which must not return a partial read where C
//      would wait: poll(2) with timeout 0 first). When it completes — data was there, or
//      any error other than EAGAIN — that is the result: one syscall on the fast path.
//   2. Only when it would block, and only if the caller wanted blocking (no MSG_DONTWAIT,
//      the file not O_NONBLOCK — read now, with fcntl), is the socket's timeout read:
//      - a timeout is set: the blocking call itself is made, so the kernel applies the
//        timeout (EAGAIN on expiry) and reports a signal as EINTR, exactly as in C;
//      - no timeout: the thread waits in poll(2) for the event. A signal interrupts it:
//        the call fails with EINTR (the JS listener runs once the caller returns to the
//        event loop). Readiness: the blocking call is made — it finds what poll saw, and
//        from the moment it has made progress a signal ends it with a partial count, as
//        in C.
//   3. Bytes already moved are never lost: a stream send that took part of the buffer and
//      then meets a signal, a timeout or an error returns the partial count, as C's
//      blocking send does.
//
// Residual differences from a C program (documented in docs/api.md):
//   - a blocking call without a timeout throws EINTR on a signal where C would be restarted;
//   - SO_RCVLOWAT above 1 on a blocking stream: recv returns the bytes already queued;
//   - poll reported readiness but another thread or process took the data (or an unconnected
//     AF_UNIX datagram peer is full): the blocking call blocks, restarted by the kernel;
//   - a signal that lands between the first try and the wait is only seen at the next one;
//   - a stop/continue (SIGSTOP, SIGCONT) does not interrupt the wait of step 2.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstddef>
#include <sys/types.h>

namespace sockfd {

enum class Blocks { kRecv, kSend, kAccept };

namespace eintr {

// Step 2 decisions; any other value is an errno to fail with.
constexpr int kCall = 0;         // make the blocking call now
constexpr int kNonblocking = -1;  // the file is O_NONBLOCK: the first try's result stands

// The slow path: the first try would have blocked. Any failure of the checks themselves
// (a closed fd, not a socket, not listening) answers kCall so the call reports C's error.
inline int Await(int fd, Blocks b) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return kCall;
  if (fl & O_NONBLOCK) return kNonblocking;
  socklen_t len;
  if (b == Blocks::kAccept) {
    // poll on a socket that is not listening can wait forever where accept fails at once.
    int on = 0;
    len = sizeof on;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || on == 0) return kCall;
  }
  timeval tv = {0, 0};
  len = sizeof tv;
  if (getsockopt(fd, SOL_SOCKET, b == Blocks::kSend ? SO_SNDTIMEO : SO_RCVTIMEO, &tv, &len) < 0 ||
      tv.tv_sec != 0 || tv.tv_usec != 0)
    return kCall;
  pollfd p = {fd, static_cast<short>(b == Blocks::kSend ? POLLOUT : POLLIN), 0};
  if (poll(&p, 1, -1) < 0 && errno == EINTR) return EINTR;
  return kCall;
}

inline ssize_t Fail(int e) {
  errno = e;
  return -1;
}

// Step 1 by poll: for calls that cannot be made without blocking.
template <class Call>
inline ssize_t Probe(int fd, Blocks b, Call call) {
  pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, 0) == 0) {
    int next = Await(fd, b);
    if (next > 0) return Fail(next);
  }
  return call(0, 0);
}

}  // namespace eintr

// A send-like or recv-like call on `len` bytes with the caller's `flags`, by the rule
// above. `call(extra, done)` makes the call on bytes [done, len) with `extra` added to the
// flags; it returns what the syscall returns, errno intact.
template <class Call>
inline ssize_t Blocking(int fd, Blocks b, int flags, size_t len, Call call) {
  using namespace eintr;
  // Calls that never block in C: MSG_DONTWAIT asked, or recv's MSG_OOB / MSG_ERRQUEUE (they
  // report EAGAIN when there is nothing, on a blocking socket too).
  if (flags & (MSG_DONTWAIT | (b == Blocks::kRecv ? MSG_OOB | MSG_ERRQUEUE : 0))) return call(0, 0);
  if (b == Blocks::kRecv && (flags & MSG_WAITALL)) return Probe(fd, b, call);
  ssize_t r = call(MSG_DONTWAIT, 0);
  if (__builtin_expect(r >= 0, 1)) {
    // recv: whatever came. send: all of it, or a datagram (sent whole or not at all).
    if (b == Blocks::kRecv || static_cast<size_t>(r) == len) return r;
  } else if (errno != EAGAIN) {
    return r;
  }
  size_t done = r < 0 ? 0 : static_cast<size_t>(r);
  int next = Await(fd, b);
  if (next == kNonblocking) return done > 0 ? static_cast<ssize_t>(done) : Fail(EAGAIN);
  if (next > 0) return done > 0 ? static_cast<ssize_t>(done) : Fail(next);
  ssize_t r2 = call(0, done);
  if (done == 0) return r2;
  // The rest met a signal, a timeout or an error: C returns the bytes already sent, and
  // the error (if any) is reported by the next call.
  return static_cast<ssize_t>(done) + (r2 > 0 ? r2 : 0);
}

// accept/accept4 by the rule above: poll first (accept has no MSG_DONTWAIT).
template <class Call>
inline int BlockingAccept(int fd, Call call) {
  return static_cast<int>(eintr::Probe(fd, Blocks::kAccept, [&](int, size_t) { return call(); }));
}

}  // namespace sockfd
