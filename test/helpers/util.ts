// Shared test utilities: errno/argument-error assertions, canary buffers, loopback pairs.
import { readlinkSync } from 'node:fs';
import { expect } from 'vitest';
import * as S from './lib';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (u: Uint8Array, n = u.length): string => new TextDecoder().decode(u.subarray(0, n));

const cell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` (no event loop turn). */
export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, ms);
}

/** Polls `cond` (sleeping 2 ms between tries) until it holds or `ms` passes. */
export function waitUntil(cond: () => boolean, ms = 2000): boolean {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    sleepSync(2);
  }
  return cond();
}

/** Runs `fn`, which must throw; returns what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw, but the call returned');
}

/** Asserts `fn` throws ErrnoError{code, errno === S[code], syscall} with strerror text. */
export function expectErrno(fn: () => unknown, code: string, syscall: string): S.ErrnoError {
  const e = thrown(fn) as S.ErrnoError;
  expect(e, `${syscall} should throw ErrnoError ${code}, threw ${String(e)}`).toBeInstanceOf(S.ErrnoError);
  expect(e.code).toBe(code);
  const value = (S as unknown as Record<string, number>)[code];
  expect(typeof value).toBe('number');
  expect(e.errno).toBe(value);
  expect(e.syscall).toBe(syscall);
  expect(e.message).toContain(S.strerror(value));
  expect(e.message).toContain(code);
  return e;
}

/** Asserts `fn` throws a TypeError/RangeError whose message names `fnName` and `param`. */
export function expectArgError(
  fn: () => unknown,
  kind: typeof TypeError | typeof RangeError,
  fnName: string,
  param: string,
): void {
  const e = thrown(fn) as Error;
  expect(e, `${fnName}(${param}) threw ${String(e)}`).toBeInstanceOf(kind);
  expect(e.message.startsWith(`${fnName}: `), `message "${e.message}" names ${fnName}`).toBe(true);
  expect(e.message, `message names parameter ${param}`).toMatch(new RegExp(`\\b${param}\\b`));
}

/**
 * An ArrayBuffer with `pad` canary bytes on each side of a `len`-byte window. `view` is a
 * Uint8Array over the window; `intact()` says whether every canary byte is unchanged.
 */
export function canary(len: number, pad = 32) {
  const ab = new ArrayBuffer(len + 2 * pad);
  const all = new Uint8Array(ab);
  for (let i = 0; i < all.length; i++) all[i] = (0xa5 ^ i) & 0xff;
  const view = new Uint8Array(ab, pad, len);
  view.fill(0);
  const intact = (): boolean => {
    for (let i = 0; i < pad; i++) if (all[i] !== ((0xa5 ^ i) & 0xff)) return false;
    for (let i = pad + len; i < all.length; i++) if (all[i] !== ((0xa5 ^ i) & 0xff)) return false;
    return true;
  };
  return { ab, all, view, pad, intact };
}

/** Closes every fd given, ignoring errors (cleanup in finally blocks). */
export function closeAll(...fds: Array<number | undefined>): void {
  for (const fd of fds) {
    if (fd === undefined || fd < 0) continue;
    try {
      S.close(fd);
    } catch {
      // already closed by the test
    }
  }
}

/** SO_RCVTIMEO and SO_SNDTIMEO of `ms`, so a blocking call on `fd` cannot hang the run. */
export function bound(fd: number, ms = 5000): void {
  const tv = new S.timeval();
  tv.tv_sec = Math.floor(ms / 1000);
  tv.tv_usec = (ms % 1000) * 1000;
  S.setsockopt(fd, S.SOL_SOCKET, S.SO_RCVTIMEO, tv);
  S.setsockopt(fd, S.SOL_SOCKET, S.SO_SNDTIMEO, tv);
}

/** An IPv4 loopback address 127.0.0.1:port (port in host order). */
export function loop4(port = 0): S.sockaddr_in {
  const a = new S.sockaddr_in();
  a.sin_family = S.AF_INET;
  a.sin_port = S.htons(port);
  a.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK);
  return a;
}

/** The local port (host order) a socket is bound to, via getsockname. */
export function localPort(fd: number): number {
  const a = new S.sockaddr_storage();
  S.getsockname(fd, a);
  if (a.ss_family === S.AF_INET6) {
    const b = new S.sockaddr_in6();
    S.getsockname(fd, b);
    return S.ntohs(b.sin6_port);
  }
  const b = new S.sockaddr_in();
  S.getsockname(fd, b);
  return S.ntohs(b.sin_port);
}

/**
 * Binds `fd` to `make(port)` for a random port in [20000, 60000), retrying on EADDRINUSE
 * (at most 50 tries). Returns the port in host order.
 */
export function bindRandomPort(fd: number, make: (port: number) => S.Sockaddr): number {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    try {
      S.bind(fd, make(port));
      return port;
    } catch (e) {
      if ((e as S.ErrnoError).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error('no free port after 50 tries');
}

/** A listening TCP socket on 127.0.0.1 (kernel-chosen port), bounded in time. */
export function listener4(): { fd: number; addr: S.sockaddr_in; port: number } {
  const fd = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
  try {
    S.bind(fd, loop4(0));
    S.listen(fd, S.SOMAXCONN);
    bound(fd);
    const port = localPort(fd);
    return { fd, addr: loop4(port), port };
  } catch (e) {
    closeAll(fd);
    throw e;
  }
}

/**
 * A connected TCP pair over 127.0.0.1 without a worker: the kernel completes the handshake
 * into the listen backlog, so connect returns and accept finds the connection queued.
 */
export function tcpPair(): { client: number; server: number; close: () => void } {
  const l = listener4();
  let client = -1;
  let server = -1;
  try {
    client = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
    bound(client);
    S.connect(client, l.addr);
    server = S.accept(l.fd);
    bound(server);
  } catch (e) {
    closeAll(client, server, l.fd);
    throw e;
  }
  S.close(l.fd);
  return { client, server, close: () => closeAll(client, server) };
}

/** A socketpair(AF_UNIX, type) whose ends are bounded in time. */
export function pair(type: number = S.SOCK_STREAM): [number, number] {
  const sv = new Int32Array(2);
  S.socketpair(S.AF_UNIX, type, 0, sv);
  bound(sv[0]);
  bound(sv[1]);
  return [sv[0], sv[1]];
}

/** The kernel's name for what `fd` is ("socket:[1234]"), from /proc/self/fd. */
export function fdTarget(fd: number): string {
  return readlinkSync(`/proc/self/fd/${fd}`);
}

/** Whether `fd` is open in this process. */
export function isOpen(fd: number): boolean {
  try {
    readlinkSync(`/proc/self/fd/${fd}`);
    return true;
  } catch {
    return false;
  }
}
