// epoll(7): epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2 (native/epoll.cc).
//
// struct epoll_event is packed on x86-64 (12 bytes) and 16 bytes elsewhere; every size and
// offset here comes from binding.layout.epoll_event. epoll_event.array(n) is ONE buffer laid
// out as struct epoll_event[n] with a JS array of views over it, which epoll_wait fills in
// place.
import { binding } from './binding';
import { checkArgc, invalidType, isDetached } from './check';
import {
  attachBytes, kArrayBuffer, NONE, restartOf, sigmaskArg, STRUCT_ARRAY_MAX, structMem, timespecBytes,
  type WaitOptions,
} from './mux';
import { checkInt, LE, Struct, timespec, wordIndex, wordViews } from './struct';

const L = binding.layout.epoll_event;

/** An array made by epoll_event.array(n): views over one buffer laid out as struct epoll_event[n]. */
export type EpollEventArray = epoll_event[] & { readonly [kArrayBuffer]: ArrayBuffer };

// Set in the classes' static blocks: whether `o` carries the class's private brand, the
// cheap receiver check of every accessor (an epoll_event's `view` must never be written
// through a pollfd accessor, nor the reverse).
let isEpollEvent: (o: unknown) => o is epoll_event;
let isEpollData: (o: unknown) => o is epoll_data;

function foreign(field: string, what: string, v: unknown): TypeError {
  return invalidType(`epoll_event.${field}`, 'this', what, v);
}

/** union epoll_data { void *ptr; int fd; uint32_t u32; uint64_t u64; } — the data of one epoll_event. */
export class epoll_data {
  readonly #view: DataView;
  readonly #bytes: Uint8Array;
  // The getters' fast path (struct.ts wordViews): the array's shared views and the union's
  // index in them; -1 when unaligned, read as `undefined`, which falls back to the DataView.
  // On x86-64 the packed 12-byte epoll_event puts data at offset 4: aligned for 4-byte
  // views (4 and 12 are multiples of 4), never for 8-byte ones, so u64 stays a DataView read.
  readonly #i32: Int32Array;
  readonly #u32: Uint32Array;
  readonly #dataAt: number;

  static {
    isEpollData = (o: unknown): o is epoll_data => typeof o === 'object' && o !== null && #view in o;
  }

  /** The data of the epoll_event whose memory is `bytes` (`view` over the same bytes). */
  constructor(view: DataView, bytes: Uint8Array) {
    checkArgc('epoll_data', arguments.length, 2, ['view', 'bytes']);
    if (!ArrayBuffer.isView(view) || !(view instanceof DataView) || isDetached(view.buffer) || view.byteLength < L.size) {
      throw invalidType('epoll_data', 'view', `a DataView of at least ${L.size} bytes`, view);
    }
    if (!ArrayBuffer.isView(bytes) || !(bytes instanceof Uint8Array) || bytes.byteLength < L.size) {
      throw invalidType('epoll_data', 'bytes', `a Uint8Array of at least ${L.size} bytes`, bytes);
    }
    this.#view = view;
    this.#bytes = bytes;
    const w = wordViews(bytes);
    this.#i32 = w.i32;
    this.#u32 = w.u32;
    this.#dataAt = wordIndex(bytes, L.data, 4);
  }

