// Argument recipes: fast-check generates plain, printable descriptions of arguments
// (so a counterexample reads as data and shrinks), and make() turns each into the real
// value inside one run — pool fds, canary-guarded buffers, structs over guarded memory,
// arrays whose index getters detach a buffer another argument uses, Proxies, throwing
// getters, frozen arrays.
import fc from 'fast-check';
import * as S from '../helpers/lib';
import { kArrayBuffer } from '../../lib/mux';
import { FuzzError, POOL, type Guard, type Pool, type PoolName, type Witness, detachNow, guarded } from './world';

// ---------------------------------------------------------------------------------------
// Recipes
// ---------------------------------------------------------------------------------------
export type Junk =
  | 'obj' | 'arr' | 'fn' | 'sym' | 'proxy' | 'revoked' | 'throwget' | 'frozenArr' | 'date' | 'boxedNum'
  | 'nullProto' | 'valueOf' | 'toPrimitive';
export type View = 'u8' | 'i8' | 'i32' | 'f64' | 'dv' | 'buffer' | 'ab' | 'u8c' | 'big64' | 'bigu64';
export type SaKind = 'in' | 'in6' | 'un' | 'unabs' | 'unempty' | 'storage' | 'in_badfam';
export type SaPort = 'listen' | 'udp' | 'zero' | 'nine';
export type StructName = 'timeval' | 'timespec' | 'linger' | 'pollfd' | 'epoll_event' | 'fd_set' | 'in_addr' | 'in6_addr' | 'sockaddr_in'
  | 'sigset_t' | 'itimerspec' | 'signalfd_siginfo';

export type R =
  | { k: 'v'; v: unknown } // a primitive as is (numbers, strings, bigints, booleans, undefined, null)
  | { k: 'fd'; p: PoolName }
  | { k: 'closedFd'; d: number } // above every open fd
  | { k: 'sfd'; how: 'half' | 'p32' | 'm32' | 'p31' | 'str' | 'big' | 'obj' | 'arr' | 'boxed' | 'tnum' }
  | { k: 'buf'; len: number; mis: number; view: View }
  | { k: 'detached'; view: View }
  | { k: 'shared'; len: number }
  | { k: 'junk'; j: Junk }
  | { k: 'sa'; fam: SaKind; port: SaPort; mis: number; proxy?: boolean }
  | { k: 'struct'; s: StructName; mis: number }
  | { k: 'tmo'; s: 'timeval' | 'timespec'; sec: number; frac: number } // a wait's timeout struct
  | { k: 'pollfds'; form: 'array' | 'plain' | 'getters' | 'frozen' | 'proxy' | 'holey' | 'detach'; fds: R[]; events: number[]; target: number }
  | { k: 'events'; form: 'array' | 'single' | 'plain'; n: number }
  | { k: 'fdset'; setsize: number | null; bits: Array<PoolName | number> }
  | { k: 'sigmask'; form: 'arr' | 'frozen' | 'getter' | 'detach' | 'proxyThrow' | 'holey' | 'protoGetter'; sigs: number[]; target: number }
  | { k: 'opts'; form: 'obj' | 'throwget' | 'proxy' | 'frozen' | 'detach'; restart?: unknown; timeout?: unknown; ref?: unknown; signal?: 'aborted' | 'live' | 'junk'; target: number }
  | { k: 'sv'; form: 'i32' | 'arr' | 'frozen' | 'proxyThrow' | 'setterThrow' | 'short' | 'u32' | 'sealed' | 'i32sub' }
  | { k: 'socklen'; v: number }
  | { k: 'str'; s: string }
  | { k: 'sqe' }; // the next SQE of the pool's io_uring (null once its 4 slots are taken)

// Boundary numbers named by the brief, and a few of their neighbours.
export const BOUNDARY: number[] = [
  -1, 0, -0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 3, -(2 ** 31), -(2 ** 31) - 1,
  NaN, Infinity, -Infinity, 3.5, -3.5, Number.MAX_SAFE_INTEGER + 2, Number.MIN_SAFE_INTEGER - 2,
  0xffff, 0x10000, 0x7fff, 0x8000, 1e8, Number.EPSILON, 5e-324,
];
export const BIGINTS: bigint[] = [0n, 1n, -1n, 3n, 2n ** 31n, 2n ** 32n + 3n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n)];

