// The native argument layer (native/args.h, args.cc): the same mistake gets the same error
// as lib/check.ts gives it — Describe prints what describe() prints, every binding function
// of select/poll/epoll/inet/errors counts its arguments, and a detached buffer is a
// TypeError before any syscall.
import { describe, expect, it } from 'vitest';
import {
  AF_INET, AF_INET6, epoll_create1, epoll_event, epoll_wait, FD_CLR, FD_ISSET, FD_SET, fd_set, FD_ZERO,
  inet_addr, inet_ntop, poll, pollfd, ppoll, pselect, read, recv, select, send, strerror, write,
} from '../lib';
import * as S from '../lib';
import { binding } from '../lib/binding';
import { describe as describeValue } from '../lib/check';
import { kArrayBuffer, NONE } from '../lib/mux';
import { closeAll, unixPair } from './helpers/mux-sockets';

/** Runs `fn`, which must throw; returns what it threw. */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw, but the call returned');
}

/** A detached ArrayBuffer, or a view made over a buffer that was then detached. */
function detached(): ArrayBuffer;
function detached<V>(view: (ab: ArrayBuffer) => V): V;
function detached<V>(view?: (ab: ArrayBuffer) => V): V | ArrayBuffer {
  const ab = new ArrayBuffer(64);
  const v = view?.(ab);
  structuredClone(ab, { transfer: [ab] });
  return v ?? ab;
}

describe('native Describe is lib/check.ts describe()', () => {
  const values: unknown[] = [
    3.5, -0, 0, 1, -1, NaN, Infinity, -Infinity, 1e21, 1.5e21, 1e-7, 1.5e-7, 0.000001, 123456789012345680000,
    2 ** 53 + 2, 0.1 + 0.2, 5e-324, Number.MAX_VALUE, -1e-10, 2 ** 31, 4294967296.5,
    '', '3', 'a'.repeat(20), 'a'.repeat(21), 'héllo wörld ünïcödé ok', '😀'.repeat(12), 'x\u00e9'.repeat(15),
    undefined, null, true, 10n, Symbol('s'), () => 0, [1], {}, new Proxy([], {}), new Uint8Array(1),
  ];
  it('for numbers (as String(v)), strings (20 UTF-16 units, then ...) and every other type', () => {
    for (const v of values) {
      // maxevents must be in [1, 0] for an empty events buffer: every value is rejected and
      // described by native Describe.
      const e = thrown(() => binding.epoll_wait(0, new ArrayBuffer(0), v as number, 0));
      const want = describeValue(v);
      expect(e.message.endsWith(`, got ${want}`), `${String(e.message)} vs ${want}`).toBe(true);
    }
  });
});

