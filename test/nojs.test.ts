// The rule native/args.h states: no user JavaScript runs between the first pointer the
// addon takes into a caller's buffer and the syscall. Each p-variant (pselect, ppoll,
// epoll_pwait, epoll_pwait2) is called with a sigmask or an options object whose getter
// detaches the buffer the kernel is about to write (its memory moves to a new ArrayBuffer,
// `moved`). The call must throw cleanly — and the kernel's output must never land in
// `moved`, the memory the caller no longer owns. On the old code (sigmask read with
// napi_get_element after the pointers were taken) the kernel wrote into `moved`, and with
// a gc() in the getter the process died with SIGSEGV.
import { constants } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EPOLL_CTL_ADD, epoll_create1, epoll_ctl, epoll_event, epoll_pwait, epoll_pwait2, FD_ISSET, FD_SET,
  fd_set, POLLIN, pollfd, ppoll, pselect, send, timespec,
} from '../lib';
import { binding } from '../lib/binding';
import { kArrayBuffer, NONE } from '../lib/mux';
import { runChild } from './helpers/child';
import { closeAll, unixPair } from './helpers/mux-sockets';

const SIG = constants.signals.SIGUSR1;

/** Moves `ab`'s memory to a new ArrayBuffer (detaching `ab`) and returns the new one. */
function detach(ab: ArrayBuffer): ArrayBuffer {
  return structuredClone(ab, { transfer: [ab] });
}

type Mask = readonly number[];
type Case = {
  name: string;
  /** Sets up real sockets; `call(mask, options)` makes the wait; `buffer()` is what the kernel writes. */
  make(): { call(mask: Mask | null, options?: object): number; buffer(): ArrayBuffer; untouched(moved: ArrayBuffer): boolean; close(): void };
};

// In each case one fd is readable, so the wait returns at once with output to write.
const cases: Case[] = [
  {
    name: 'ppoll',
    make() {
      const [a, b] = unixPair();
      send(b, new Uint8Array([1]));
      const fds = pollfd.array(1);
      fds[0].fd = a;
      fds[0].events = POLLIN;
      return {
        call: (mask, options) => ppoll(fds, 1, new timespec(0, 0), mask, options),
        buffer: () => fds[kArrayBuffer],
        // revents (bytes 6..7) is what the kernel writes.
        untouched: (moved) => new DataView(moved).getUint16(binding.layout.pollfd.revents, true) === 0,
        close: () => closeAll([a, b]),
      };
    },
  },
  {
    name: 'pselect',
    make() {
      const [a, b] = unixPair();
      const [c, d] = unixPair();
      send(b, new Uint8Array([1]));
      const r = new fd_set();
      FD_SET(a, r);
      FD_SET(c, r); // not readable: the kernel clears its bit
      const bit = (bytes: Uint8Array) => (bytes[c >> 3] >> (c & 7)) & 1;
      return {
        call: (mask, options) => pselect(Math.max(a, c) + 1, r, null, null, new timespec(0, 0), mask, options),
        buffer: () => r.bytes.buffer as ArrayBuffer,
        untouched: (moved) => bit(new Uint8Array(moved)) === 1,
        close: () => closeAll([a, b, c, d]),
      };
    },
  },
  ...(['epoll_pwait', 'epoll_pwait2'] as const).map((name): Case => ({
    name,
    make() {
      const [a, b] = unixPair();
      send(b, new Uint8Array([1]));
      const epfd = epoll_create1(0);
      const ev = new epoll_event();
      ev.events = 1; // EPOLLIN
      ev.data.fd = a;
      epoll_ctl(epfd, EPOLL_CTL_ADD, a, ev);
      const events = epoll_event.array(4);
      return {
        call: (mask, options) => name === 'epoll_pwait'
          ? epoll_pwait(epfd, events, 4, 0, mask, options)
          : epoll_pwait2(epfd, events, 4, new timespec(0, 0), mask, options),
        buffer: () => events[kArrayBuffer],
        untouched: (moved) => new Uint8Array(moved).every((x) => x === 0),
        close: () => closeAll([a, b, epfd]),
      };
    },
  })),
];