  /** data.fd: the union read as an int. */
  get fd(): number {
    if (!isEpollData(this)) throw foreign('data.fd', 'an epoll_data', this);
    const v = this.#i32[this.#dataAt];
    return v !== undefined ? v : this.#view.getInt32(L.data, LE);
  }
  set fd(v: number) {
    if (!isEpollData(this)) throw foreign('data.fd', 'an epoll_data', this);
    this.#view.setInt32(L.data, checkInt('epoll_event', 'data.fd', v, -0x80000000, 0x7fffffff), LE);
  }
  /** data.u32: the union read as a uint32_t. */
  get u32(): number {
    if (!isEpollData(this)) throw foreign('data.u32', 'an epoll_data', this);
    const v = this.#u32[this.#dataAt];
    return v !== undefined ? v : this.#view.getUint32(L.data, LE);
  }
  set u32(v: number) {
    if (!isEpollData(this)) throw foreign('data.u32', 'an epoll_data', this);
    this.#view.setUint32(L.data, checkInt('epoll_event', 'data.u32', v, 0, 0xffffffff), LE);
  }
  /** data.u64: the union read as a uint64_t, exact as a bigint in [0n, 2n**64n - 1n]. */
  get u64(): bigint {
    if (!isEpollData(this)) throw foreign('data.u64', 'an epoll_data', this);
    return this.#view.getBigUint64(L.data, LE);
  }
  set u64(v: bigint) {
    if (!isEpollData(this)) throw foreign('data.u64', 'an epoll_data', this);
    // Through the addon: napi_get_value_bigint_uint64's lossless flag rejects -1n and 2n**64n.
    binding.setEpollDataU64(this.#bytes, 0, v);
  }
}

/** struct epoll_event { uint32_t events; epoll_data_t data; } — for epoll_ctl and epoll_wait. */
export class epoll_event extends Struct {
  /** The union: data.fd, data.u32, data.u64 (bigint). */
  readonly data: epoll_data;

  #epoll_event(): void {}
  // The events getter's fast path, as epoll_data's.
  readonly #u32: Uint32Array;
  readonly #eventsAt: number;

  static {
    isEpollEvent = (o: unknown): o is epoll_event => typeof o === 'object' && o !== null && #epoll_event in o;
  }

  /** A standalone epoll_event, or (with `bytes`) a view over one entry of a shared array. */
  constructor(bytes?: Uint8Array) {
    checkArgc('epoll_event', arguments.length, 0, ['bytes']);
    super(L.size, bytes);
    this.data = new epoll_data(this.view, this.bytes);
    this.#u32 = wordViews(this.bytes).u32;
    this.#eventsAt = wordIndex(this.bytes, L.events, 4);
  }

