// socket, socketpair, bind, listen, accept, accept4, connect, shutdown, close,
// getsockname, getpeername — man 2 of each. socket, listen, shutdown and close are the
// addon's functions themselves (it checks their arguments); the rest check their argument
// count, fd and structs here, turn structs into their bytes and add address/port to errors.
//
// Nothing throws after the kernel handed out an fd without closing it first: socketpair's
// and accept's out-parameters are checked for writability before the call, and a write-back
// that throws anyway (a Proxy, a setter) closes the new fds before the error propagates.
import { binding } from './binding';
import { checkArgc, checkFd, checkFlags, invalidType } from './check';
import { ErrnoError } from './errors';
import { addrOutBegin, addrOutEnd, noAddrlen } from './addrout';
import { type Addrlen, Sockaddr, isSockaddr, ntohs, sockaddr_in, sockaddr_in6 } from './sockaddr';

const ADDR = 'a sockaddr struct (sockaddr_in, sockaddr_in6, sockaddr_un, sockaddr_storage)';
const ADDR_PARAMS = ['fd', 'addr', 'addrlen'] as const;
const ACCEPT4_PARAMS = ['fd', 'addr', 'addrlen', 'flags'] as const;

function addrArg(fn: string, addr: unknown): Sockaddr {
  if (isSockaddr(addr)) return addr;
  throw invalidType(fn, 'addr', ADDR, addr);
}

function optAddrArg(fn: string, addr: unknown): Sockaddr | null {
  return addr === undefined || addr === null ? null : addrArg(fn, addr);
}