describe('argument counts of the raw addon (CheckArgc)', () => {
  const ev = epoll_event.array(1)[kArrayBuffer];
  const pf = pollfd.array(1)[kArrayBuffer];
  const table: [string, (...a: unknown[]) => unknown, number, number, string[]][] = [
    ['select', binding.select, 5, 6, ['nfds', 'readfds', 'writefds', 'exceptfds', 'timeout']],
    ['pselect', binding.pselect, 6, 7, ['nfds', 'readfds', 'writefds', 'exceptfds', 'timeout', 'sigmask']],
    ['poll', binding.poll, 3, 4, ['fds', 'nfds', 'timeout']],
    ['ppoll', binding.ppoll, 4, 5, ['fds', 'nfds', 'tmo_p', 'sigmask']],
    ['epoll_create1', binding.epoll_create1, 1, 1, ['flags']],
    ['epoll_ctl', binding.epoll_ctl, 4, 4, ['epfd', 'op', 'fd', 'event']],
    ['epoll_wait', binding.epoll_wait, 4, 5, ['epfd', 'events', 'maxevents', 'timeout']],
    ['epoll_pwait', binding.epoll_pwait, 5, 6, ['epfd', 'events', 'maxevents', 'timeout', 'sigmask']],
    ['epoll_pwait2', binding.epoll_pwait2, 5, 6, ['epfd', 'events', 'maxevents', 'timeout', 'sigmask']],
    ['setEpollDataU64', binding.setEpollDataU64, 3, 3, ['bytes', 'offset', 'value']],
    ['inet_pton', binding.inet_pton, 3, 3, ['af', 'src', 'dst']],
    ['inet_ntop', binding.inet_ntop, 2, 2, ['af', 'src']],
    ['inet_addr', binding.inet_addr, 1, 1, ['cp']],
    ['strerror', binding.strerror, 1, 1, ['errnum']],
    ['setErrnoError', binding.setErrnoError, 1, 1, ['ctor']],
  ];
  it('too few is ERR_MISSING_ARGS naming the first missing parameter; too many is ERR_TOO_MANY_ARGS', () => {
    for (const [fn, f, min, max, params] of table) {
      const takes = min === max ? `${max}` : `${min} to ${max}`;
      for (let argc = 0; argc < min; argc++) {
        const e = thrown(() => f(...new Array(argc).fill(undefined)));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.code).toBe('ERR_MISSING_ARGS');
        expect(e.message).toBe(`${fn}: missing argument '${params[argc]}' (takes ${takes} arguments, got ${argc})`);
      }
      for (const argc of [max + 1, max + 5]) {
        const e = thrown(() => f(...new Array(argc).fill(undefined)));
        expect(e.code).toBe('ERR_TOO_MANY_ARGS');
        expect(e.message).toBe(`${fn}: takes at most ${max} arguments, got ${argc}`);
      }
    }
    // The counts are checked before anything else, and valid calls of each arity still work.
    expect(binding.poll(pf, 0, 0)).toBe(0);
    expect(binding.poll(pf, 0, 0, true)).toBe(0);
    expect(() => binding.epoll_wait(0, ev, 1, 0, true, 'extra')).toThrow(/takes at most 5 arguments, got 6/);
  });

  it('the public wrappers count their arguments too: poll() says ERR_MISSING_ARGS, never an internal TypeError', () => {
    const cases: [() => unknown, string, string][] = [
      [() => (poll as () => number)(), 'ERR_MISSING_ARGS', "poll: missing argument 'fds' (takes 3 to 4 arguments, got 0)"],
      [() => (poll as (...a: unknown[]) => number)(pollfd.array(1), 1, 0, {}, 1), 'ERR_TOO_MANY_ARGS', 'poll: takes at most 4 arguments, got 5'],
      [() => (ppoll as () => number)(), 'ERR_MISSING_ARGS', "ppoll: missing argument 'fds' (takes 3 to 5 arguments, got 0)"],
      [() => (select as () => number)(), 'ERR_MISSING_ARGS', "select: missing argument 'nfds' (takes 5 to 6 arguments, got 0)"],
      [() => (pselect as (...a: unknown[]) => number)(0, null, null, null), 'ERR_MISSING_ARGS', "pselect: missing argument 'timeout' (takes 5 to 7 arguments, got 4)"],
      [() => (epoll_wait as () => number)(), 'ERR_MISSING_ARGS', "epoll_wait: missing argument 'epfd' (takes 4 to 5 arguments, got 0)"],
      [() => (epoll_create1 as (...a: unknown[]) => number)(0, 1), 'ERR_TOO_MANY_ARGS', 'epoll_create1: takes at most 1 arguments, got 2'],
      [() => (FD_SET as (...a: unknown[]) => void)(1), 'ERR_MISSING_ARGS', "FD_SET: missing argument 'set' (takes 2 arguments, got 1)"],
      [() => (FD_ISSET as (...a: unknown[]) => void)(1, new fd_set(), 3), 'ERR_TOO_MANY_ARGS', 'FD_ISSET: takes at most 2 arguments, got 3'],
      [() => (FD_CLR as () => void)(), 'ERR_MISSING_ARGS', "FD_CLR: missing argument 'fd' (takes 2 arguments, got 0)"],
      [() => (FD_ZERO as () => void)(), 'ERR_MISSING_ARGS', "FD_ZERO: missing argument 'set' (takes 1 arguments, got 0)"],
      [() => (pollfd.array as () => unknown)(), 'ERR_MISSING_ARGS', "pollfd.array: missing argument 'n' (takes 1 arguments, got 0)"],
      [() => (epoll_event.array as (...a: unknown[]) => unknown)(1, 2), 'ERR_TOO_MANY_ARGS', 'epoll_event.array: takes at most 1 arguments, got 2'],
      [() => (inet_addr as (...a: unknown[]) => number)('1.2.3.4', 1), 'ERR_TOO_MANY_ARGS', 'inet_addr: takes at most 1 arguments, got 2'],
      [() => (strerror as () => string)(), 'ERR_MISSING_ARGS', "strerror: missing argument 'errnum' (takes 1 arguments, got 0)"],
    ];
    cases.push([() => poll(pollfd.array(1), 0, 0, 5 as never), 'ERR_INVALID_ARG_TYPE', 'poll: options must be an object, got 5']);
    for (const [call, code, message] of cases) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(TypeError);
      expect([e.code, e.message]).toEqual([code, message]);
    }
  });
});

