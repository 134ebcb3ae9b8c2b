// poll(2) and ppoll(2) over `struct pollfd[]` (native/poll.cc).
//
// pollfd.array(n) allocates ONE buffer laid out as the C array and returns a real JS array
// of views into it; poll() hands that buffer to the kernel as is, which writes revents in
// place. Nothing is copied or allocated per call. A plain array of { fd, events } objects is
// accepted too, as a convenience that copies in and out.
import { binding } from './binding';
import { checkArgc, invalidType, outOfRange } from './check';
import { EINVAL } from './constants';
import { ErrnoError } from './errors';
import {
  attachBytes, kArrayBuffer, restartOf, sigmaskArg, STRUCT_ARRAY_MAX, timespecBytes, type WaitOptions,
} from './mux';
import { checkInt, LE, Struct, timespec, wordIndex, wordViews } from './struct';

const L = binding.layout.pollfd;

export type { WaitOptions } from './mux';

/** An array made by pollfd.array(n): views over one buffer laid out as struct pollfd[n]. */
export type PollfdArray = pollfd[] & { readonly [kArrayBuffer]: ArrayBuffer };

/** A plain { fd, events } entry, accepted by poll() as a convenience (revents is set on it). */
export interface PollRequest {
  fd: number;
  events: number;
  revents?: number;
}

// Set in pollfd's static block: whether `o` is a real pollfd (its private brand), the
// cheap receiver check of every accessor. `Struct.view` alone would let the pollfd.fd
// setter write into an epoll_event's memory.
let isPollfd: (o: unknown) => o is pollfd;

function foreign(field: string, v: unknown): TypeError {
  return invalidType(`pollfd.${field}`, 'this', 'a pollfd', v);
}

/** struct pollfd { int fd; short events; short revents; } — one entry of a poll() array. */
export class pollfd extends Struct {
  #pollfd(): void {}
  // The getters' fast path (struct.ts wordViews): views shared by every entry of the array,
  // and each field's index in them (-1 when unaligned: the getter reads `undefined` and
  // falls back to the DataView, as it does on a detached buffer).
  readonly #i32: Int32Array;
  readonly #u16: Uint16Array;
  readonly #fdAt: number;
  readonly #eventsAt: number;
  readonly #reventsAt: number;

  static {
    isPollfd = (o: unknown): o is pollfd => typeof o === 'object' && o !== null && #pollfd in o;
  }

  /**
   * A standalone pollfd, or (with `bytes`) a view over one entry of a shared array; use
   * pollfd.array(n) to build the array poll() takes.
   */
  constructor(bytes?: Uint8Array) {
    checkArgc('pollfd', arguments.length, 0, ['bytes']);
    super(L.size, bytes);
    const w = wordViews(this.bytes);
    this.#i32 = w.i32;
    this.#u16 = w.u16;
    this.#fdAt = wordIndex(this.bytes, L.fd, 4);
    this.#eventsAt = wordIndex(this.bytes, L.events, 2);
    this.#reventsAt = wordIndex(this.bytes, L.revents, 2);
  }

