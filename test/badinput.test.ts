// Bad input, run against every public function: wrong types, fds that are not integers in
// range (3.5, NaN, '3', 2**32+fd, -1, Infinity), lengths and offsets past the buffer, bad
// struct fields. Each must throw TypeError/RangeError naming the C function and the
// parameter, BEFORE any syscall. Two witnesses prove nothing reached the kernel:
//  - a sentinel socketpair [s, t]: the bad fds are derived from s (s + 0.5, String(s),
//    2**32 + s ...) so a silent coercion would land on it; afterwards s and t are still
//    open, 'sentinel' is still queued on s, nothing was sent to t, flags unchanged;
//  - canary bytes around every buffer (our own ArrayBuffer, never Buffer.allocUnsafe).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as S from './helpers/lib';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  FD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_SETFL,
  MSG_DONTWAIT,
  MSG_PEEK,
  O_NONBLOCK,
  SHUT_RDWR,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_LINGER,
  SO_RCVTIMEO,
  EAGAIN,
} from './helpers/lib';
import { bound, canary, dec, enc, isOpen, loop4, thrown } from './helpers/util';

type ErrCtor = typeof TypeError | typeof RangeError;
type AnyFn = (...args: unknown[]) => unknown;

/** Calls a public function with arguments its types would not allow. */
function call(name: keyof typeof S, ...args: unknown[]): unknown {
  return (S[name] as unknown as AnyFn)(...args);
}

let s = -1; // sentinel end the bad fds point at; has 'sentinel' queued
let t = -1; // its peer; must receive nothing
let flags = 0;
const SENT = 'sentinel';

beforeAll(() => {
  const sv = new Int32Array(2);
  S.socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  [s, t] = [sv[0], sv[1]];
  // A coerced call that reached recv/accept would block forever: bound them so it fails.
  bound(s, 1000);
  bound(t, 1000);
  S.send(t, enc(SENT));
  flags = S.fcntl(s, F_GETFL);
});

afterAll(() => {
  for (const fd of [s, t]) if (fd >= 0) S.close(fd);
});

/** The sentinel pair is exactly as beforeAll left it. */
function expectSentinelUntouched(): void {
  expect(isOpen(s) && isOpen(t)).toBe(true);
  expect(S.fcntl(s, F_GETFD)).toBe(FD_CLOEXEC);
  expect(S.fcntl(s, F_GETFL)).toBe(flags);
  const peek = new Uint8Array(64);
  expect(S.recv(s, peek, 64, MSG_PEEK | MSG_DONTWAIT)).toBe(SENT.length);
  expect(dec(peek, SENT.length)).toBe(SENT);
  expect(S.tryRecv(t, peek, 64, MSG_DONTWAIT)).toBe(-EAGAIN);
  expect(S.getsockopt(s, SOL_SOCKET, S.SO_ERROR)).toBe(0);
}

/** Asserts the call throws `kind`, message "<fn>: ..." naming `param` (a regex fragment). */
function rejects(label: string, f: () => unknown, kind: ErrCtor, fn: string | string[], param: string): void {
  const e = thrown(f) as Error;
  const fns = Array.isArray(fn) ? fn : [fn];
  expect(e, `${label}: threw ${String(e)}`).toBeInstanceOf(kind);
  expect(
    fns.some((n) => e.message.startsWith(`${n}: `)),
    `${label}: message "${e.message}" should start with ${fns.join(' or ')}`,
  ).toBe(true);
  expect(e.message, `${label}: message should name ${param}`).toMatch(new RegExp(`\\b(?:${param})\\b`));
}

/** Bad values for an fd parameter, derived from the sentinel so coercion would hit it. */
function badFds(): Array<[string, unknown, ErrCtor]> {
  return [
    ['fd + 0.5', s + 0.5, RangeError],
    ['NaN', NaN, RangeError],
    ['Infinity', Infinity, RangeError],
    ['-Infinity', -Infinity, RangeError],
    ['-1', -1, RangeError],
    ['2**32 + fd', 2 ** 32 + s, RangeError],
    ['2**31 + fd', 2 ** 31 + s, RangeError],
    ['-(2**32) + fd', -(2 ** 32) + s, RangeError],
    ["string 'fd'", String(s), TypeError],
    ['bigint fd', BigInt(s), TypeError],
    ['null', null, TypeError],
    ['undefined', undefined, TypeError],
    ['object', { valueOf: () => s }, TypeError],
  ];
}

const FD = '(?:sock)?fd';