describe('detached buffers are a TypeError before any syscall', () => {
  const msg = (fn: string, param: string) =>
    `${fn}: ${param} must be an ArrayBufferView or ArrayBuffer, got a detached buffer`;

  it('recv/send/read/write on a detached ArrayBuffer or a view over one: TypeError, never 0 (which reads as EOF)', () => {
    const [a, b] = unixPair();
    try {
    send(b, new Uint8Array([7]));
    for (const buf of [detached(), detached((ab) => new Uint8Array(ab)), detached((ab) => new DataView(ab)), detached((ab) => new Int32Array(ab, 8, 2))]) {
      for (const [fn, call] of [['recv', recv], ['send', send], ['read', read], ['write', write]] as const) {
        const e = thrown(() => call(a, buf as Uint8Array));
        expect(e).toBeInstanceOf(TypeError);
        expect([e.code, e.message]).toEqual(['ERR_INVALID_ARG_TYPE', msg(fn, 'buf')]);
      }
    }
    // The queued byte is still there: nothing was consumed by the rejected calls.
    const out = new Uint8Array(4);
    expect(recv(a, out)).toBe(1);
    expect(out[0]).toBe(7);
    // An empty live buffer is still fine (and reads 0 bytes as C would).
    expect(send(a, new Uint8Array(0))).toBe(0);
    } finally {
      closeAll([a, b]);
    }
  });

  it('poll/epoll_wait/select/inet_ntop on detached memory: TypeError', () => {
    const epfd = epoll_create1(0);
    try {
    const fds = pollfd.array(1);
    structuredClone(fds[kArrayBuffer], { transfer: [fds[kArrayBuffer]] });
    expect(thrown(() => poll(fds, 0, 0)).message).toBe(msg('poll', 'fds'));
    expect(thrown(() => ppoll(fds, 0, null)).message).toBe(msg('ppoll', 'fds'));
    const events = epoll_event.array(1);
    structuredClone(events[kArrayBuffer], { transfer: [events[kArrayBuffer]] });
    expect(thrown(() => epoll_wait(epfd, events, 1, 0)).message).toBe(msg('epoll_wait', 'events'));
    const set = new fd_set();
    structuredClone(set.bytes.buffer, { transfer: [set.bytes.buffer] });
    expect(thrown(() => select(1, set, null, null, null)).message).toBe(msg('select', 'readfds'));
    expect(thrown(() => pselect(1, null, set, null, null)).message).toBe(msg('pselect', 'writefds'));
    // Straight to the addon: a detached buffer is not C's NULL (an EMPTY live one is).
    expect(thrown(() => binding.select(0, detached(), NONE, NONE, NONE)).message).toBe(msg('select', 'readfds'));
    expect(thrown(() => binding.ppoll(new Uint8Array(8), 1, NONE, detached((ab) => new Int32Array(ab))))
      .message).toBe(msg('ppoll', 'sigmask'));
    expect(thrown(() => binding.inet_ntop(AF_INET, detached((ab) => new Uint8Array(ab, 0, 4)))).message)
      .toBe(msg('inet_ntop', 'src'));
    } finally {
      closeAll([epfd]);
    }
  });
});

