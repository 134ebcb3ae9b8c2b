// Internal helpers shared by select.ts, poll.ts and epoll.ts (not re-exported from index):
// how their structs, sets and arrays are handed to the addon.
//
// The addon reads an ArrayBuffer several times faster than a typed array (native/wait.h
// GetMem; figures in bench/README.md), and these are the calls bench/overhead compares with C, so every wrapper hands
// over an ArrayBuffer where it can: the one buffer behind pollfd.array / epoll_event.array,
// or the buffer a struct fills alone. An EMPTY buffer stands for C's NULL (GetOptMem),
// because checking a value for null costs the addon more than reading a buffer.
import { binding } from './binding';
import { checkInt, invalidType } from './check';
import { isTimespec, Struct, type timespec } from './struct';

/** The trailing options of a wait (select, poll, epoll_wait and their p-variants). */
export interface WaitOptions {
  /**
   * Restart the wait after EINTR with the time that is left (CLOCK_MONOTONIC deadline)
   * instead of throwing ErrnoError 'EINTR'. Off by default: the EINTR is what lets a JS
   * signal listener (process.on('SIGINT')) run while the process is blocked in the wait.
   */
  restart?: boolean;
}

/**
 * @internal The most entries pollfd.array(n), epoll_event.array(n) and new fd_set(setsize)
 * take: 2**20 (1048576), the default fs.nr_open — the ceiling of RLIMIT_NOFILE, so no
 * process on a stock kernel has more fds to wait on. A larger request is a RangeError
 * before anything is allocated, never a V8 heap abort.
 */
export const STRUCT_ARRAY_MAX = 1 << 20;

/**
 * @internal Reads a wait's options object in TypeScript, so no getter on it can run once
 * the addon holds a pointer into a buffer (native/args.h, THE RULE). `restart` is read
 * once.
 */
export function restartOf(fn: string, options: WaitOptions | undefined): boolean {
  if (options === undefined || options === null) return false;
  if (typeof options !== 'object' || ArrayBuffer.isView(options)) throw invalidType(fn, 'options', 'an object', options);
  return options.restart === true;
}

const NSIG = binding.limits.NSIG;
/** @internal The most entries a sigmask array may have (duplicates are allowed, as sigaddset(3) allows them). */
export const SIGMASK_MAX = 4096;

/**
 * @internal A sigmask as the addon takes it: null, or an Int32Array of signal numbers
 * each in [1, NSIG-1]. The caller's array is read here, in TypeScript — index getters,
 * getters on Array.prototype and Proxy traps all run now, before the addon takes any
 * pointer (native/args.h, THE RULE); the addon never reads a JS array.
 */
export function sigmaskArg(fn: string, sigmask: readonly number[] | null | undefined): Int32Array | null {
  if (sigmask === null || sigmask === undefined) return null;
  if (!Array.isArray(sigmask)) throw invalidType(fn, 'sigmask', 'an array of signal numbers or null', sigmask);
  const n = checkInt(fn, 'sigmask.length', sigmask.length, 0, SIGMASK_MAX);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = checkInt(fn, `sigmask[${i}]`, sigmask[i], 1, NSIG - 1);
  return out;
}

/**
 * @internal The key under which pollfd.array / epoll_event.array keep their one
 * ArrayBuffer. The wrappers hand the addon the ArrayBuffer itself, not a view: reading an
 * ArrayBuffer costs the addon several times less than a typed array (native/wait.h GetMem).
 */
export const kArrayBuffer: unique symbol = Symbol('sockfd.arrayBuffer');

/** @internal C's NULL for an optional struct or set: the addon reads an empty buffer as NULL (native/wait.h GetOptMem). */
export const NONE: ArrayBuffer = new ArrayBuffer(0);

/** @internal What the addon reads fastest for a struct's bytes: its ArrayBuffer when the struct fills it. */
export function memOf(b: Uint8Array): ArrayBuffer | Uint8Array {
  const ab = b.buffer;
  return b.byteOffset === 0 && b.byteLength === ab.byteLength ? (ab as ArrayBuffer) : b;
}

const kMem: unique symbol = Symbol('sockfd.mem');

/**
 * @internal memOf(s.bytes), remembered on the struct: reading a typed array's `buffer`
 * is a runtime call in V8, too slow for select's per-call timeval.
 */
export function structMem(s: Struct): ArrayBuffer | Uint8Array {
  const m = (s as Struct & { [kMem]?: ArrayBuffer | Uint8Array })[kMem];
  if (m !== undefined) return m;
  const mem = memOf(s.bytes);
  Object.defineProperty(s, kMem, { value: mem, enumerable: false });
  return mem;
}

/** @internal Shares `buf` as the one buffer behind an element-view array. */
export function attachBytes<T>(items: T[], buf: Uint8Array): T[] & { readonly [kArrayBuffer]: ArrayBuffer } {
  Object.defineProperty(items, kArrayBuffer, { value: buf.buffer, enumerable: false });
  return items as T[] & { readonly [kArrayBuffer]: ArrayBuffer };
}

/** @internal The memory of a timespec argument (null becomes NONE), type-checked. */
export function timespecBytes(fn: string, param: string, ts: timespec | null | undefined): ArrayBuffer | Uint8Array {
  if (ts === null || ts === undefined) return NONE;
  if (!isTimespec(ts)) throw invalidType(fn, param, 'a timespec or null', ts);
  return structMem(ts);
}