  /**
   * A real JS array of `n` pollfd views over ONE buffer laid out as struct pollfd[n].
   * n is at most 1048576 (2**20, the default fs.nr_open: no process on a stock kernel has
   * more fds); more is a RangeError before anything is allocated.
   */
  static array(n: number): PollfdArray {
    checkArgc('pollfd.array', arguments.length, 1, ['n']);
    checkInt('pollfd.array', 'n', n, 0, STRUCT_ARRAY_MAX);
    const buf = new Uint8Array(n * L.size);
    const items: pollfd[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = new pollfd(buf.subarray(i * L.size, (i + 1) * L.size));
    return attachBytes(items, buf);
  }

  /** The fd to watch; a negative fd is skipped by the kernel (its revents read 0). */
  get fd(): number {
    if (!isPollfd(this)) throw foreign('fd', this);
    const v = this.#i32[this.#fdAt];
    return v !== undefined ? v : this.view.getInt32(L.fd, LE);
  }
  set fd(v: number) {
    if (!isPollfd(this)) throw foreign('fd', this);
    this.view.setInt32(L.fd, checkInt('pollfd', 'fd', v, -0x80000000, 0x7fffffff), LE);
  }
  /**
   * Requested events (POLLIN | POLLOUT | POLLPRI | POLLRDHUP ...): C's `short`, a bit set
   * whose flags all lie below 0x8000, so a value outside [0, 0xffff] is a RangeError.
   */
  get events(): number {
    if (!isPollfd(this)) throw foreign('events', this);
    const v = this.#u16[this.#eventsAt];
    return v !== undefined ? v : this.view.getUint16(L.events, LE);
  }
  set events(v: number) {
    if (!isPollfd(this)) throw foreign('events', this);
    this.view.setUint16(L.events, checkInt('pollfd', 'events', v, 0, 0xffff), LE);
  }
  /** Returned events, written by the kernel (plus POLLERR, POLLHUP, POLLNVAL); [0, 0xffff] as events. */
  get revents(): number {
    if (!isPollfd(this)) throw foreign('revents', this);
    const v = this.#u16[this.#reventsAt];
    return v !== undefined ? v : this.view.getUint16(L.revents, LE);
  }
  set revents(v: number) {
    if (!isPollfd(this)) throw foreign('revents', this);
    this.view.setUint16(L.revents, checkInt('pollfd', 'revents', v, 0, 0xffff), LE);
  }
}

// The convenience path: a plain array (or a slice of a pollfd array) is copied into one
// raw scratch buffer (no object per entry) and revents copied back. nfds above
// RLIMIT_NOFILE is what the kernel rejects with EINVAL; it is rejected here first, before
// anything is read or allocated.
function pollPlain(fn: string, fds: readonly PollRequest[], nfds: number,
                   call: (buf: ArrayBuffer) => number): number {
  if (!Array.isArray(fds)) {
    throw invalidType(fn, 'fds', 'an array made by pollfd.array(n) or an array of { fd, events }', fds);
  }
  checkInt(fn, 'nfds', nfds, 0, 0x7fffffff);
  if (nfds > fds.length) throw outOfRange(fn, `nfds ${nfds} exceeds the ${fds.length} entries of fds`);
  if (nfds > binding.pollNfdsMax()) throw new ErrnoError(fn, EINVAL);
  const ab = new ArrayBuffer(nfds * L.size);
  const dv = new DataView(ab);
  for (let i = 0; i < nfds; i++) {
    const e = fds[i];
    if (typeof e !== 'object' || e === null) throw invalidType(fn, `fds[${i}]`, 'an object { fd, events }', e);
    dv.setInt32(i * L.size + L.fd, checkInt(fn, `fds[${i}].fd`, e.fd, -0x80000000, 0x7fffffff), LE);
    dv.setUint16(i * L.size + L.events, checkInt(fn, `fds[${i}].events`, e.events, 0, 0xffff), LE);
    // revents is the out-parameter: clear it now (the kernel sets every entry's), so an entry
    // that cannot take it (frozen, a throwing setter) fails before the wait, not after.
    try {
      e.revents = 0;
    } catch {
      throw invalidType(fn, `fds[${i}]`, 'an object whose revents can be set', e);
    }
  }
  const r = call(ab);
  for (let i = 0; i < nfds; i++) fds[i].revents = dv.getUint16(i * L.size + L.revents, LE);
  return r;
}

/**
 * poll(fds, nfds, timeout) — man 2 poll. Waits up to `timeout` ms (-1: forever) for one of
 * the first `nfds` entries to be ready; fills each revents in place and returns how many
 * entries have a non-zero revents (0 on timeout). Throws ErrnoError EFAULT, EINTR (unless
 * `{ restart: true }`), EINVAL (nfds above RLIMIT_NOFILE), ENOMEM; RangeError when nfds
 * exceeds the array.
 */
export function poll(fds: PollfdArray | PollRequest[], nfds: number, timeout: number,
                     options?: WaitOptions): number {
  const argc = arguments.length;
  if (argc < 3 || argc > 4) checkArgc('poll', argc, 3, ['fds', 'nfds', 'timeout', 'options']);
  const buf = fds == null ? undefined : (fds as PollfdArray)[kArrayBuffer];
  // `restart` is passed only when options are given: one Node-API call less on the hot path.
  if (buf !== undefined) {
    return options === undefined
      ? binding.poll(buf, nfds, timeout)
      : binding.poll(buf, nfds, timeout, restartOf('poll', options));
  }
  const restart = restartOf('poll', options);
  return pollPlain('poll', fds, nfds, (b) => binding.poll(b, nfds, timeout, restart));
}

/**
 * ppoll(fds, nfds, tmo_p, sigmask) — man 2 ppoll. As poll, with a timespec timeout (null:
 * forever; the timespec is not changed) and, if given, the signal numbers to block for the
 * duration of the wait (each in [1, NSIG-1]; at most 4096 entries; [] blocks nothing, null
 * or omitted keeps the thread's mask). Throws as poll.
 */
export function ppoll(fds: PollfdArray | PollRequest[], nfds: number, tmo_p: timespec | null,
                      sigmask?: readonly number[] | null, options?: WaitOptions): number {
  checkArgc('ppoll', arguments.length, 3, ['fds', 'nfds', 'tmo_p', 'sigmask', 'options']);
  // Every argument that can run JS (the sigmask's getters, options) is read here, before
  // the addon takes any pointer (native/args.h, THE RULE).
  const ts = timespecBytes('ppoll', 'tmo_p', tmo_p);
  const mask = sigmaskArg('ppoll', sigmask);
  const restart = restartOf('ppoll', options);
  const buf = fds == null ? undefined : (fds as PollfdArray)[kArrayBuffer];
  if (buf !== undefined) return binding.ppoll(buf, nfds, ts, mask, restart);
  return pollPlain('ppoll', fds, nfds, (b) => binding.ppoll(b, nfds, ts, mask, restart));
}
