// The base of every C struct sockfd exposes, and the small structs several families use:
// timeval (select, SO_RCVTIMEO/SO_SNDTIMEO), timespec (pselect, ppoll, epoll_pwait2) and
// linger (SO_LINGER). Layouts come from the addon (native/sockaddr.cc).
import { binding } from './binding';
import { endianness } from 'node:os';
import { checkArgc, checkInt, detached, illegalConstructor, invalidType, isDetached, outOfRange } from './check';

/** True on little-endian hosts: C's native byte order, used for every non-network field. */
export const LE = endianness() === 'LE';

/**
 * The TypeError of a struct accessor or method called on a foreign receiver (issue 11,
 * defect 9): another struct's instance through `.call`, `Object.create(proto)`, a plain
 * object. ERR_INVALID_ARG_TYPE, "sockaddr_un.pathBytes: this must be a sockaddr_un, got
 * object", before any byte is read or written.
 *
 * The check itself lives in each struct class, because a private field is a brand only that
 * class's constructor can stamp (nothing forged with prototypes passes) and `#brand in o` is
 * one map check once V8 optimizes it — as long as each class has its own check function (a
 * shared helper's closures share V8's feedback, see every struct's map and go megamorphic):
 *
 *   class pollfd extends Struct {
 *     #brand: undefined;
 *     static #check(o: unknown, member: string): void {
 *       if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('pollfd', member, o);
 *     }
 *     get fd(): number { pollfd.#check(this, 'fd'); ... }
 *   }
 */
export function receiverError(struct: string, member: string, o: unknown): TypeError {
  return invalidType(`${struct}.${member}`, 'this', `a ${struct}`, o);
}

/** Whether `o` is a constructed Struct (internal: sizeof, setsockopt, getsockopt). */
export let isStruct: (o: unknown) => o is Struct;
/** Whether `o` is a constructed timeval (internal: select's timeout; a brand, not instanceof,
 * so a Proxy or a revoked Proxy is simply "not a timeval"). */
export let isTimeval: (o: unknown) => o is timeval;
/** Whether `o` is a constructed timespec (internal: the p-variants' timeouts). */
export let isTimespec: (o: unknown) => o is timespec;

/**
 * A C struct backed by one buffer laid out exactly as the kernel expects. `bytes` is what
 * the addon passes to the syscall: no conversion, no copy.
 */
export abstract class Struct {
  #brand: undefined;
  static {
    isStruct = (o: unknown): o is Struct => typeof o === 'object' && o !== null && #brand in o;
  }
  /** The struct's memory: exactly sizeof the C struct. */
  readonly bytes: Uint8Array;
  /** A DataView over `bytes`, for field access. */
  protected readonly view: DataView;

  /** Allocates `size` zeroed bytes, or views `bytes` (which must hold at least `size`). */
  protected constructor(size: number, bytes?: Uint8Array) {
    const name = new.target.name;
    // Struct (and Sockaddr) are abstract: only a concrete struct knows its size.
    if (new.target === Struct) throw illegalConstructor('Struct');
    if (bytes === undefined) {
      bytes = new Uint8Array(size);
    } else if (!ArrayBuffer.isView(bytes) || !(bytes instanceof Uint8Array)) {
      // isView first: it answers false for any Proxy without running a trap, where
      // instanceof on a revoked Proxy would throw an uncoded TypeError.
      throw invalidType(name, 'bytes', 'a Uint8Array', bytes);
    } else if (bytes.byteLength < size) {
      if (isDetached(bytes.buffer)) throw detached(name, 'bytes');
      throw outOfRange(name, `bytes must hold at least ${size} bytes, got ${bytes.byteLength}`);
    } else {
      bytes = bytes.subarray(0, size);
    }
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, size);
  }
}

/**
 * @internal Typed-array views over the whole ArrayBuffer behind a struct array, made once per
 * buffer and shared by every element, so a field getter is index arithmetic and one typed-array
 * load the JIT inlines (`fds[i].revents` then costs what a scan of a raw Uint16Array costs, where
 * a DataView getter per element does not). Typed arrays read the host's byte order, which is C's
 * (`LE`). Each view covers the buffer's whole elements of its width; a field uses a view only
 * when its byte address is a multiple of the width (`wordIndex`), else the DataView.
 */