const nul = fc.constantFrom('\0', 'a\0b', '\0\0\0\0', '127.0.0.1\0', '::1\0evil', '\0abstract');
const longStr = fc.constantFrom('x'.repeat(200), '1'.repeat(5000), '\u00e9'.repeat(300), '\ud800'.repeat(40), '/'.repeat(108));
const ipStr = fc.constantFrom('127.0.0.1', '::1', '0.0.0.0', '255.255.255.255', '1.2.3', '256.1.1.1', '::ffff:127.0.0.1',
  '127.0.0.1:80', '[::1]:80', '@abs', '/tmp/nonexistent-sockfd-fuzz', './rel', '', ' 127.0.0.1', '0x7f.1', '1:2:3:4:5:6:7:8:9');
export const strArb: fc.Arbitrary<R> = fc.oneof(nul, longStr, ipStr, fc.string({ maxLength: 12 })).map((s) => ({ k: 'str', s }) as R);

export const junkArb: fc.Arbitrary<R> = fc.oneof(
  fc.constantFrom<Junk>('obj', 'arr', 'fn', 'sym', 'proxy', 'revoked', 'throwget', 'frozenArr', 'date', 'boxedNum', 'nullProto', 'valueOf', 'toPrimitive')
    .map((j) => ({ k: 'junk', j }) as R),
  fc.constantFrom<unknown>(undefined, null, true, false, '', '3', 'abc', ...BIGINTS.slice(0, 4)).map((v) => ({ k: 'v', v }) as R),
  fc.constantFrom<View>('u8', 'dv', 'ab', 'i32').map((view) => ({ k: 'detached', view }) as R),
  fc.constant({ k: 'shared', len: 8 } as R),
  strArb,
);

/** Numbers: the parameter's own named values `named` (most draws), boundary numbers, small and random ints. */
export const numArb = (...named: number[]): fc.Arbitrary<R> =>
  fc.oneof(
    ...(named.length > 0 ? [{ arbitrary: fc.constantFrom(...named), weight: 5 }] : []),
    { arbitrary: fc.constantFrom(...BOUNDARY), weight: 2 },
    { arbitrary: fc.constantFrom(0, 1, 2, 3, 4, 8, 16), weight: 2 },
    { arbitrary: fc.integer({ min: -5, max: 70000 }), weight: 1 },
  ).map((v) => ({ k: 'v', v }) as R);

/** Values no parameter of any export accepts: a call given one in its parameter list must throw. */
export function neverValid(r: R): boolean {
  return r.k === 'detached' || (r.k === 'junk' && (r.j === 'sym' || r.j === 'fn' || r.j === 'revoked'));
}
export const bigArb: fc.Arbitrary<R> = fc.constantFrom(...BIGINTS).map((v) => ({ k: 'v', v }) as R);

/** A value for an fd parameter: a pool fd, a closed or negative number, or a sentinel-derived bad value. */
export const fdArb: fc.Arbitrary<R> = fc.oneof(
  { arbitrary: fc.constantFrom(...POOL).map((p) => ({ k: 'fd', p }) as R), weight: 6 },
  { arbitrary: fc.nat(5).map((d) => ({ k: 'closedFd', d }) as R), weight: 1 },
  { arbitrary: fc.constantFrom(-1, -2, -(2 ** 31), 2 ** 31 - 1).map((v) => ({ k: 'v', v }) as R), weight: 1 },
  {
    arbitrary: fc.constantFrom('half', 'p32', 'm32', 'p31', 'str', 'big', 'obj', 'arr', 'boxed', 'tnum' as const)
      .map((how) => ({ k: 'sfd', how }) as R),
    weight: 2,
  },
);