/** Asserts the wait either threw a TypeError or ran on the caller's live buffer. */
function expectSafe(c: ReturnType<Case['make']>, run: (detachNow: () => void) => number): void {
  let moved: ArrayBuffer | undefined;
  const detachNow = () => {
    if (moved === undefined) moved = detach(c.buffer());
  };
  let threw: unknown;
  try {
    run(detachNow);
  } catch (e) {
    threw = e;
  }
  expect(moved, 'the getter ran').toBeDefined();
  expect(c.untouched(moved!), 'kernel output landed in memory the caller no longer owns').toBe(true);
  expect(threw).toBeInstanceOf(TypeError);
  expect((threw as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
  expect(String((threw as Error).message)).toMatch(/got a detached buffer/);
}

describe('no user JS between the first pointer and the syscall (native/args.h)', () => {
  afterEach(() => {
    delete (Array.prototype as unknown as Record<string, unknown>)[0];
  });

  for (const k of cases) {
    it(`${k.name}: a sigmask whose index getter detaches the buffer throws TypeError; the kernel never writes the moved memory`, () => {
      const c = k.make();
      try {
        expectSafe(c, (detachNow) => {
          const mask: number[] = [];
          Object.defineProperty(mask, 0, { get: () => (detachNow(), SIG), enumerable: true });
          return c.call(mask);
        });
      } finally {
        c.close();
      }
    });

    it(`${k.name}: a getter on Array.prototype reached through a hole in the sigmask cannot detach the buffer under the kernel`, () => {
      const c = k.make();
      try {
        expectSafe(c, (detachNow) => {
          Object.defineProperty(Array.prototype, 0, { get: () => (detachNow(), SIG), configurable: true });
          return c.call(new Array<number>(1));
        });
      } finally {
        c.close();
      }
    });

    it(`${k.name}: a Proxy sigmask whose get trap detaches the buffer throws TypeError`, () => {
      const c = k.make();
      try {
        expectSafe(c, (detachNow) => c.call(new Proxy([SIG], {
          get: (t, p, r) => (p === '0' && detachNow(), Reflect.get(t, p, r)),
        })));
      } finally {
        c.close();
      }
    });

    it(`${k.name}: an options object whose restart getter detaches the buffer throws TypeError`, () => {
      const c = k.make();
      try {
        expectSafe(c, (detachNow) => c.call(null, { get restart() { detachNow(); return true; } }));
      } finally {
        c.close();
      }
    });

    it(`${k.name}: without any detaching, the same call succeeds and the sigmask is honoured`, () => {
      const c = k.make();
      try {
        expect(c.call([SIG, SIG])).toBeGreaterThanOrEqual(1);
        expect(c.untouched(c.buffer())).toBe(false);
      } finally {
        c.close();
      }
    });
  }

  it('the raw addon takes a sigmask only as an Int32Array: a plain array or a Proxy is a TypeError and no trap runs', () => {
    const fds = pollfd.array(1);
    fds[0].fd = -1;
    const events = epoll_event.array(1);
    let trapped = 0;
    const proxy = new Proxy([SIG], { get: (t, p, r) => (trapped++, Reflect.get(t, p, r)) });
    const getter: number[] = [];
    Object.defineProperty(getter, 0, { get: () => (trapped++, SIG) });
    const calls: [string, (m: unknown) => number][] = [
      ['ppoll', (m) => binding.ppoll(fds[kArrayBuffer], 1, NONE, m as Int32Array)],
      ['pselect', (m) => binding.pselect(0, NONE, NONE, NONE, NONE, m as Int32Array)],
      ['epoll_pwait', (m) => binding.epoll_pwait(0, events[kArrayBuffer], 1, 0, m as Int32Array)],
      ['epoll_pwait2', (m) => binding.epoll_pwait2(0, events[kArrayBuffer], 1, NONE, m as Int32Array)],
    ];
    for (const [fn, call] of calls) {
      for (const m of [[SIG], proxy, getter, new Uint32Array([SIG]), { length: 1, 0: SIG }]) {
        const e = (() => { try { call(m); } catch (x) { return x as Error & { code: string }; } throw new Error('returned'); })();
        expect(e).toBeInstanceOf(TypeError);
        expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
        expect(e.message).toMatch(new RegExp(`^${fn}: sigmask must be an Int32Array of signal numbers or null, got `));
      }
      expect(() => call(new Int32Array([0]))).toThrow(/sigmask\[0\] must be an integer in \[1, \d+\], got 0/);
    }
    expect(trapped).toBe(0);
  });

  it('public wrappers check the sigmask in TypeScript: entries in [1, NSIG-1], an array or null', () => {
    const fds = pollfd.array(1);
    fds[0].fd = -1;
    const NSIG = binding.limits.NSIG;
    expect(NSIG).toBeGreaterThan(32);
    expect(() => ppoll(fds, 1, new timespec(), [NSIG])).toThrow(RangeError);
    expect(() => ppoll(fds, 1, new timespec(), [1.5])).toThrow(/ppoll: sigmask\[0\] must be an integer in \[1, \d+\], got 1.5/);
    expect(() => ppoll(fds, 1, new timespec(), ['10'] as never)).toThrow(TypeError);
    expect(() => ppoll(fds, 1, new timespec(), new Int32Array([SIG]) as never)).toThrow(TypeError);
    expect(() => ppoll(fds, 1, new timespec(), new Array(2 ** 31))).toThrow(RangeError);
    expect(ppoll(fds, 1, new timespec(), [])).toBe(0);
  });

  it('FD_ISSET still reads the caller-owned set after a clean pselect (control for the pselect case)', () => {
    const [a, b] = unixPair();
    send(b, new Uint8Array([1]));
    const r = new fd_set();
    FD_SET(a, r);
    expect(pselect(a + 1, r, null, null, new timespec(0, 0), [SIG])).toBe(1);
    expect(FD_ISSET(a, r)).toBe(true);
    closeAll([a, b]);
  });

  it('ppoll with a gc() in a detaching sigmask getter: no crash, 20 times over, in a child process', async () => {
    const r = await runChild(`
const v8 = require('node:v8');
v8.setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');
const { kArrayBuffer } = require(${JSON.stringify(join(__dirname, '..', 'lib', 'mux'))});
const sv = new Int32Array(2);
sockfd.socketpair(sockfd.AF_UNIX, sockfd.SOCK_STREAM, 0, sv);
sockfd.send(sv[1], new Uint8Array([1]));
let threw = 0;
for (let i = 0; i < 20; i++) {
  const fds = sockfd.pollfd.array(1024);
  for (const p of fds) { p.fd = sv[0]; p.events = sockfd.POLLIN; }
  const mask = [];
  Object.defineProperty(mask, 0, { get() {
    structuredClone(fds[kArrayBuffer], { transfer: [fds[kArrayBuffer]] });
    gc(); gc();
    return 10;
  } });
  try { sockfd.ppoll(fds, 1024, new sockfd.timespec(0, 0), mask); } catch (e) { if (e instanceof TypeError) threw++; else throw e; }
  // fresh allocations that would reuse the freed memory
  const junk = []; for (let j = 0; j < 64; j++) junk.push(new Uint8Array(8192).fill(0xaa));
  for (const u of junk) if (u.some((x) => x !== 0xaa)) { console.log('corrupted'); process.exit(3); }
}
sockfd.close(sv[0]); sockfd.close(sv[1]);
console.log('threw ' + threw);
`);
    expect(r.signal).toBe(null);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('threw 20');
    expect(r.code).toBe(0);
  });
});