/** Every function taking an fd first, with otherwise valid (and harmful if run) arguments. */
function fdCalls(): Array<[string, string[], (fd: unknown) => unknown]> {
  const buf = () => canary(16).view;
  return [
    ['close', ['close'], (fd) => call('close', fd)],
    ['shutdown', ['shutdown'], (fd) => call('shutdown', fd, SHUT_RDWR)],
    ['bind', ['bind'], (fd) => call('bind', fd, loop4(0))],
    ['listen', ['listen'], (fd) => call('listen', fd, 1)],
    ['accept', ['accept', 'accept4'], (fd) => call('accept', fd, new S.sockaddr_in())],
    ['accept4', ['accept4'], (fd) => call('accept4', fd, null, undefined, 0)],
    ['tryAccept', ['accept', 'accept4', 'tryAccept'], (fd) => call('tryAccept', fd)],
    ['tryAccept4', ['accept4', 'tryAccept4'], (fd) => call('tryAccept4', fd, null, undefined, 0)],
    ['connect', ['connect'], (fd) => call('connect', fd, loop4(9))],
    ['tryConnect', ['connect', 'tryConnect'], (fd) => call('tryConnect', fd, loop4(9))],
    ['getsockname', ['getsockname'], (fd) => call('getsockname', fd, new S.sockaddr_in())],
    ['getpeername', ['getpeername'], (fd) => call('getpeername', fd, new S.sockaddr_in())],
    ['send', ['send'], (fd) => call('send', fd, enc('x'))],
    ['trySend', ['send', 'trySend'], (fd) => call('trySend', fd, enc('x'))],
    ['recv', ['recv'], (fd) => call('recv', fd, buf())],
    ['tryRecv', ['recv', 'tryRecv'], (fd) => call('tryRecv', fd, buf())],
    ['read', ['read'], (fd) => call('read', fd, buf())],
    ['tryRead', ['read', 'tryRead'], (fd) => call('tryRead', fd, buf())],
    ['write', ['write'], (fd) => call('write', fd, enc('x'))],
    ['tryWrite', ['write', 'tryWrite'], (fd) => call('tryWrite', fd, enc('x'))],
    ['sendto', ['sendto'], (fd) => call('sendto', fd, enc('x'), 1, 0, null)],
    ['trySendto', ['sendto', 'trySendto'], (fd) => call('trySendto', fd, enc('x'), 1, 0, null)],
    ['recvfrom', ['recvfrom'], (fd) => call('recvfrom', fd, buf(), 16, 0, null)],
    ['tryRecvfrom', ['recvfrom', 'tryRecvfrom'], (fd) => call('tryRecvfrom', fd, buf(), 16, 0, null)],
    ['setsockopt', ['setsockopt'], (fd) => call('setsockopt', fd, SOL_SOCKET, SO_RCVBUF, 4096)],
    ['getsockopt', ['getsockopt'], (fd) => call('getsockopt', fd, SOL_SOCKET, SO_RCVBUF)],
    ['fcntl', ['fcntl'], (fd) => call('fcntl', fd, F_SETFL, O_NONBLOCK)],
  ];
}

describe('bad fds', () => {
  for (const [name, fns, f] of fdCalls()) {
    it(`${name}: an fd that is not an integer in [0, INT_MAX] throws before any syscall`, () => {
      for (const [label, value, kind] of badFds()) rejects(`${name}(${label})`, () => f(value), kind, fns, FD);
      expectSentinelUntouched();
    });
  }
});

/** Bad (len, offset) pairs against a 32-byte window, with the expected error and parameter. */
function badSpans(): Array<[string, unknown, unknown, ErrCtor, string]> {
  return [
    ['len past the end', 33, 0, RangeError, 'len|count'],
    ['len 2**32 + 1', 2 ** 32 + 1, 0, RangeError, 'len|count'],
    ['len -1', -1, 0, RangeError, 'len|count'],
    ['len 1.5', 1.5, 0, RangeError, 'len|count'],
    ['len NaN', NaN, 0, RangeError, 'len|count'],
    ['len Infinity', Infinity, 0, RangeError, 'len|count'],
    ["len '4'", '4', 0, TypeError, 'len|count'],
    ['offset past the end', undefined, 33, RangeError, 'offset'],
    ['offset + len past the end', 5, 30, RangeError, 'len|count|offset'],
    ['offset -1', 4, -1, RangeError, 'offset'],
    ['offset 2**32', 4, 2 ** 32, RangeError, 'offset'],
    ['offset 0.5', 4, 0.5, RangeError, 'offset'],
    ["offset '1'", 4, '1', TypeError, 'offset'],
  ];
}

describe('bad buffers, lengths and offsets', () => {
  // Each call names the sentinel fd, so a bounds slip would move real bytes.
  const io: Array<[string, string[], (b: unknown, len: unknown, off: unknown) => unknown]> = [
    ['send', ['send'], (b, len, off) => call('send', s, b, len, 0, off)],
    ['trySend', ['send', 'trySend'], (b, len, off) => call('trySend', s, b, len, 0, off)],
    ['recv', ['recv'], (b, len, off) => call('recv', s, b, len, 0, off)],
    ['tryRecv', ['recv', 'tryRecv'], (b, len, off) => call('tryRecv', s, b, len, 0, off)],
    ['read', ['read'], (b, len, off) => call('read', s, b, len, off)],
    ['tryRead', ['read', 'tryRead'], (b, len, off) => call('tryRead', s, b, len, off)],
    ['write', ['write'], (b, len, off) => call('write', s, b, len, off)],
    ['tryWrite', ['write', 'tryWrite'], (b, len, off) => call('tryWrite', s, b, len, off)],
    ['sendto', ['sendto'], (b, len, off) => call('sendto', s, b, len, 0, null, undefined, off)],
    ['recvfrom', ['recvfrom'], (b, len, off) => call('recvfrom', s, b, len, 0, null, undefined, off)],
    ['tryRecvfrom', ['recvfrom', 'tryRecvfrom'], (b, len, off) => call('tryRecvfrom', s, b, len, 0, null, undefined, off)],
  ];
  for (const [name, fns, f] of io) {
    it(`${name}: a len or offset outside the buffer is a RangeError and no byte moves`, () => {
      for (const [label, len, off, kind, param] of badSpans()) {
        const c = canary(32);
        c.view.fill(0x33);
        rejects(`${name}(${label})`, () => f(c.view, len, off), kind, fns, param);
        expect(c.view.every((x) => x === 0x33), `${name}(${label}) wrote into the window`).toBe(true);
        expect(c.intact(), `${name}(${label}) wrote outside the window`).toBe(true);
      }
      // The same limits hold for other views: len counts bytes of a Uint32Array / DataView.
      const c = canary(32);
      const words = new Uint32Array(c.ab, c.pad, 8);
      rejects(`${name}(Uint32Array, 33 bytes)`, () => f(words, 33, 0), RangeError, fns, 'len|count');
      const dv = new DataView(c.ab, c.pad, 32);
      rejects(`${name}(DataView, offset 40)`, () => f(dv, 1, 40), RangeError, fns, 'offset');
      expect(c.intact()).toBe(true);
      expectSentinelUntouched();
    });

    it(`${name}: a buffer that is not an ArrayBufferView or ArrayBuffer is a TypeError`, () => {
      for (const bad of ['sentinel', [1, 2, 3], { length: 4 }, null, undefined, 42]) {
        rejects(`${name}(${JSON.stringify(bad)})`, () => f(bad, undefined, undefined), TypeError, fns, 'buf|buffer');
      }
      expectSentinelUntouched();
    });
  }

  it('send and recv: flags that are not a 32-bit integer are rejected', () => {
    for (const [bad, kind] of [[1.5, RangeError], [2 ** 33, RangeError], [NaN, RangeError], ['0', TypeError]] as const) {
      rejects(`send(flags ${String(bad)})`, () => call('send', s, enc('x'), 1, bad), kind, 'send', 'flags');
      rejects(`recv(flags ${String(bad)})`, () => call('recv', s, canary(8).view, 8, bad), kind, 'recv', 'flags');
    }
    expectSentinelUntouched();
  });
});