export const bufArb: fc.Arbitrary<R> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant('buf' as const),
      len: fc.constantFrom(0, 1, 3, 7, 16, 64, 128),
      mis: fc.constantFrom(0, 1, 3, 5),
      view: fc.constantFrom<View>('u8', 'i8', 'i32', 'f64', 'dv', 'buffer', 'ab', 'u8c', 'big64'),
    }) as fc.Arbitrary<R>,
    weight: 6,
  },
  { arbitrary: fc.constantFrom<View>('u8', 'dv', 'ab', 'buffer').map((view) => ({ k: 'detached', view }) as R), weight: 1 },
  { arbitrary: fc.constantFrom(0, 8).map((len) => ({ k: 'shared', len }) as R), weight: 1 },
);

export const saArb: fc.Arbitrary<R> = fc.record({
  k: fc.constant('sa' as const),
  fam: fc.constantFrom<SaKind>('in', 'in6', 'un', 'unabs', 'unempty', 'storage', 'in_badfam'),
  port: fc.constantFrom<SaPort>('listen', 'udp', 'zero', 'nine'),
  mis: fc.constantFrom(0, 1, 3),
  proxy: fc.boolean(),
}) as fc.Arbitrary<R>;

export const structArb: fc.Arbitrary<R> = fc.record({
  k: fc.constant('struct' as const),
  s: fc.constantFrom<StructName>('timeval', 'timespec', 'linger', 'pollfd', 'epoll_event', 'fd_set', 'in_addr', 'in6_addr', 'sockaddr_in',
    'sigset_t', 'itimerspec', 'signalfd_siginfo'),
  mis: fc.constantFrom(0, 1),
}) as fc.Arbitrary<R>;

/**
 * A wait's timeout struct that never waits long: 0 or 1 ms, or fields the kernel rejects.
 * (Linux select() folds tv_usec >= 1e6 into seconds, so a large tv_usec is a long wait
 * there, as in C, not an error: timeval fractions stay small.)
 */
export const tmoArb = (s: 'timeval' | 'timespec'): fc.Arbitrary<R> =>
  fc.record({
    k: fc.constant('tmo' as const),
    s: fc.constant(s),
    sec: fc.constantFrom(0, 0, -1, -(2 ** 31)),
    frac: s === 'timeval' ? fc.constantFrom(0, 1, 1000, -1) : fc.constantFrom(0, 1000, 1_000_000, -1, 1_000_000_000),
  }) as fc.Arbitrary<R>;

/** An int timeout in ms for a synchronous wait: never one that a correct call would wait on for long. */
export const waitMsArb: fc.Arbitrary<R> = fc.constantFrom<unknown>(0, 0, 1, -0, 3.5, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 32 + 3,
  Number.MAX_SAFE_INTEGER + 2, '0', 0n, null, undefined).map((v) => ({ k: 'v', v }) as R);

const smallFd: fc.Arbitrary<R> = fc.oneof(
  fc.constantFrom(...POOL).map((p) => ({ k: 'fd', p }) as R),
  fc.constantFrom(-1, 0, 1, 2, 1023, 2 ** 31 - 1, 3.5, NaN).map((v) => ({ k: 'v', v }) as R),
  fc.nat(3).map((d) => ({ k: 'closedFd', d }) as R),
);

/** poll's fds; form 'detach' is a plain array whose `fd` getter detaches argument `target`'s buffer. */
export const pollfdsArb = (target: number): fc.Arbitrary<R> => fc.record({
  k: fc.constant('pollfds' as const),
  form: fc.constantFrom('array', 'array', 'plain', 'getters', 'frozen', 'proxy', 'holey', 'detach' as const),
  target: fc.constant(target),
  fds: fc.array(smallFd, { maxLength: 4 }),
  events: fc.array(fc.constantFrom(1, 4, 0, -1, 0xffff, 0x10000, 0x2000, 3.5), { minLength: 4, maxLength: 4 }),
}) as fc.Arbitrary<R>;

export const eventsArb: fc.Arbitrary<R> = fc.record({
  k: fc.constant('events' as const),
  form: fc.constantFrom('array', 'array', 'single', 'plain' as const),
  n: fc.constantFrom(0, 1, 2, 8),
}) as fc.Arbitrary<R>;