export interface WordViews {
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly u16: Uint16Array;
}
const wordViewsOf = new WeakMap<ArrayBufferLike, WordViews>();
export function wordViews(bytes: Uint8Array): WordViews {
  const ab = bytes.buffer;
  let v = wordViewsOf.get(ab);
  if (v === undefined) {
    const n = ab.byteLength;
    // Explicit lengths: fixed-length views even over a resizable buffer (a shrunk buffer then
    // reads `undefined`, and the getter falls back to its DataView, which throws as before).
    v = { i32: new Int32Array(ab, 0, n >> 2), u32: new Uint32Array(ab, 0, n >> 2), u16: new Uint16Array(ab, 0, n >> 1) };
    wordViewsOf.set(ab, v);
  }
  return v;
}
/** @internal The element index of the field at `off` in `bytes` for a view of `width` bytes, or -1 when unaligned. */
export function wordIndex(bytes: Uint8Array, off: number, width: number): number {
  const at = bytes.byteOffset + off;
  return at % width === 0 ? at / width : -1;
}

/** sizeof(s) — the size in bytes of a struct, as C's sizeof operator. */
export function sizeof(s: Struct): number {
  checkArgc('sizeof', arguments.length, 1, ['s']);
  if (!isStruct(s)) throw invalidType('sizeof', 's', 'a struct', s);
  return s.bytes.length;
}

export { checkInt, describe } from './check';

// time_t, suseconds_t and long: 8 bytes on 64-bit Linux, read as two 32-bit halves so a
// field access allocates no BigInt.
function getWord(view: DataView, off: number, width: number): number {
  if (width === 4) return view.getInt32(off, LE);
  const lo = view.getUint32(off + (LE ? 0 : 4), LE);
  const hi = view.getInt32(off + (LE ? 4 : 0), LE);
  return hi * 0x1_0000_0000 + lo;
}
function setWord(view: DataView, off: number, width: number, v: number): void {
  if (width === 4) {
    view.setInt32(off, v, LE);
    return;
  }
  const lo = v >>> 0;
  const hi = Math.floor(v / 0x1_0000_0000);
  view.setUint32(off + (LE ? 0 : 4), lo, LE);
  view.setInt32(off + (LE ? 4 : 0), hi, LE);
}

const TV = binding.layout.timeval;
const TVW = TV.size / 2;
const TS = binding.layout.timespec;
const TSW = TS.size / 2;
const LG = binding.layout.linger;
const MAXW = (w: number) => (w === 4 ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER);