/** Closes fds the kernel just made, when what follows the syscall failed; never throws. */
function closeMade(...fds: number[]): void {
  for (const fd of fds) {
    try {
      binding.close(fd);
    } catch {
      // the error being propagated is the one the caller needs
    }
  }
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
 * sv[0] and sv[1] (an Int32Array or a writable array). Returns 0. Both fds are close-on-exec.
 */
export function socketpair(domain: number, type: number, protocol: number, sv: Int32Array | number[]): number {
  checkArgc('socketpair', arguments.length, 4, ['domain', 'type', 'protocol', 'sv']);
  if (sv instanceof Int32Array) return binding.socketpair(domain, type, protocol, sv);
  if (!Array.isArray(sv) || !canStore(sv, 0) || !canStore(sv, 1)) {
    throw invalidType('socketpair', 'sv', 'an Int32Array or a writable array', sv);
  }
  const out = new Int32Array(2);
  binding.socketpair(domain, type, protocol, out);
  try {
    sv[0] = out[0];
    sv[1] = out[1];
  } catch (e) {
    closeMade(out[0], out[1]);
    throw e;
  }
  return 0;
}

/** Whether `a[i] = x` can succeed on a plain array (a Proxy or setter is caught later). */
function canStore(a: unknown[], i: number): boolean {
  const d = Object.getOwnPropertyDescriptor(a, i);
  if (d !== undefined) return d.writable === true;
  if (!Object.isExtensible(a)) return false;
  return i < a.length || Object.getOwnPropertyDescriptor(a, 'length')?.writable === true;
}

/** bind(fd, addr, addrlen = addr.addrlen) — assigns the address. Returns 0. */
export function bind(fd: number, addr: Sockaddr, addrlen?: number): number {
  checkArgc('bind', arguments.length, 2, ADDR_PARAMS);
  checkFd('bind', 'fd', fd);
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
// The bindings take flags only for accept4; accept's three-argument form is C's.
const ACCEPT = (fd: number, addr: Uint8Array | null, len: Uint32Array | null) => binding.accept(fd, addr, len);
const TRY_ACCEPT = (fd: number, addr: Uint8Array | null, len: Uint32Array | null) => binding.tryAccept(fd, addr, len);

/**
 * The four accept wrappers: checks (`flags` only for the accept4 forms), C's NULL address
 * (no addrlen then), the capacity, the call, and the kernel's length stored back. If storing
 * it throws (a Proxy's trap), the new fd is closed before the error goes on.
 */
function acceptInto(fn: 'accept' | 'accept4', call: AcceptCall, fd: number, addr: unknown,
                    addrlen: Addrlen | null | undefined, flags: number | undefined): number {
  checkFd(fn, 'fd', fd);
  const a = optAddrArg(fn, addr);
  const f = fn === 'accept4' ? checkFlags(fn, 'flags', flags) : 0;
  if (a === null) {
    noAddrlen(fn, addrlen);
    return call(fd, null, null, f);
  }
  const cap = addrOutBegin(fn, a, addrlen);
  const r = call(fd, a.bytes, a.addrlenBox, f);
  if (r < 0) return r; // tryAccept's -EAGAIN: nothing was made, nothing was stored
  try {
    addrOutEnd(a, addrlen, cap);
  } catch (e) {
    closeMade(r);
    throw e;
  }
  return r;
}

/**
 * accept(fd, addr?, addrlen?) — the next connection as a new fd (close-on-exec). When `addr`
 * is given, the peer's address is stored in it and its length in addr.addrlen. `addrlen` is
 * C's value-result length: a socklen_t (updated) or a number; it defaults to sizeof(addr).
 */
export function accept(fd: number, addr?: Sockaddr | null, addrlen?: Addrlen | null): number {
  checkArgc('accept', arguments.length, 1, ADDR_PARAMS);
  return acceptInto('accept', ACCEPT, fd, addr, addrlen, undefined);
}

/** accept4(fd, addr, addrlen, flags) — accept with SOCK_NONBLOCK / SOCK_CLOEXEC flags (CLOEXEC always added). */
export function accept4(fd: number, addr: Sockaddr | null | undefined, addrlen: Addrlen | null | undefined, flags: number): number {
  checkArgc('accept4', arguments.length, 4, ACCEPT4_PARAMS);
  return acceptInto('accept4', binding.accept4, fd, addr, addrlen, flags);
}

/** As accept, but returns -EAGAIN instead of throwing when no connection is pending. */
export function tryAccept(fd: number, addr?: Sockaddr | null, addrlen?: Addrlen | null): number {
  checkArgc('accept', arguments.length, 1, ADDR_PARAMS);
  return acceptInto('accept', TRY_ACCEPT, fd, addr, addrlen, undefined);
}

/** As accept4, but returns -EAGAIN instead of throwing when no connection is pending. */
export function tryAccept4(fd: number, addr: Sockaddr | null | undefined, addrlen: Addrlen | null | undefined, flags: number): number {
  checkArgc('accept4', arguments.length, 4, ACCEPT4_PARAMS);
  return acceptInto('accept4', binding.tryAccept4, fd, addr, addrlen, flags);
}

/**
 * connect(fd, addr, addrlen = addr.addrlen) — returns 0. On a non-blocking socket it throws
 * ErrnoError EINPROGRESS; wait for writability, then read SO_ERROR. A blocking connect is
 * C's call: with SO_SNDTIMEO it throws EINPROGRESS (TCP) or EAGAIN (AF_UNIX) when the
 * timeout expires and EINTR on a signal; without a timeout the kernel restarts it after
 * Node's signal handlers (docs/api.md "EINTR in blocking calls").
 */
export function connect(fd: number, addr: Sockaddr, addrlen?: number): number {
  checkArgc('connect', arguments.length, 2, ADDR_PARAMS);
  checkFd('connect', 'fd', fd);
  const a = addrArg('connect', addr);
  try {
    return binding.connect(fd, a.bytes, addrlen ?? a.addrlen);
  } catch (e) {
    throw annotate(e, a);
  }
}

/** As connect, but returns -EINPROGRESS (or -EAGAIN) instead of throwing them. */
export function tryConnect(fd: number, addr: Sockaddr, addrlen?: number): number {
  checkArgc('connect', arguments.length, 2, ADDR_PARAMS);
  checkFd('connect', 'fd', fd);
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

function nameInto(call: NameCall, fn: string, argc: number, fd: number, addr: Sockaddr, addrlen: Addrlen | undefined): number {
  checkArgc(fn, argc, 2, ADDR_PARAMS);
  checkFd(fn, 'fd', fd);
  const a = addrArg(fn, addr);
  const cap = addrOutBegin(fn, a, addrlen);
  const r = call(fd, a.bytes, a.addrlenBox);
  addrOutEnd(a, addrlen, cap);
  return r;
}

/** getsockname(fd, addr, addrlen?) — stores the local address in addr (length in addr.addrlen). */
export function getsockname(fd: number, addr: Sockaddr, addrlen?: Addrlen): number {
  return nameInto(binding.getsockname, 'getsockname', arguments.length, fd, addr, addrlen);
}

/** getpeername(fd, addr, addrlen?) — stores the peer's address in addr (length in addr.addrlen). */
export function getpeername(fd: number, addr: Sockaddr, addrlen?: Addrlen): number {
  return nameInto(binding.getpeername, 'getpeername', arguments.length, fd, addr, addrlen);
}