export const fdsetArb: fc.Arbitrary<R> = fc.record({
  k: fc.constant('fdset' as const),
  setsize: fc.constantFrom(null, null, 1, 64, 2048),
  bits: fc.array(fc.oneof(fc.constantFrom(...POOL), fc.constantFrom(0, 1, 63, 1023)), { maxLength: 3 }),
}) as fc.Arbitrary<R>;

/** A sigmask; `target` is the index of the argument whose buffer a detaching getter takes. */
export const sigmaskArb = (...targets: number[]): fc.Arbitrary<R> =>
  fc.record({
    k: fc.constant('sigmask' as const),
    form: fc.constantFrom('arr', 'frozen', 'getter', 'detach', 'detach', 'proxyThrow', 'holey', 'protoGetter' as const),
    sigs: fc.array(fc.constantFrom(1, 2, 10, 15, 64, 65, 0, -1, 3.5, NaN, 2 ** 32 + 2), { maxLength: 3 }),
    target: fc.constantFrom(...targets),
  }) as fc.Arbitrary<R>;

/** Options of a wait or an async call; `target` as for sigmaskArb. */
export const optsArb = (...targets: number[]): fc.Arbitrary<R> =>
  fc.record(
    {
      k: fc.constant('opts' as const),
      form: fc.constantFrom('obj', 'obj', 'throwget', 'proxy', 'frozen', 'detach' as const),
      restart: fc.constantFrom<unknown>(true, false, undefined, 1, 'yes'),
      timeout: fc.constantFrom<unknown>(undefined, 0, 1, 5, -1, NaN, Infinity, 2 ** 31, '5', 3.5),
      ref: fc.constantFrom<unknown>(undefined, true, false, 0),
      signal: fc.constantFrom('aborted', 'live', 'junk' as const),
      target: fc.constantFrom(...targets),
    },
    { requiredKeys: ['k', 'form', 'target'] },
  ) as fc.Arbitrary<R>;

export const svArb: fc.Arbitrary<R> = fc
  .constantFrom('i32', 'i32', 'arr', 'frozen', 'proxyThrow', 'setterThrow', 'short', 'u32', 'sealed', 'i32sub' as const)
  .map((form) => ({ k: 'sv', form }) as R);

export const addrlenArb: fc.Arbitrary<R> = fc.oneof(
  fc.constantFrom(0, 1, 2, 16, 28, 110, 128, 129, 2 ** 32 + 16).map((v) => ({ k: 'socklen', v }) as R),
  numArb(16, 28, 110, 128),
);

// ---------------------------------------------------------------------------------------
// make(): a recipe to a value, inside one run
// ---------------------------------------------------------------------------------------
export interface Ctx {
  pool: Pool;
  sentinel: number;
  maxFd: number;
  guards: Guard[];
  witnesses: Witness[];
  /** The call's arguments once made: detaching getters look up their target here. */
  args: unknown[];
}

const SA_IN = S.binding.layout.sockaddr_in.size;

function junk(j: Junk): unknown {
  switch (j) {
    case 'obj': return {};
    case 'arr': return [1, 2, 3];
    case 'fn': return () => 0;
    case 'sym': return Symbol('fuzz');
    case 'proxy': return new Proxy({}, { get: () => { throw new FuzzError('proxy get'); } });
    case 'revoked': { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; }
    case 'throwget': return Object.defineProperty({}, 'fd', { get() { throw new FuzzError('getter'); }, enumerable: true });
    case 'frozenArr': return Object.freeze([0, 0]);
    case 'date': return new Date(0);
    case 'boxedNum': return new Number(3);
    case 'nullProto': return Object.create(null);
    case 'valueOf': return { valueOf: () => 1 };
    case 'toPrimitive': return { [Symbol.toPrimitive]: () => { throw new FuzzError('toPrimitive'); } };
  }
}

