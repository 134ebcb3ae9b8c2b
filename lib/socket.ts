// socket, socketpair, bind, listen, accept, accept4, connect, shutdown, close,
// getsockname, getpeername — man 2 of each. Thin wrappers: the addon checks every number;
// this file only turns sockaddr structs into their bytes and adds address/port to errors.
import { binding } from './binding';
import { ErrnoError } from './errors';
import { addrOutBegin, addrOutEnd } from './addrout';
import { type Addrlen, Sockaddr, ntohs, sockaddr_in, sockaddr_in6 } from './sockaddr';
import { describe } from './struct';

function addrArg(fn: string, addr: unknown): Sockaddr {
  if (addr instanceof Sockaddr) return addr;
  throw new TypeError(`${fn}: addr must be a sockaddr struct (sockaddr_in, sockaddr_in6, sockaddr_un, sockaddr_storage), got ${describe(addr)}`);
}

function optAddrArg(fn: string, addr: unknown): Sockaddr | null {
  return addr === undefined || addr === null ? null : addrArg(fn, addr);
}

/** Adds `address` and `port` of the address a failed call used (DESIGN.md "Errors"). */
function annotate(e: unknown, addr: Sockaddr): unknown {
  if (e instanceof ErrnoError) {
    if (addr instanceof sockaddr_in || addr instanceof sockaddr_in6) {
      const text = addr.toString();
      e.address = text.slice(0, text.lastIndexOf(':')).replace(/^\[|\]$/g, '');
      e.port = ntohs(addr instanceof sockaddr_in ? addr.sin_port : addr.sin6_port);
    } else {
      e.address = addr.toString();
    }
  }
  return e;
}

/** socket(domain, type, protocol) — a new socket fd (always close-on-exec). */
export const socket: (domain: number, type: number, protocol: number) => number = binding.socket;

/**
 * socketpair(domain, type, protocol, sv): creates a connected pair and stores the two fds in
 * sv[0] and sv[1] (an Int32Array or an array). Returns 0. Both fds are close-on-exec.
 */
export function socketpair(domain: number, type: number, protocol: number, sv: Int32Array | number[]): number {
  if (sv instanceof Int32Array) return binding.socketpair(domain, type, protocol, sv);
  if (!Array.isArray(sv)) {
    throw new TypeError(`socketpair: sv must be an Int32Array or an array, got ${describe(sv)}`);
  }
  const out = new Int32Array(2);
  binding.socketpair(domain, type, protocol, out);
  sv[0] = out[0];
  sv[1] = out[1];
  return 0;
}

/** bind(fd, addr, addrlen = addr.addrlen) — assigns the address. Returns 0. */
export function bind(fd: number, addr: Sockaddr, addrlen?: number): number {
  const a = addrArg('bind', addr);
  try {
    return binding.bind(fd, a.bytes, addrlen ?? a.addrlen);
  } catch (e) {
    throw annotate(e, a);
  }
}

/** listen(fd, backlog) — marks the socket passive. Returns 0. */
export const listen: (fd: number, backlog: number) => number = binding.listen;

type AcceptCall = (fd: number, addr: Uint8Array | null, addrlen: Uint32Array | null, flags: number) => number;

/** C's accept4(fd, &addr, &len, flags); the kernel's length lands in addr.addrlen (and `addrlen`). */
function acceptInto(call: AcceptCall, fn: string, fd: number, addr: unknown, addrlen: Addrlen | null | undefined, flags: number): number {
  const a = optAddrArg(fn, addr);
  if (a === null) return call(fd, null, null, flags);
  addrOutBegin(fn, a, addrlen);
  const r = call(fd, a.bytes, a.addrlenBox, flags);
  if (r >= 0) addrOutEnd(a, addrlen);
  return r;
}

/**
 * accept(fd, addr?, addrlen?) — the next connection as a new fd (close-on-exec). When `addr`
 * is given, the peer's address is stored in it and its length in addr.addrlen. `addrlen` is
 * C's value-result length: a socklen_t (updated) or a number; it defaults to sizeof(addr).
 */
export function accept(fd: number, addr?: Sockaddr | null, addrlen?: Addrlen | null): number {
  return acceptInto(binding.accept, 'accept', fd, addr, addrlen, 0);
}

/** accept4(fd, addr, addrlen, flags) — accept with SOCK_NONBLOCK / SOCK_CLOEXEC flags (CLOEXEC always added). */
export function accept4(fd: number, addr: Sockaddr | null | undefined, addrlen: Addrlen | null | undefined, flags: number): number {
  return acceptInto(binding.accept4, 'accept4', fd, addr, addrlen, flags);
}

/** As accept, but returns -EAGAIN instead of throwing when no connection is pending. */
export function tryAccept(fd: number, addr?: Sockaddr | null, addrlen?: Addrlen | null): number {
  return acceptInto(binding.tryAccept, 'accept', fd, addr, addrlen, 0);
}

/** As accept4, but returns -EAGAIN instead of throwing when no connection is pending. */
export function tryAccept4(fd: number, addr: Sockaddr | null | undefined, addrlen: Addrlen | null | undefined, flags: number): number {
  return acceptInto(binding.tryAccept4, 'accept4', fd, addr, addrlen, flags);
}

/**
 * connect(fd, addr, addrlen = addr.addrlen) — returns 0. On a non-blocking socket it throws
 * ErrnoError EINPROGRESS; wait for writability, then read SO_ERROR. A blocking connect
 * interrupted by a signal waits for the outcome instead of failing with EINTR.
 */
export function connect(fd: number, addr: Sockaddr, addrlen?: number): number {
  const a = addrArg('connect', addr);
  try {
    return binding.connect(fd, a.bytes, addrlen ?? a.addrlen);
  } catch (e) {
    throw annotate(e, a);
  }
}

/** As connect, but returns -EINPROGRESS (or -EAGAIN) instead of throwing them. */
export function tryConnect(fd: number, addr: Sockaddr, addrlen?: number): number {
  const a = addrArg('connect', addr);
  try {
    return binding.tryConnect(fd, a.bytes, addrlen ?? a.addrlen);
  } catch (e) {
    throw annotate(e, a);
  }
}

/** shutdown(fd, how) — SHUT_RD, SHUT_WR or SHUT_RDWR. Returns 0. */
export const shutdown: (fd: number, how: number) => number = binding.shutdown;

/**
 * close(fd) — returns 0. Never retried: Linux frees the number even on EINTR, which is
 * therefore reported as success. Pending async waits on the fd are rejected first.
 */
export const close: (fd: number) => number = binding.close;

type NameCall = (fd: number, addr: Uint8Array, addrlen: Uint32Array) => number;

function nameInto(call: NameCall, fn: string, fd: number, addr: Sockaddr, addrlen: Addrlen | undefined): number {
  const a = addrArg(fn, addr);
  addrOutBegin(fn, a, addrlen);
  const r = call(fd, a.bytes, a.addrlenBox);
  addrOutEnd(a, addrlen);
  return r;
}

/** getsockname(fd, addr, addrlen?) — stores the local address in addr (length in addr.addrlen). */
export function getsockname(fd: number, addr: Sockaddr, addrlen?: Addrlen): number {
  return nameInto(binding.getsockname, 'getsockname', fd, addr, addrlen);
}

/** getpeername(fd, addr, addrlen?) — stores the peer's address in addr (length in addr.addrlen). */
export function getpeername(fd: number, addr: Sockaddr, addrlen?: Addrlen): number {
  return nameInto(binding.getpeername, 'getpeername', fd, addr, addrlen);
}
