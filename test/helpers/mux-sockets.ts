// Real sockets in known states for the select/poll/epoll tests: a loopback listener, TCP
// connections, socketpairs, and a mixed set (readable, writable-only, peer closed, reset,
// send buffer full). Every helper returns the fds it opened so the test can close them.
import {
  accept, AF_INET, AF_UNIX, bind, close, connect, getsockname, htonl, INADDR_LOOPBACK, linger,
  listen, send, setsockopt, SO_LINGER, SO_SNDBUF, SOCK_NONBLOCK, SOCK_STREAM, sockaddr_in,
  socket, socketpair, SOL_SOCKET, trySend,
} from '../../lib';

/** A TCP listener on 127.0.0.1 with a kernel-chosen port, and its bound address. */
export function listenLoopback(): { fd: number; addr: sockaddr_in } {
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  const addr = new sockaddr_in();
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, addr);
  listen(fd, 128);
  getsockname(fd, addr);
  return { fd, addr };
}

/** A client TCP socket connected to `addr` (on loopback the handshake completes at once). */
export function connectTo(addr: sockaddr_in): number {
  const c = socket(AF_INET, SOCK_STREAM, 0);
  connect(c, addr);
  return c;
}

/** A connected loopback TCP pair: [client, accepted server side]. */
export function tcpPair(listener: { fd: number; addr: sockaddr_in }): [number, number] {
  const c = connectTo(listener.addr);
  return [c, accept(listener.fd)];
}

/** A connected AF_UNIX stream socketpair. */
export function unixPair(flags = 0): [number, number] {
  const sv = new Int32Array(2);
  socketpair(AF_UNIX, SOCK_STREAM | flags, 0, sv);
  return [sv[0], sv[1]];
}

export type State = 'readable' | 'writable' | 'peer-closed' | 'reset' | 'full';

/**
 * `count` sockets cycling through the states; returns the watched fd of each with its
 * state, and every fd opened (watched ones included) for cleanup.
 */
export function mixedSockets(count: number): { watched: { fd: number; state: State }[]; opened: number[] } {
  const states: State[] = ['readable', 'writable', 'peer-closed', 'reset', 'full'];
  const listener = listenLoopback();
  const watched: { fd: number; state: State }[] = [];
  const opened: number[] = [listener.fd];
  const one = new Uint8Array([42]);
  for (let i = 0; i < count; i++) {
    const state = states[i % states.length];
    if (state === 'reset') {
      // SO_LINGER {1, 0} makes close() send a RST: the survivor reports POLLERR|POLLHUP.
      const [c, s] = tcpPair(listener);
      setsockopt(s, SOL_SOCKET, SO_LINGER, new linger(1, 0));
      close(s);
      watched.push({ fd: c, state });
      opened.push(c);
      continue;
    }
    const [a, b] = unixPair(state === 'full' ? SOCK_NONBLOCK : 0);
    opened.push(a, b);
    if (state === 'readable') send(b, one);
    if (state === 'peer-closed') {
      close(b);
      opened.pop();
    }
    if (state === 'full') {
      setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
      const chunk = new Uint8Array(4096);
      while (trySend(a, chunk) > 0);
    }
    watched.push({ fd: a, state });
  }
  return { watched, opened };
}

/** Closes every fd in the list (ignoring none: a failed close is a test bug). */
export function closeAll(fds: Iterable<number>): void {
  for (const fd of fds) close(fd);
}