function view(ab: ArrayBuffer | SharedArrayBuffer, start: number, len: number, v: View): unknown {
  switch (v) {
    case 'u8': return new Uint8Array(ab, start, len);
    case 'u8c': return new Uint8ClampedArray(ab, start, len);
    case 'i8': return new Int8Array(ab, start, len);
    case 'buffer': return Buffer.from(ab, start, len);
    case 'dv': return new DataView(ab, start, len);
    // Element sizes that do not divide the window: the view covers a whole number of
    // elements starting at an aligned offset inside the window.
    case 'i32': { const s = (start + 3) & ~3; return new Int32Array(ab, s, Math.max(0, Math.floor((start + len - s) / 4))); }
    case 'f64': { const s = (start + 7) & ~7; return new Float64Array(ab, s, Math.max(0, Math.floor((start + len - s) / 8))); }
    case 'big64': { const s = (start + 7) & ~7; return new BigInt64Array(ab, s, Math.max(0, Math.floor((start + len - s) / 8))); }
    case 'bigu64': { const s = (start + 7) & ~7; return new BigUint64Array(ab, s, Math.max(0, Math.floor((start + len - s) / 8))); }
    case 'ab': return ab;
  }
}

/** The ArrayBuffer behind an argument the library would hand to the kernel, if any. */
export function bufferOf(x: unknown): ArrayBuffer | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const own = (x as { [kArrayBuffer]?: ArrayBuffer })[kArrayBuffer];
  if (own instanceof ArrayBuffer) return own;
  if (x instanceof S.Struct) return x.bytes.buffer as ArrayBuffer;
  if (ArrayBuffer.isView(x)) return x.buffer instanceof ArrayBuffer ? x.buffer : undefined;
  if (x instanceof ArrayBuffer) return x;
  return undefined;
}

function structOver(name: StructName, mis: number, c: Ctx): S.Struct {
  const sizes: Record<StructName, number> = {
    timeval: S.binding.layout.timeval.size, timespec: S.binding.layout.timespec.size, linger: S.binding.layout.linger.size,
    pollfd: S.binding.layout.pollfd.size, epoll_event: S.binding.layout.epoll_event.size, fd_set: 0, in_addr: 4, in6_addr: 16,
    sockaddr_in: SA_IN, sigset_t: S.binding.layout.sigset_t.size, itimerspec: S.binding.layout.itimerspec.size,
    signalfd_siginfo: S.binding.layout.signalfd_siginfo.size,
  };
  if (name === 'fd_set') return new S.fd_set();
  const { ab, start } = guarded(sizes[name], mis, c.guards);
  const b = new Uint8Array(ab, start, sizes[name]);
  switch (name) {
    case 'timeval': return new S.timeval(0, 0, b);
    case 'timespec': return new S.timespec(0, 0, b);
    case 'linger': return new S.linger(0, 0, b);
    case 'pollfd': return new S.pollfd(b);
    case 'epoll_event': return new S.epoll_event(b);
    case 'in_addr': return new S.in_addr(b);
    case 'in6_addr': return new S.in6_addr(b);
    case 'sockaddr_in': return new S.sockaddr_in(b);
    case 'sigset_t': return new S.sigset_t(b); // zeroed window: the empty set
    case 'itimerspec': return new S.itimerspec(b);
    case 'signalfd_siginfo': return new S.signalfd_siginfo(b);
  }
}

function makeSa(r: Extract<R, { k: 'sa' }>, c: Ctx): unknown {
  const port = r.port === 'listen' ? c.pool.port('tcpListen') : r.port === 'udp' ? c.pool.port('udp') : r.port === 'zero' ? 0 : 9;
  const L = S.binding.layout;
  let sa: S.Sockaddr;
  if (r.fam === 'storage') {
    sa = new S.sockaddr_storage();
  } else {
    const size = r.fam === 'in6' ? L.sockaddr_in6.size : r.fam.startsWith('un') ? L.sockaddr_un.size : L.sockaddr_in.size;
    const { ab, start } = guarded(size, r.mis, c.guards);
    const b = new Uint8Array(ab, start, size);
    if (r.fam === 'in' || r.fam === 'in_badfam') {
      const a = new S.sockaddr_in(b);
      a.sin_family = r.fam === 'in' ? S.AF_INET : 0x7777;
      a.sin_port = S.htons(port);
      a.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK); // loopback only, ever
      sa = a;
    } else if (r.fam === 'in6') {
      const a = new S.sockaddr_in6(b);
      a.sin6_family = S.AF_INET6;
      a.sin6_port = S.htons(port);
      a.sin6_addr.s6_addr[15] = 1; // ::1
      sa = a;
    } else {
      const a = new S.sockaddr_un(b);
      a.sun_family = S.AF_UNIX;
      // Abstract names only (no files), unique to this process; '' is the unnamed address.
      if (r.fam === 'unabs' || r.fam === 'un') a.sun_path = `\0sockfd-fuzz-${process.pid}-${r.port}`;
      else a.addrlen = L.sockaddr_un.sun_path;
      sa = a;
    }
  }
  return r.proxy ? new Proxy(sa, {}) : sa;
}