describe('bad addresses and address lengths', () => {
  const addrCalls: Array<[string, (addr: unknown, addrlen?: unknown) => unknown]> = [
    ['bind', (a, l) => call('bind', s, a, l)],
    ['connect', (a, l) => call('connect', s, a, l)],
    ['tryConnect', (a, l) => call('tryConnect', s, a, l)],
    ['sendto', (a, l) => call('sendto', s, enc('x'), 1, 0, a, l)],
  ];
  for (const [name, f] of addrCalls) {
    it(`${name}: a non-sockaddr addr is a TypeError; an addrlen beyond the struct is a RangeError`, () => {
      const fns = name === 'tryConnect' ? ['connect', 'tryConnect'] : [name];
      for (const bad of [{}, 'x', 42, [1, 2]]) {
        rejects(`${name}(addr ${JSON.stringify(bad)})`, () => f(bad), TypeError, fns, name === 'sendto' ? 'dest_addr' : 'addr');
      }
      for (const [len, kind] of [[17, RangeError], [1000, RangeError], [-1, RangeError], [1.5, RangeError], [2 ** 32, RangeError], ['16', TypeError]] as const) {
        rejects(`${name}(addrlen ${String(len)})`, () => f(loop4(9), len), kind, fns, 'addrlen');
      }
      expectSentinelUntouched();
    });
  }

  it('bind and connect: a missing addr (null/undefined) is a TypeError', () => {
    for (const name of ['bind', 'connect'] as const) {
      rejects(`${name}(null)`, () => call(name, s, null), TypeError, name, 'addr');
      rejects(`${name}(undefined)`, () => call(name, s, undefined), TypeError, name, 'addr');
    }
    expectSentinelUntouched();
  });

  it('accept, getsockname, getpeername, recvfrom: an out-parameter that is not a sockaddr is a TypeError', () => {
    for (const bad of [{}, 'x', 42]) {
      rejects('accept', () => call('accept', s, bad), TypeError, ['accept', 'accept4'], 'addr');
      rejects('getsockname', () => call('getsockname', s, bad), TypeError, 'getsockname', 'addr');
      rejects('getpeername', () => call('getpeername', s, bad), TypeError, 'getpeername', 'addr');
      rejects('recvfrom', () => call('recvfrom', s, canary(8).view, 8, 0, bad), TypeError, 'recvfrom', 'src_addr');
    }
    for (const bad of [null, undefined]) {
      rejects('getsockname', () => call('getsockname', s, bad), TypeError, 'getsockname', 'addr');
    }
    expectSentinelUntouched();
  });

  it('accept4: flags must be a 32-bit integer', () => {
    for (const [bad, kind] of [[0.5, RangeError], [2 ** 33, RangeError], ['0', TypeError]] as const) {
      rejects('accept4', () => call('accept4', s, null, undefined, bad), kind, 'accept4', 'flags');
    }
    expectSentinelUntouched();
  });
});

describe('socket, socketpair, listen, shutdown: integer arguments', () => {
  it('socket: domain, type and protocol must be integers; no fd is created', () => {
    for (const [i, param] of [[0, 'domain'], [1, 'type'], [2, 'protocol']] as const) {
      for (const [bad, kind] of [[1.5, RangeError], [NaN, RangeError], [2 ** 32 + 1, RangeError], ['1', TypeError], [null, TypeError]] as const) {
        const args: unknown[] = [AF_INET, SOCK_STREAM, 0];
        args[i] = bad;
        rejects(`socket(${param}=${String(bad)})`, () => call('socket', ...args), kind, 'socket', param);
      }
    }
  });

  it('socketpair: sv must hold two ints; a short sv is a RangeError and no fd is created', () => {
    rejects('socketpair(short sv)', () => call('socketpair', AF_UNIX, SOCK_STREAM, 0, new Int32Array(1)), RangeError, 'socketpair', 'sv');
    for (const bad of ['sv', 42, null, undefined, {}]) {
      rejects(`socketpair(${String(bad)})`, () => call('socketpair', AF_UNIX, SOCK_STREAM, 0, bad), TypeError, 'socketpair', 'sv');
    }
    rejects('socketpair(type 1.5)', () => call('socketpair', AF_UNIX, 1.5, 0, new Int32Array(2)), RangeError, 'socketpair', 'type');
  });

  it('listen: backlog must be an integer; shutdown: how must be an integer', () => {
    for (const [bad, kind] of [[1.5, RangeError], [NaN, RangeError], [2 ** 32, RangeError], ['5', TypeError]] as const) {
      rejects('listen', () => call('listen', s, bad), kind, 'listen', 'backlog');
      rejects('shutdown', () => call('shutdown', s, bad), kind, 'shutdown', 'how');
    }
    expectSentinelUntouched();
  });
});