  /**
   * A real JS array of `n` epoll_event views over ONE buffer laid out as struct
   * epoll_event[n]. n is at most 1048576 (2**20, as pollfd.array); more is a RangeError
   * before anything is allocated.
   */
  static array(n: number): EpollEventArray {
    checkArgc('epoll_event.array', arguments.length, 1, ['n']);
    checkInt('epoll_event.array', 'n', n, 0, STRUCT_ARRAY_MAX);
    const buf = new Uint8Array(n * L.size);
    const items: epoll_event[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = new epoll_event(buf.subarray(i * L.size, (i + 1) * L.size));
    return attachBytes(items, buf);
  }

  /** Event mask (EPOLLIN | EPOLLET ...); a negative int32 from JS `|` is taken as its bit pattern. */
  get events(): number {
    if (!isEpollEvent(this)) throw foreign('events', 'an epoll_event', this);
    const v = this.#u32[this.#eventsAt];
    return v !== undefined ? v : this.view.getUint32(L.events, LE);
  }
  set events(v: number) {
    if (!isEpollEvent(this)) throw foreign('events', 'an epoll_event', this);
    this.view.setUint32(L.events, checkInt('epoll_event', 'events', v, -0x80000000, 0xffffffff) >>> 0, LE);
  }
}

// The buffer epoll_wait fills: an epoll_event.array, or a single epoll_event.
function eventsBytes(fn: string, events: EpollEventArray | epoll_event): ArrayBuffer | Uint8Array {
  const buf = (events as EpollEventArray | null | undefined)?.[kArrayBuffer];
  if (buf !== undefined) return buf;
  if (isEpollEvent(events)) return structMem(events);
  throw invalidType(fn, 'events', 'an array made by epoll_event.array(n) or an epoll_event', events);
}

/**
 * epoll_create1(flags) — man 2 epoll_create1. Returns a new epoll fd; EPOLL_CLOEXEC is
 * always added (fcntl(epfd, F_SETFD, 0) opts out). Throws EINVAL, EMFILE, ENFILE, ENOMEM.
 */
export const epoll_create1: (flags: number) => number = binding.epoll_create1;

/**
 * epoll_ctl(epfd, op, fd, event) — man 2 epoll_ctl. EPOLL_CTL_ADD / MOD / DEL `fd` in the
 * interest list of `epfd`; `event` may be null for DEL. Returns 0. Throws EBADF, EEXIST,
 * EINVAL, ELOOP, ENOENT, ENOMEM, ENOSPC, EPERM.
 */
export function epoll_ctl(epfd: number, op: number, fd: number, event: epoll_event | null): number {
  checkArgc('epoll_ctl', arguments.length, 4, ['epfd', 'op', 'fd', 'event']);
  if (event !== null && event !== undefined && !isEpollEvent(event)) {
    throw invalidType('epoll_ctl', 'event', 'an epoll_event or null', event);
  }
  return binding.epoll_ctl(epfd, op, fd, event == null ? NONE : structMem(event));
}

/**
 * epoll_wait(epfd, events, maxevents, timeout) — man 2 epoll_wait. Waits up to `timeout` ms
 * (-1: forever) and fills the first entries of `events`; returns how many (0 on timeout).
 * Throws ErrnoError EINTR (unless `{ restart: true }`), EBADF, EINVAL; RangeError when
 * maxevents < 1 or exceeds the array.
 */
export function epoll_wait(epfd: number, events: EpollEventArray | epoll_event, maxevents: number,
                           timeout: number, options?: WaitOptions): number {
  const argc = arguments.length;
  if (argc < 4 || argc > 5) checkArgc('epoll_wait', argc, 4, ['epfd', 'events', 'maxevents', 'timeout', 'options']);
  const buf = (events as EpollEventArray | null | undefined)?.[kArrayBuffer] ?? eventsBytes('epoll_wait', events);
  // `restart` is passed only when options are given: one Node-API call less on the hot path.
  return options === undefined
    ? binding.epoll_wait(epfd, buf, maxevents, timeout)
    : binding.epoll_wait(epfd, buf, maxevents, timeout, restartOf('epoll_wait', options));
}

/**
 * epoll_pwait(epfd, events, maxevents, timeout, sigmask) — man 2 epoll_pwait. As
 * epoll_wait, blocking the given signal numbers for the duration of the wait.
 */
export function epoll_pwait(epfd: number, events: EpollEventArray | epoll_event, maxevents: number,
                            timeout: number, sigmask?: readonly number[] | null,
                            options?: WaitOptions): number {
  checkArgc('epoll_pwait', arguments.length, 4, ['epfd', 'events', 'maxevents', 'timeout', 'sigmask', 'options']);
  // The sigmask and options are read here, before the addon takes any pointer (native/args.h).
  const mask = sigmaskArg('epoll_pwait', sigmask);
  const restart = restartOf('epoll_pwait', options);
  return binding.epoll_pwait(epfd, eventsBytes('epoll_pwait', events), maxevents, timeout, mask, restart);
}

/**
 * epoll_pwait2(epfd, events, maxevents, timeout, sigmask) — man 2 epoll_pwait2 (Linux 5.11).
 * As epoll_pwait with a timespec timeout (null: forever; not changed). Throws ENOSYS on an
 * older kernel.
 */
export function epoll_pwait2(epfd: number, events: EpollEventArray | epoll_event, maxevents: number,
                             timeout: timespec | null, sigmask?: readonly number[] | null,
                             options?: WaitOptions): number {
  checkArgc('epoll_pwait2', arguments.length, 4, ['epfd', 'events', 'maxevents', 'timeout', 'sigmask', 'options']);
  // The sigmask and options are read here, before the addon takes any pointer (native/args.h).
  const mask = sigmaskArg('epoll_pwait2', sigmask);
  const restart = restartOf('epoll_pwait2', options);
  return binding.epoll_pwait2(epfd, eventsBytes('epoll_pwait2', events), maxevents,
    timespecBytes('epoll_pwait2', 'timeout', timeout), mask, restart);
}