function sigmaskOf(r: Extract<R, { k: 'sigmask' }>, c: Ctx): unknown {
  const sigs = r.sigs.length > 0 ? [...r.sigs] : [10];
  const detach = () => detachNow(bufferOf(c.args[r.target]), c.witnesses);
  switch (r.form) {
    case 'arr': return sigs;
    case 'frozen': return Object.freeze(sigs);
    case 'holey': { const a = new Array(sigs.length + 2); a[1] = sigs[0]; return a; }
    case 'getter':
      return Object.defineProperty(sigs, 0, { get() { throw new FuzzError('sigmask getter'); } });
    case 'detach':
      // The defect-1 scenario: an index getter that detaches the buffer another argument
      // of the same call uses, then yields a valid signal number.
      return Object.defineProperty(sigs, sigs.length - 1, { get() { detach(); return 10; } });
    case 'protoGetter': {
      // A hole read through Array.prototype: the getter lives on the prototype.
      const a = new Array(1);
      const proto = Object.create(Array.prototype, { 0: { get() { detach(); return 10; } } });
      Object.setPrototypeOf(a, proto);
      return a;
    }
    case 'proxyThrow':
      return new Proxy(sigs, { get(t, k) { if (k === '0') throw new FuzzError('sigmask proxy'); return Reflect.get(t, k); } });
  }
}

function optsOf(r: Extract<R, { k: 'opts' }>, c: Ctx): unknown {
  const o: Record<string, unknown> = {};
  if ('restart' in r && r.restart !== undefined) o.restart = r.restart;
  if ('timeout' in r && r.timeout !== undefined) o.timeout = r.timeout;
  if ('ref' in r && r.ref !== undefined) o.ref = r.ref;
  if (r.signal === 'aborted') { const ac = new AbortController(); ac.abort(new FuzzError('aborted')); o.signal = ac.signal; }
  if (r.signal === 'live') o.signal = new AbortController().signal;
  if (r.signal === 'junk') o.signal = { aborted: false };
  switch (r.form) {
    case 'obj': return o;
    case 'frozen': return Object.freeze(o);
    case 'throwget': return Object.defineProperty(o, 'restart', { get() { throw new FuzzError('options getter'); }, enumerable: true });
    case 'proxy': return new Proxy(o, { get() { throw new FuzzError('options proxy'); }, has() { throw new FuzzError('options proxy'); } });
    case 'detach':
      return Object.defineProperty(o, 'restart', { get() { detachNow(bufferOf(c.args[r.target]), c.witnesses); return false; }, enumerable: true });
  }
}

function svOf(r: Extract<R, { k: 'sv' }>): unknown {
  switch (r.form) {
    case 'i32': return new Int32Array(2);
    case 'i32sub': return new Int32Array(4).subarray(1, 3);
    case 'arr': return [0, 0];
    case 'frozen': return Object.freeze([0, 0]);
    case 'sealed': return Object.seal([]);
    case 'short': return new Int32Array(1);
    case 'u32': return new Uint32Array(2);
    case 'proxyThrow': return new Proxy([0, 0], { set() { throw new FuzzError('sv proxy'); } });
    case 'setterThrow':
      return Object.defineProperty([0, 0], 1, { get: () => 0, set() { throw new FuzzError('sv setter'); } });
  }
}