/** struct timeval — seconds and microseconds (select's timeout, SO_RCVTIMEO, SO_SNDTIMEO). */
export class timeval extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static {
    isTimeval = (o: unknown): o is timeval => typeof o === 'object' && o !== null && #brand in o;
  }
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('timeval', member, o);
  }
  /** A zeroed timeval, optionally with its fields set; or a view over `bytes`. */
  constructor(tv_sec = 0, tv_usec = 0, bytes?: Uint8Array) {
    checkArgc('timeval', arguments.length, 0, ['tv_sec', 'tv_usec', 'bytes']);
    super(TV.size, bytes);
    if (bytes === undefined) {
      this.tv_sec = tv_sec;
      this.tv_usec = tv_usec;
    } else {
      // A view over existing memory keeps its bytes; the field arguments are still checked.
      checkInt('timeval', 'tv_sec', tv_sec, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      checkInt('timeval', 'tv_usec', tv_usec, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    }
  }
  /** Seconds. */
  get tv_sec(): number {
    timeval.#check(this, 'tv_sec');
    return getWord(this.view, TV.tv_sec, TVW);
  }
  set tv_sec(v: number) {
    timeval.#check(this, 'tv_sec');
    setWord(this.view, TV.tv_sec, TVW, checkInt('timeval', 'tv_sec', v, -MAXW(TVW) - 1, MAXW(TVW)));
  }
  /** Microseconds. */
  get tv_usec(): number {
    timeval.#check(this, 'tv_usec');
    return getWord(this.view, TV.tv_usec, TVW);
  }
  set tv_usec(v: number) {
    timeval.#check(this, 'tv_usec');
    setWord(this.view, TV.tv_usec, TVW, checkInt('timeval', 'tv_usec', v, -MAXW(TVW) - 1, MAXW(TVW)));
  }
}

/** struct timespec — seconds and nanoseconds (pselect, ppoll, epoll_pwait2). */
export class timespec extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static {
    isTimespec = (o: unknown): o is timespec => typeof o === 'object' && o !== null && #brand in o;
  }
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('timespec', member, o);
  }
  /** A zeroed timespec, optionally with its fields set; or a view over `bytes`. */
  constructor(tv_sec = 0, tv_nsec = 0, bytes?: Uint8Array) {
    checkArgc('timespec', arguments.length, 0, ['tv_sec', 'tv_nsec', 'bytes']);
    super(TS.size, bytes);
    if (bytes === undefined) {
      this.tv_sec = tv_sec;
      this.tv_nsec = tv_nsec;
    } else {
      // A view over existing memory keeps its bytes; the field arguments are still checked.
      checkInt('timespec', 'tv_sec', tv_sec, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      checkInt('timespec', 'tv_nsec', tv_nsec, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    }
  }
  /** Seconds. */
  get tv_sec(): number {
    timespec.#check(this, 'tv_sec');
    return getWord(this.view, TS.tv_sec, TSW);
  }
  set tv_sec(v: number) {
    timespec.#check(this, 'tv_sec');
    setWord(this.view, TS.tv_sec, TSW, checkInt('timespec', 'tv_sec', v, -MAXW(TSW) - 1, MAXW(TSW)));
  }
  /** Nanoseconds. */
  get tv_nsec(): number {
    timespec.#check(this, 'tv_nsec');
    return getWord(this.view, TS.tv_nsec, TSW);
  }
  set tv_nsec(v: number) {
    timespec.#check(this, 'tv_nsec');
    setWord(this.view, TS.tv_nsec, TSW, checkInt('timespec', 'tv_nsec', v, -MAXW(TSW) - 1, MAXW(TSW)));
  }
}

/** struct linger — SO_LINGER: {l_onoff: 1, l_linger: 0} makes close() send a RST. */
export class linger extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('linger', member, o);
  }
  /** A linger struct with the given fields; or a view over `bytes`. */
  constructor(l_onoff = 0, l_linger = 0, bytes?: Uint8Array) {
    checkArgc('linger', arguments.length, 0, ['l_onoff', 'l_linger', 'bytes']);
    super(LG.size, bytes);
    if (bytes === undefined) {
      this.l_onoff = l_onoff;
      this.l_linger = l_linger;
    } else {
      // A view over existing memory keeps its bytes; the field arguments are still checked.
      checkInt('linger', 'l_onoff', l_onoff, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      checkInt('linger', 'l_linger', l_linger, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    }
  }
  /** Nonzero: linger on close. */
  get l_onoff(): number {
    linger.#check(this, 'l_onoff');
    return this.view.getInt32(LG.l_onoff, LE);
  }
  set l_onoff(v: number) {
    linger.#check(this, 'l_onoff');
    this.view.setInt32(LG.l_onoff, checkInt('linger', 'l_onoff', v, -(2 ** 31), 2 ** 31 - 1), LE);
  }
  /** Seconds to linger. */
  get l_linger(): number {
    linger.#check(this, 'l_linger');
    return this.view.getInt32(LG.l_linger, LE);
  }
  set l_linger(v: number) {
    linger.#check(this, 'l_linger');
    this.view.setInt32(LG.l_linger, checkInt('linger', 'l_linger', v, -(2 ** 31), 2 ** 31 - 1), LE);
  }
}
