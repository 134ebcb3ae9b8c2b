// The N connections a case runs over: socketpairs (default) or TCP over loopback, opened
// through sockfd's public API. Both ends are non-blocking, so a multiplexer that reports a
// connection ready when it is not makes recv throw EAGAIN instead of hanging the run.
//
// fd numbering matters to select: the read ends (the ones the multiplexer watches) are
// packed into the lowest fds and every write end is moved above them with
// fcntl(F_DUPFD_CLOEXEC), so N read ends fit under FD_SETSIZE whenever N + the process's
// own fds do (a plain loop would interleave the two ends and hit 1024 at N ≈ 500).
import {
  AF_INET,
  AF_UNIX,
  F_DUPFD_CLOEXEC,
  F_GETFL,
  F_SETFL,
  IPPROTO_TCP,
  O_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_LINGER,
  SO_REUSEADDR,
  SOMAXCONN,
  TCP_NODELAY,
  accept,
  bind,
  close,
  connect,
  fcntl,
  getsockname,
  linger,
  listen,
  setsockopt,
  socket,
  socketpair,
  sockaddr_in,
  parseAddress,
} from './sockfd';

/** N connections: rfds[i] is watched by the multiplexer, wfds[i] is where a round writes. */
export interface Connections {
  readonly rfds: Int32Array;
  readonly wfds: Int32Array;
  readonly tcp: boolean;
}

function nonblock(fd: number): void {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/** Moves `fd` to the lowest free fd >= `floor` and closes the original. */
function moveUp(fd: number, floor: number): number {
  const moved = fcntl(fd, F_DUPFD_CLOEXEC, floor);
  close(fd);
  return moved;
}

/**
 * Opens `n` connections. `high` is the fd floor for the write ends (above every read end).
 * On failure everything opened so far is closed before the error propagates.
 */
export function openConnections(n: number, tcp: boolean, high: number): Connections {
  const rfds = new Int32Array(n).fill(-1);
  const wfds = new Int32Array(n).fill(-1);
  const conns = { rfds, wfds, tcp };
  let listener = -1;
  try {
    if (!tcp) {
      const sv = new Int32Array(2);
      for (let i = 0; i < n; i++) {
        socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
        rfds[i] = sv[0];
        wfds[i] = moveUp(sv[1], high);
        nonblock(rfds[i]);
        nonblock(wfds[i]);
      }
      return conns;
    }
    listener = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, 1);
    bind(listener, parseAddress('127.0.0.1:0'));
    listen(listener, SOMAXCONN);
    const addr = new sockaddr_in();
    getsockname(listener, addr);
    for (let i = 0; i < n; i++) {
      const c = socket(AF_INET, SOCK_STREAM, 0);
      try {
        connect(c, addr); // blocking: returns once the connection sits in the accept queue
      } catch (e) {
        close(c);
        throw e;
      }
      wfds[i] = moveUp(c, high);
      rfds[i] = accept(listener);
      for (const fd of [rfds[i], wfds[i]]) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1); // 1-byte writes leave at once
        nonblock(fd);
      }
    }
    return conns;
  } catch (e) {
    closeConnections(conns);
    throw e;
  } finally {
    if (listener >= 0) close(listener);
  }
}

/**
 * Closes every connection. TCP ends close with SO_LINGER {1, 0} (a reset), so repeated
 * runs of 10,000 connections do not leave the ephemeral port range full of TIME_WAIT.
 */
export function closeConnections(c: Connections): void {
  const l = new linger();
  l.l_onoff = 1;
  l.l_linger = 0;
  for (const fds of [c.wfds, c.rfds]) {
    for (const fd of fds) {
      if (fd < 0) continue;
      if (c.tcp) setsockopt(fd, SOL_SOCKET, SO_LINGER, l);
      close(fd);
    }
  }
}

/** One connection (two fds) for ping-pong, blocking-free, same transport as the cases. */
export function openPair(tcp: boolean): [number, number] {
  const c = openConnections(1, tcp, 0);
  return [c.rfds[0], c.wfds[0]];
}