describe('setsockopt, getsockopt, fcntl', () => {
  it('setsockopt: an optval that is not a number, struct or ArrayBufferView is a TypeError', () => {
    for (const bad of ['1', {}, null, undefined, [1]]) {
      rejects(`setsockopt(${JSON.stringify(bad)})`, () => call('setsockopt', s, SOL_SOCKET, SO_RCVBUF, bad), TypeError, 'setsockopt', 'optval');
    }
    expectSentinelUntouched();
  });

  it('setsockopt: an int optval outside int32 or fractional is a RangeError', () => {
    for (const bad of [1.5, NaN, 2 ** 31, -(2 ** 31) - 1, Infinity]) {
      rejects(`setsockopt(${bad})`, () => call('setsockopt', s, SOL_SOCKET, SO_RCVBUF, bad), RangeError, 'setsockopt', 'optval');
    }
    expect(S.getsockopt(s, SOL_SOCKET, SO_RCVBUF)).toBeGreaterThan(0);
    expectSentinelUntouched();
  });

  it('setsockopt and getsockopt: an optlen beyond the buffer is a RangeError; the buffer is untouched', () => {
    const c = canary(4);
    rejects('setsockopt(optlen 5)', () => call('setsockopt', s, SOL_SOCKET, SO_RCVBUF, c.view, 5), RangeError, 'setsockopt', 'optlen');
    rejects('setsockopt(optlen -1)', () => call('setsockopt', s, SOL_SOCKET, SO_RCVBUF, c.view, -1), RangeError, 'setsockopt', 'optlen');
    rejects('setsockopt(optlen 2**32+4)', () => call('setsockopt', s, SOL_SOCKET, SO_RCVBUF, c.view, 2 ** 32 + 4), RangeError, 'setsockopt', 'optlen');
    rejects("setsockopt(optlen '4')", () => call('setsockopt', s, SOL_SOCKET, SO_RCVBUF, c.view, '4'), TypeError, 'setsockopt', 'optlen');
    rejects('getsockopt(optval string)', () => call('getsockopt', s, SOL_SOCKET, SO_RCVBUF, 'x'), TypeError, 'getsockopt', 'optval');
    expect(c.intact()).toBe(true);
    expectSentinelUntouched();
  });

  it('setsockopt and getsockopt: level and optname must be integers', () => {
    for (const [bad, kind] of [[1.5, RangeError], [2 ** 32 + 1, RangeError], ['1', TypeError]] as const) {
      rejects('setsockopt level', () => call('setsockopt', s, bad, SO_RCVBUF, 1), kind, 'setsockopt', 'level');
      rejects('setsockopt optname', () => call('setsockopt', s, SOL_SOCKET, bad, 1), kind, 'setsockopt', 'optname');
      rejects('getsockopt level', () => call('getsockopt', s, bad, SO_RCVBUF), kind, 'getsockopt', 'level');
      rejects('getsockopt optname', () => call('getsockopt', s, SOL_SOCKET, bad), kind, 'getsockopt', 'optname');
    }
    expectSentinelUntouched();
  });

  it('linger and timeval fields reject non-integers; SO_LINGER and SO_RCVTIMEO keep their values', () => {
    const l = new S.linger();
    rejects('linger.l_onoff', () => ((l as unknown as Record<string, unknown>).l_onoff = 1.5), RangeError, 'linger', 'l_onoff');
    rejects('linger.l_linger', () => ((l as unknown as Record<string, unknown>).l_linger = '5'), TypeError, 'linger', 'l_linger');
    const tv = new S.timeval();
    rejects('timeval.tv_sec', () => ((tv as unknown as Record<string, unknown>).tv_sec = NaN), RangeError, 'timeval', 'tv_sec');
    rejects('timeval.tv_usec', () => ((tv as unknown as Record<string, unknown>).tv_usec = '1'), TypeError, 'timeval', 'tv_usec');
    const got = new S.linger();
    S.getsockopt(s, SOL_SOCKET, SO_LINGER, got);
    expect(got.l_onoff).toBe(0);
    const gtv = new S.timeval();
    S.getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, gtv);
    expect([gtv.tv_sec, gtv.tv_usec]).toEqual([1, 0]);
  });

  it('fcntl: cmd and arg must be integers; a bad F_SETFL arg never changes the flags', () => {
    for (const [bad, kind] of [[1.5, RangeError], [NaN, RangeError], [2 ** 32 + O_NONBLOCK, RangeError], ['2048', TypeError]] as const) {
      rejects('fcntl arg', () => call('fcntl', s, F_SETFL, bad), kind, 'fcntl', 'arg');
      rejects('fcntl cmd', () => call('fcntl', s, bad, 0), kind, 'fcntl', 'cmd');
    }
    expectSentinelUntouched();
  });
});