export function make(r: R, c: Ctx): unknown {
  switch (r.k) {
    case 'v': return r.v;
    case 'str': return r.s;
    case 'fd': return c.pool.fd(r.p);
    case 'closedFd': return c.maxFd + 1000 + r.d; // maxFd: above every fd open when the run began
    case 'sfd': {
      const s = c.sentinel;
      return { half: s + 0.5, p32: 2 ** 32 + s, m32: -(2 ** 32) + s, p31: 2 ** 31 + s, str: String(s), big: BigInt(s),
        obj: { valueOf: () => s }, arr: [s], boxed: new Number(s), tnum: new Int32Array([s]) }[r.how];
    }
    case 'buf': {
      const { ab, start } = guarded(r.len, r.mis, c.guards);
      if (r.view === 'ab') return new ArrayBuffer(r.len); // a whole buffer cannot be guarded
      return view(ab, start, r.len, r.view);
    }
    case 'detached': {
      const ab = new ArrayBuffer(16);
      const v = view(ab, 4, 8, r.view);
      structuredClone(ab, { transfer: [ab] });
      return v;
    }
    case 'shared': return new Uint8Array(new SharedArrayBuffer(r.len));
    case 'junk': return junk(r.j);
    case 'sa': return makeSa(r, c);
    case 'struct': return structOver(r.s, r.mis, c);
    case 'tmo': {
      const t = r.s === 'timeval' ? new S.timeval() : new S.timespec();
      const { ab, start } = guarded(t.bytes.length, 0, c.guards);
      const b = new Uint8Array(ab, start, t.bytes.length);
      const g = r.s === 'timeval' ? new S.timeval(0, 0, b) : new S.timespec(0, 0, b);
      if (g instanceof S.timeval) { g.tv_sec = r.sec; g.tv_usec = r.frac; } else { g.tv_sec = r.sec; g.tv_nsec = r.frac; }
      return g;
    }
    case 'pollfds': {
      const fds = r.fds.map((f) => make(f, c));
      if (r.form === 'array') {
        const arr = S.pollfd.array(fds.length);
        fds.forEach((fd, i) => { try { arr[i].fd = fd as number; arr[i].events = r.events[i]; } catch { /* left 0 */ } });
        return arr;
      }
      const plain = fds.map((fd, i) => ({ fd, events: r.events[i], revents: 0 }));
      switch (r.form) {
        case 'plain': return plain;
        case 'frozen': return Object.freeze(plain.map((p) => Object.freeze(p)));
        case 'holey': { const a = new Array(plain.length + 1); plain.forEach((p, i) => { a[i + 1] = p; }); return a; }
        case 'proxy': return new Proxy(plain, { get(t, k) { if (k === '0') throw new FuzzError('pollfds proxy'); return Reflect.get(t, k); } });
        case 'detach':
          return plain.map((p) => Object.defineProperty({ ...p }, 'fd', {
            get() { detachNow(bufferOf(c.args[r.target]), c.witnesses); return p.fd; }, enumerable: true,
          }));
        case 'getters':
          return plain.map((p) => Object.defineProperty({ ...p }, 'events', { get() { throw new FuzzError('pollfd getter'); }, enumerable: true }));
      }
      return plain;
    }
    case 'events': {
      if (r.form === 'single') return structOver('epoll_event', 0, c);
      if (r.form === 'plain') return Array.from({ length: r.n }, () => new S.epoll_event());
      return S.epoll_event.array(r.n);
    }
    case 'fdset': {
      const set = r.setsize === null ? new S.fd_set() : new S.fd_set(r.setsize);
      for (const b of r.bits) {
        const fd = typeof b === 'number' ? b : c.pool.fd(b);
        if (fd < set.setsize) S.FD_SET(fd, set);
      }
      return set;
    }
    case 'sigmask': return sigmaskOf(r, c);
    case 'opts': return optsOf(r, c);
    case 'sv': return svOf(r);
    case 'socklen': return new S.socklen_t(Math.min(r.v, 0xffffffff));
    case 'sqe': return S.io_uring_get_sqe(c.pool.fd('uring'));
  }
}