describe('inet_ntop takes exactly one address', () => {
  it('4 bytes for AF_INET and 16 for AF_INET6; anything else is a RangeError', () => {
    expect(inet_ntop(AF_INET, new Uint8Array([127, 0, 0, 1]))).toBe('127.0.0.1');
    expect(inet_ntop(AF_INET6, new Uint8Array(16))).toBe('::');
    for (const [af, n] of [[AF_INET, 3], [AF_INET, 5], [AF_INET, 16], [AF_INET6, 4], [AF_INET6, 15], [AF_INET6, 17]]) {
      const e = thrown(() => inet_ntop(af, new Uint8Array(n)));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.code).toBe('ERR_OUT_OF_RANGE');
      expect(e.message).toBe(
        `inet_ntop: src must hold exactly ${af === AF_INET ? 4 : 16} bytes for ${af === AF_INET ? 'AF_INET' : 'AF_INET6'}, got ${n}`);
    }
  });
});

describe('struct accessors check their receiver', () => {
  it('a pollfd accessor on an epoll_event (or the reverse) is a TypeError and writes nothing', () => {
    const ev = new epoll_event();
    ev.events = 0x11223344;
    const p = new pollfd();
    const pd = (k: string) => Object.getOwnPropertyDescriptor(pollfd.prototype, k)!;
    const ed = (k: string) => Object.getOwnPropertyDescriptor(epoll_event.prototype, k)!;
    for (const k of ['fd', 'events', 'revents']) {
      const e = thrown(() => pd(k).set!.call(ev, 3));
      expect(e).toBeInstanceOf(TypeError);
      expect([e.code, e.message]).toEqual(['ERR_INVALID_ARG_TYPE', `pollfd.${k}: this must be a pollfd, got object`]);
      expect(thrown(() => pd(k).get!.call(ev)).message).toBe(`pollfd.${k}: this must be a pollfd, got object`);
      expect(thrown(() => pd(k).get!.call(Object.create(pollfd.prototype))).code).toBe('ERR_INVALID_ARG_TYPE');
      expect(thrown(() => pd(k).get!.call(3)).message).toBe(`pollfd.${k}: this must be a pollfd, got 3`);
    }
    expect(ev.events).toBe(0x11223344);
    expect(thrown(() => ed('events').set!.call(p, 1)).message).toBe('epoll_event.events: this must be an epoll_event, got object');
    const dd = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(ev.data), 'fd')!;
    expect(thrown(() => dd.set!.call(p, 1)).message).toBe('epoll_event.data.fd: this must be an epoll_data, got object');
    expect(p.fd).toBe(0);
    // A look-alike of fd_set is not an fd_set.
    const fake = Object.create(fd_set.prototype);
    expect(thrown(() => FD_SET(1, fake)).message).toBe('FD_SET: set must be an fd_set, got object');
    expect(thrown(() => FD_ZERO(fake)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(thrown(() => select(1, fake, null, null, null)).message).toBe('select: readfds must be an fd_set or null, got object');
  });
});

describe('timeout arguments of the waits', () => {
  it('select/pselect/ppoll/epoll_pwait2: a timeout of the wrong struct, a Proxy or a revoked Proxy is a coded TypeError naming the parameter', () => {
    const [a, b] = unixPair();
    const epfd = S.epoll_create1(0);
    try {
      const { proxy, revoke } = Proxy.revocable(new S.timespec(), {});
      revoke();
      const bad: unknown[] = [new S.timeval(), new Proxy(new S.timespec(), {}), proxy, {}, 0];
      const set = new S.fd_set();
      for (const t of bad) {
        const calls: Array<[string, () => unknown]> = [
          ['pselect: timeout', () => S.pselect(0, set, null, null, t as S.timespec)],
          ['ppoll: tmo_p', () => S.ppoll(S.pollfd.array(1), 0, t as S.timespec)],
          ['epoll_pwait2: timeout', () => S.epoll_pwait2(epfd, S.epoll_event.array(1), 1, t as S.timespec)],
        ];
        if (t !== bad[0]) calls.push(['select: timeout', () => S.select(0, set, null, null, t as S.timeval)]);
        for (const [what, call] of calls) {
          let err: unknown;
          try {
            call();
          } catch (e) {
            err = e;
          }
          expect(err, what).toBeInstanceOf(TypeError);
          expect((err as { code?: string }).code, what).toBe('ERR_INVALID_ARG_TYPE');
          expect((err as Error).message.startsWith(`${what} must be a`), what).toBe(true);
        }
      }
    } finally {
      closeAll([a, b, epfd]);
    }
  });
});

describe('fuzz findings', () => {
  const coded = (fn: () => unknown, cls: ErrorConstructor, code: string, msg: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect((err as { code?: string }).code).toBe(code);
    expect((err as Error).message).toMatch(msg);
  };

  it('Struct and Sockaddr are abstract: new on them is ERR_ILLEGAL_CONSTRUCTOR, never an engine RangeError', () => {
    const Abstract = S.Struct as unknown as new (...a: unknown[]) => unknown;
    const AbstractAddr = S.Sockaddr as unknown as new (...a: unknown[]) => unknown;
    coded(() => new Abstract(-3), TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', /^Struct: an abstract base class/);
    coded(() => new Abstract(2 ** 31), TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', /^Struct: /);
    coded(() => new AbstractAddr(Infinity), TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', /^Sockaddr: /);
  });

  it('timeval/timespec/linger over existing bytes still check their field arguments', () => {
    const bytes = new Uint8Array(64);
    coded(() => new S.timeval(Symbol() as unknown as number, 0, bytes), TypeError, 'ERR_INVALID_ARG_TYPE', /^timeval: tv_sec must be an integer/);
    coded(() => new S.timespec(0, 0.5, bytes), RangeError, 'ERR_OUT_OF_RANGE', /^timespec: tv_nsec must be an integer/);
    coded(() => new S.linger(0, 'x' as unknown as number, bytes), TypeError, 'ERR_INVALID_ARG_TYPE', /^linger: l_linger/);
    expect(bytes.every((b) => b === 0)).toBe(true);
  });

  it('poll on a plain array: an entry whose revents cannot be set fails before the wait', () => {
    const [a, b] = unixPair();
    try {
      S.send(a, new Uint8Array([1]));
      const entry = Object.freeze({ fd: b, events: S.POLLIN, revents: 0 });
      coded(() => S.poll([entry], 1, 0), TypeError, 'ERR_INVALID_ARG_TYPE', /^poll: fds\[0\] must be an object whose revents can be set/);
      // nothing was consumed, and a writable entry works
      const ok = { fd: b, events: S.POLLIN, revents: 0 };
      expect(S.poll([ok], 1, 0)).toBe(1);
      expect(ok.revents & S.POLLIN).toBe(S.POLLIN);
    } finally {
      closeAll([a, b]);
    }
  });

  it('accept/recvfrom with no addr: an addrlen given anyway is a TypeError before the call', () => {
    const [a, b] = unixPair();
    try {
      S.send(a, new Uint8Array([7]));
      coded(() => S.recvfrom(b, new Uint8Array(4), 4, 0, null, new DataView(new ArrayBuffer(4)) as never), TypeError, 'ERR_INVALID_ARG_TYPE', /^recvfrom: addrlen must be null or undefined when addr is null/);
      coded(() => S.tryAccept(a, null, new S.socklen_t(16)), TypeError, 'ERR_INVALID_ARG_TYPE', /^accept: addrlen must be null/);
      expect(S.recv(b, new Uint8Array(4), 4, S.MSG_DONTWAIT)).toBe(1); // the byte is still there
    } finally {
      closeAll([a, b]);
    }
  });
});