describe('inet and byte order', () => {
  it('inet_pton: a dst too small for the family is a RangeError and stays untouched', () => {
    const c = canary(2);
    c.view.fill(7);
    rejects('inet_pton(AF_INET, 2 bytes)', () => call('inet_pton', AF_INET, '1.2.3.4', c.view), RangeError, 'inet_pton', 'dst');
    const d = canary(8);
    rejects('inet_pton(AF_INET6, 8 bytes)', () => call('inet_pton', AF_INET6, '::1', d.view), RangeError, 'inet_pton', 'dst');
    expect([...c.view]).toEqual([7, 7]);
    expect(c.intact() && d.intact()).toBe(true);
  });

  it('inet_pton, inet_ntop, inet_addr: wrong types are TypeErrors', () => {
    rejects('inet_pton src', () => call('inet_pton', AF_INET, 0x7f000001, new Uint8Array(4)), TypeError, 'inet_pton', 'src');
    rejects('inet_pton dst', () => call('inet_pton', AF_INET, '1.2.3.4', 'dst'), TypeError, 'inet_pton', 'dst');
    rejects('inet_pton af', () => call('inet_pton', '2', '1.2.3.4', new Uint8Array(4)), TypeError, 'inet_pton', 'af');
    rejects('inet_pton af 2.5', () => call('inet_pton', 2.5, '1.2.3.4', new Uint8Array(4)), RangeError, 'inet_pton', 'af');
    rejects('inet_ntop src', () => call('inet_ntop', AF_INET, '1.2.3.4'), TypeError, 'inet_ntop', 'src');
    rejects('inet_ntop short src', () => call('inet_ntop', AF_INET6, new Uint8Array(4)), RangeError, 'inet_ntop', 'src');
    rejects('inet_addr cp', () => call('inet_addr', 0x7f000001), TypeError, 'inet_addr', 'cp');
  });

  it('inet_pton and inet_addr: text with an embedded NUL is never truncated at the NUL into an address', () => {
    // C would stop at the NUL and accept "1.2.3.4"; here it is either "not an address"
    // (0 / INADDR_NONE) or an argument error naming the function and src/cp.
    const c = canary(4);
    c.view.fill(1);
    try {
      expect(S.inet_pton(AF_INET, '1.2.3.4\0junk', c.view)).toBe(0);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toMatch(/^inet_pton: .*\bsrc\b/);
    }
    expect([...c.view]).toEqual([1, 1, 1, 1]);
    expect(c.intact()).toBe(true);
    try {
      expect(S.inet_addr('1.2.3.4\0junk')).toBe(S.INADDR_NONE);
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toMatch(/^inet_addr: .*\bcp\b/);
    }
  });

  it('htons, ntohs, htonl, ntohl: wrong types are TypeErrors, values outside the C type are RangeErrors', () => {
    for (const fn of ['htons', 'ntohs'] as const) {
      rejects(fn, () => call(fn, '80'), TypeError, fn, 'hostshort|netshort|x|value');
      for (const bad of [65536, -1, 1.5, NaN]) rejects(`${fn}(${bad})`, () => call(fn, bad), RangeError, fn, 'hostshort|netshort|x|value');
    }
    for (const fn of ['htonl', 'ntohl'] as const) {
      rejects(fn, () => call(fn, '80'), TypeError, fn, 'hostlong|netlong|x|value');
      for (const bad of [2 ** 32, -1, 1.5, NaN]) rejects(`${fn}(${bad})`, () => call(fn, bad), RangeError, fn, 'hostlong|netlong|x|value');
    }
  });

  it('parseAddress: a non-string is a TypeError', () => {
    for (const bad of [42, null, undefined, {}]) rejects(`parseAddress(${String(bad)})`, () => call('parseAddress', bad), TypeError, 'parseAddress', 'address|addr|text|str|s');
  });
});

describe('sockaddr fields', () => {
  it('sin_family and sun_family reject values outside sa_family_t', () => {
    for (const [bad, kind] of [[65536, RangeError], [-1, RangeError], [1.5, RangeError], ['2', TypeError]] as const) {
      rejects('sin_family', () => ((new S.sockaddr_in() as unknown as Record<string, unknown>).sin_family = bad), kind, 'sockaddr_in', 'sin_family');
      rejects('sun_family', () => ((new S.sockaddr_un() as unknown as Record<string, unknown>).sun_family = bad), kind, 'sockaddr_un', 'sun_family');
    }
  });

  it('sun_path: a non-string is a TypeError; a too-long path a RangeError; parseAddress of a too-long path throws', () => {
    const u = new S.sockaddr_un();
    const before = [...u.bytes];
    rejects('sun_path number', () => ((u as unknown as Record<string, unknown>).sun_path = 42), TypeError, 'sockaddr_un', 'sun_path');
    rejects('sun_path long', () => (u.sun_path = '/' + 'y'.repeat(108)), RangeError, 'sockaddr_un', 'sun_path');
    expect([...u.bytes]).toEqual(before);
    expect(() => S.parseAddress('/' + 'z'.repeat(300))).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------
// One check for one mistake (issue 11, defect 8): every argument error carries Node's code,
// a wrong argument count is an error (as in C and CPython), and the TS side words its
// errors as native/ does.

/** An fd number in range that is never open here: a call that slipped through gets EBADF. */
const NOFD = 2 ** 30;

type Coded = Error & { code?: string };

/** Asserts `f` throws `kind` with `code` and exactly the message `text` (or matching it). */
function expectCoded(label: string, f: () => unknown, kind: ErrCtor, code: string, text: string | RegExp): void {
  const e = thrown(f) as Coded;
  expect(e, `${label}: threw ${String(e)}`).toBeInstanceOf(kind);
  expect(e.code, `${label}: code of "${e.message}"`).toBe(code);
  if (typeof text === 'string') expect(e.message, label).toBe(text);
  else expect(e.message, label).toMatch(text);
}

/** [export, name in messages, required count, parameter names, valid arguments (one per parameter)] */
type Arity = [keyof typeof S, string, number, string[], () => unknown[]];

/** The wrappers of lib/ (checked in TypeScript). Their fd is NOFD: nothing can happen. */
function tsArities(): Arity[] {
  const ADDR = ['fd', 'addr', 'addrlen'];
  const OPT = ['fd', 'level', 'optname', 'optval', 'optlen'];
  const SENDTO = ['fd', 'buf', 'len', 'flags', 'dest_addr', 'addrlen', 'offset'];
  const RECVFROM = ['fd', 'buf', 'len', 'flags', 'src_addr', 'addrlen', 'offset'];
  return [
    ['socketpair', 'socketpair', 4, ['domain', 'type', 'protocol', 'sv'], () => [-1, SOCK_STREAM, 0, new Int32Array(2)]],
    ['bind', 'bind', 2, ADDR, () => [NOFD, loop4(0), 16]],
    ['accept', 'accept', 1, ADDR, () => [NOFD, new S.sockaddr_in(), 16]],
    ['tryAccept', 'accept', 1, ADDR, () => [NOFD, new S.sockaddr_in(), 16]],
    ['accept4', 'accept4', 4, [...ADDR, 'flags'], () => [NOFD, null, undefined, 0]],
    ['tryAccept4', 'accept4', 4, [...ADDR, 'flags'], () => [NOFD, null, undefined, 0]],
    ['connect', 'connect', 2, ADDR, () => [NOFD, loop4(9), 16]],
    ['tryConnect', 'connect', 2, ADDR, () => [NOFD, loop4(9), 16]],
    ['getsockname', 'getsockname', 2, ADDR, () => [NOFD, new S.sockaddr_in(), 16]],
    ['getpeername', 'getpeername', 2, ADDR, () => [NOFD, new S.sockaddr_in(), 16]],
    ['sendto', 'sendto', 5, SENDTO, () => [NOFD, enc('x'), 1, 0, null, undefined, 0]],
    ['trySendto', 'sendto', 5, SENDTO, () => [NOFD, enc('x'), 1, 0, null, undefined, 0]],
    ['recvfrom', 'recvfrom', 4, RECVFROM, () => [NOFD, new Uint8Array(4), 4, 0, null, undefined, 0]],
    ['tryRecvfrom', 'recvfrom', 4, RECVFROM, () => [NOFD, new Uint8Array(4), 4, 0, null, undefined, 0]],
    ['sendAll', 'sendAll', 2, ['fd', 'buf', 'flags'], () => [NOFD, enc('x'), 0]],
    ['setsockopt', 'setsockopt', 4, OPT, () => [NOFD, SOL_SOCKET, SO_RCVBUF, 4096, 4]],
    ['getsockopt', 'getsockopt', 3, OPT, () => [NOFD, SOL_SOCKET, SO_RCVBUF, new Uint8Array(4), 4]],
    ['inet_pton', 'inet_pton', 3, ['af', 'src', 'dst'], () => [AF_INET, '1.2.3.4', new Uint8Array(4)]],
    ['inet_ntop', 'inet_ntop', 2, ['af', 'src'], () => [AF_INET, new Uint8Array(4)]],
    ['htons', 'htons', 1, ['hostshort'], () => [1]],
    ['ntohs', 'ntohs', 1, ['netshort'], () => [1]],
    ['htonl', 'htonl', 1, ['hostlong'], () => [1]],
    ['ntohl', 'ntohl', 1, ['netlong'], () => [1]],
    ['parseAddress', 'parseAddress', 1, ['text'], () => ['127.0.0.1:1']],
    ['sizeof', 'sizeof', 1, ['s'], () => [new S.timeval()]],
    ['errnoName', 'errnoName', 1, ['errno'], () => [EAGAIN]],
    ['strerror', 'strerror', 1, ['errnum'], () => [EAGAIN]],
    ['isEINTR', 'isEINTR', 1, ['err'], () => [null]],
  ];
}

/**
 * The addon's own functions, re-exported as they are (the hot path has no JS wrapper): their
 * count is checked by native CheckArgc. These tests document the errors they must give; they
 * fail until the native argument-count checks of socket.cc, io.cc, sockopt.cc and inet.cc land.
 */
function nativeArities(): Arity[] {
  const SEND = ['fd', 'buf', 'len', 'flags', 'offset'];
  const RW = ['fd', 'buf', 'count', 'offset'];
  const x = () => enc('x');
  return [
    ['socket', 'socket', 3, ['domain', 'type', 'protocol'], () => [-1, SOCK_STREAM, 0]],
    ['listen', 'listen', 2, ['fd', 'backlog'], () => [NOFD, 1]],
    ['shutdown', 'shutdown', 2, ['fd', 'how'], () => [NOFD, SHUT_RDWR]],
    ['close', 'close', 1, ['fd'], () => [NOFD]],
    ['send', 'send', 2, SEND, () => [NOFD, x(), 1, 0, 0]],
    ['trySend', 'send', 2, SEND, () => [NOFD, x(), 1, 0, 0]],
    ['recv', 'recv', 2, SEND, () => [NOFD, x(), 1, 0, 0]],
    ['tryRecv', 'recv', 2, SEND, () => [NOFD, x(), 1, 0, 0]],
    ['read', 'read', 2, RW, () => [NOFD, x(), 1, 0]],
    ['tryRead', 'read', 2, RW, () => [NOFD, x(), 1, 0]],
    ['write', 'write', 2, RW, () => [NOFD, x(), 1, 0]],
    ['tryWrite', 'write', 2, RW, () => [NOFD, x(), 1, 0]],
    ['fcntl', 'fcntl', 2, ['fd', 'cmd', 'arg'], () => [NOFD, F_GETFL, 0]],
    ['inet_addr', 'inet_addr', 1, ['cp'], () => ['1.2.3.4']],
  ];
}

function arityCases(table: () => Arity[], names: 'exact' | 'loose'): void {
  for (const [name, fn, min, params, args] of table()) {
    const max = params.length;
    const takes = min === max ? `${max}` : `${min} to ${max}`;
    it(`${name}: a missing argument is ERR_MISSING_ARGS, an extra one ERR_TOO_MANY_ARGS`, () => {
      const full = args();
      expect(full.length).toBe(max);
      for (let k = 0; k < min; k++) {
        const text =
          names === 'exact'
            ? `${fn}: missing argument '${params[k]}' (takes ${takes} arguments, got ${k})`
            : new RegExp(`^(?:${fn}|${name}): missing argument '\\w+' \\(takes ${takes} arguments, got ${k}\\)$`);
        expectCoded(`${name} with ${k} arguments`, () => call(name, ...full.slice(0, k)), TypeError, 'ERR_MISSING_ARGS', text);
      }
      const text = names === 'exact' ? `${fn}: takes at most ${max} arguments, got ${max + 1}` : new RegExp(`^(?:${fn}|${name}): takes at most ${max} arguments, got ${max + 1}$`);
      expectCoded(`${name} with ${max + 1} arguments`, () => call(name, ...full, 'extra'), TypeError, 'ERR_TOO_MANY_ARGS', text);
      expectSentinelUntouched();
    });
  }
}

describe('argument counts: the TypeScript wrappers', () => {
  arityCases(tsArities, 'exact');

  it('struct constructors: more arguments than they take is ERR_TOO_MANY_ARGS', () => {
    const ctors: Array<[string, number]> = [
      ['timeval', 3],
      ['timespec', 3],
      ['linger', 3],
      ['in_addr', 1],
      ['in6_addr', 1],
      ['sockaddr_in', 2],
      ['sockaddr_in6', 2],
      ['sockaddr_un', 2],
      ['sockaddr_storage', 0],
      ['socklen_t', 1],
    ];
    for (const [name, max] of ctors) {
      const C = S[name as keyof typeof S] as unknown as new (...a: unknown[]) => unknown;
      const args = new Array<unknown>(max + 1).fill(undefined);
      expectCoded(`new ${name}(${max + 1} args)`, () => new C(...args), TypeError, 'ERR_TOO_MANY_ARGS', `${name}: takes at most ${max} arguments, got ${max + 1}`);
    }
  });
});

describe('argument counts: the addon functions re-exported as they are (native CheckArgc)', () => {
  arityCases(nativeArities, 'loose');
});

describe('argument errors carry Node codes and the native wording', () => {
  it('sendAll: a non-buffer or a non-integer fd throws before anything is sent (it returned undefined)', () => {
    expectCoded("sendAll(fd, 'hello')", () => call('sendAll', t, 'hello'), TypeError, 'ERR_INVALID_ARG_TYPE', "sendAll: buf must be an ArrayBufferView or ArrayBuffer, got string 'hello'");
    expectCoded('sendAll(3.5, buf)', () => call('sendAll', 3.5, enc('x')), RangeError, 'ERR_OUT_OF_RANGE', 'sendAll: fd must be an integer in [0, 2147483647], got 3.5');
    expectCoded('sendAll(fd + 0.5, empty)', () => call('sendAll', t + 0.5, new Uint8Array(0)), RangeError, 'ERR_OUT_OF_RANGE', /^sendAll: fd must be/);
    expectCoded("sendAll(flags '0')", () => call('sendAll', t, enc('x'), '0'), TypeError, 'ERR_INVALID_ARG_TYPE', "sendAll: flags must be an integer, got string '0'");
    const gone = new ArrayBuffer(8);
    structuredClone(gone, { transfer: [gone] });
    expectCoded('sendAll(detached)', () => call('sendAll', t, gone), TypeError, 'ERR_INVALID_ARG_TYPE', 'sendAll: buf must be an ArrayBufferView or ArrayBuffer, got a detached buffer');
    expectSentinelUntouched();
  });

  it('a bad fd reads the same from a TS wrapper as from the addon', () => {
    for (const bad of [s + 0.5, -1, String(s)]) {
      const native = thrown(() => call('listen', bad, 1)) as Coded;
      for (const name of ['bind', 'connect', 'getsockname', 'sendAll'] as const) {
        const args = name === 'sendAll' ? [bad, enc('x')] : [bad, new S.sockaddr_in()];
        const e = thrown(() => call(name, ...args)) as Coded;
        expect(e.constructor).toBe(native.constructor);
        expect(e.code).toBe(native.code);
        expect(e.message.replace(/^\w+: /, '')).toBe(native.message.replace(/^\w+: /, ''));
      }
    }
    expectSentinelUntouched();
  });

  it('every TypeScript-side check throws with a code', () => {
    const T = 'ERR_INVALID_ARG_TYPE';
    const R = 'ERR_OUT_OF_RANGE';
    const cases: Array<[string, () => unknown, ErrCtor, string]> = [
      ['htons(3.5)', () => call('htons', 3.5), RangeError, R],
      ["htonl('1')", () => call('htonl', '1'), TypeError, T],
      ['parseAddress(42)', () => call('parseAddress', 42), TypeError, T],
      ["parseAddress('nope')", () => call('parseAddress', 'nope'), RangeError, R],
      ["parseAddress('1.2.3:80')", () => call('parseAddress', '1.2.3:80'), RangeError, R],
      ['parseAddress(long path)', () => call('parseAddress', '/' + 'p'.repeat(200)), RangeError, R],
      ['sun_path = 42', () => ((new S.sockaddr_un() as unknown as Record<string, unknown>).sun_path = 42), TypeError, T],
      ['sun_path = long', () => (new S.sockaddr_un().sun_path = '/' + 'p'.repeat(200)), RangeError, R],
      ["sun_path = 'a\\0b'", () => (new S.sockaddr_un().sun_path = 'a\0b'), RangeError, R],
      ['new sockaddr_in(2 bytes)', () => new S.sockaddr_in(new Uint8Array(2)), RangeError, R],
      ["new sockaddr_in('x')", () => new (S.sockaddr_in as unknown as new (b: unknown) => unknown)('x'), TypeError, T],
      ['new sockaddr_in(bytes, [16])', () => new (S.sockaddr_in as unknown as new (b: unknown, l: unknown) => unknown)(new Uint8Array(16), [16]), TypeError, T],
      ['storage.cast() of family 0', () => new S.sockaddr_storage().cast(), RangeError, R],
      ['sizeof({})', () => call('sizeof', {}), TypeError, T],
      ['bind(s, {})', () => call('bind', s, {}), TypeError, T],
      ['accept(s, addr, 1.5)', () => call('accept', s, new S.sockaddr_in(), 1.5), RangeError, R],
      ['getsockname(s, addr, 17)', () => call('getsockname', s, new S.sockaddr_in(), 17), RangeError, R],
      ["socketpair(sv 'sv')", () => call('socketpair', AF_UNIX, SOCK_STREAM, 0, 'sv'), TypeError, T],
      ["getsockopt(optval 'x')", () => call('getsockopt', s, SOL_SOCKET, SO_RCVBUF, 'x'), TypeError, T],
      ["inet_pton(dst 'dst')", () => call('inet_pton', AF_INET, '1.2.3.4', 'dst'), TypeError, T],
      ['inet_ntop(af 2.5)', () => call('inet_ntop', 2.5, new Uint8Array(4)), RangeError, R],
      ["sendto(dest_addr 'x')", () => call('sendto', s, enc('x'), 1, 0, 'x'), TypeError, T],
      ['recvfrom(src_addr {})', () => call('recvfrom', s, new Uint8Array(4), 4, 0, {}), TypeError, T],
      ['strerror(1.5)', () => call('strerror', 1.5), RangeError, R],
      ['errnoName(NaN)', () => call('errnoName', NaN), RangeError, R],
      ['timeval.tv_sec = 0.5', () => (new S.timeval().tv_sec = 0.5), RangeError, R],
      ['new socklen_t(-1)', () => new S.socklen_t(-1), RangeError, R],
    ];
    for (const [label, f, kind, code] of cases) expectCoded(label, f, kind, code, /^[\w.]+: /);
    expectSentinelUntouched();
  });
});

describe('struct accessors check their receiver', () => {
  /** Every struct class with a valid instance, the name its errors use, and a good field value. */
  const structs = (): Array<[string, object, string]> => [
    ['timeval', S.timeval.prototype, 'timeval'],
    ['timespec', S.timespec.prototype, 'timespec'],
    ['linger', S.linger.prototype, 'linger'],
    ['in_addr', S.in_addr.prototype, 'in_addr'],
    ['in6_addr', S.in6_addr.prototype, 'in6_addr'],
    ['Sockaddr', S.Sockaddr.prototype, 'sockaddr'],
    ['sockaddr_in', S.sockaddr_in.prototype, 'sockaddr_in'],
    ['sockaddr_in6', S.sockaddr_in6.prototype, 'sockaddr_in6'],
    ['sockaddr_un', S.sockaddr_un.prototype, 'sockaddr_un'],
    ['sockaddr_storage', S.sockaddr_storage.prototype, 'sockaddr_storage'],
  ];

  it("sockaddr_un.pathBytes on a sockaddr_in is a TypeError naming the struct (it returned the sockaddr_in's bytes)", () => {
    const a = loop4(80);
    expectCoded('pathBytes.call(sockaddr_in)', () => S.sockaddr_un.prototype.pathBytes.call(a as unknown as S.sockaddr_un), TypeError, 'ERR_INVALID_ARG_TYPE', 'sockaddr_un.pathBytes: this must be a sockaddr_un, got object');
    const d = Object.getOwnPropertyDescriptor(S.sockaddr_un.prototype, 'sun_path')!;
    expectCoded('sun_path.set.call(sockaddr_in)', () => d.set!.call(a, '/x'), TypeError, 'ERR_INVALID_ARG_TYPE', 'sockaddr_un.sun_path: this must be a sockaddr_un, got object');
    expect(S.ntohs(a.sin_port)).toBe(80);
    expect(a.toString()).toBe('127.0.0.1:80');
  });

  it('every field accessor and method of every struct rejects a foreign receiver, and writes nothing', () => {
    let checked = 0;
    for (const [cls, proto, name] of structs()) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === 'constructor') continue;
        const d = Object.getOwnPropertyDescriptor(proto, key)!;
        // A foreign struct (its bytes must not change), a plain object, and Object.create(proto).
        const victims: Array<[string, unknown]> = [
          ['foreign struct', name === 'timeval' ? new S.linger(1, 7) : new S.timeval(5, 6)],
          ['plain object', {}],
          ['bare prototype object', Object.create(proto)],
        ];
        for (const [what, victim] of victims) {
          const snapshot = what === 'foreign struct' ? [...(victim as S.Struct).bytes] : undefined;
          const uses: Array<[string, () => unknown]> = [];
          if (d.get) uses.push([`get ${key}`, () => d.get!.call(victim)]);
          if (d.set) uses.push([`set ${key}`, () => d.set!.call(victim, 0)]);
          if (typeof d.value === 'function') uses.push([`${key}()`, () => (d.value as () => unknown).call(victim)]);
          for (const [use, f] of uses) {
            expectCoded(`${cls} ${use} on a ${what}`, f, TypeError, 'ERR_INVALID_ARG_TYPE', `${name}.${key}: this must be a ${name}, got object`);
            checked++;
          }
          if (snapshot) expect([...(victim as S.Struct).bytes], `${cls}.${key} wrote into a ${what}`).toEqual(snapshot);
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('subclasses and views of a struct are still accepted', () => {
    class mine extends S.sockaddr_in {}
    const m = new mine();
    m.sin_port = S.htons(7);
    expect(S.ntohs(m.sin_port)).toBe(7);
    const st = new S.sockaddr_storage();
    st.bytes[0] = AF_INET & 0xff;
    st.bytes[1] = AF_INET >> 8;
    expect((st.cast() as S.sockaddr_in).sin_port).toBe(0);
    expect(S.sizeof(m)).toBe(S.binding.layout.sockaddr_in.size);
  });
});
