// select(2) and pselect(2) over fd_set bitmaps (native/select.cc).
//
// FD_ZERO/FD_SET/FD_CLR/FD_ISSET are done here with explicit bit arithmetic on the set's
// bytes, never glibc's macros: an fd the set cannot hold is a RangeError instead of a write
// past the set. The bitmap is an array of C longs (binding.layout.fd_set.word bytes each),
// bit `fd % bits` of word `fd / bits`, as the kernel reads it.
import { binding } from './binding';
import { checkArgc, invalidType, outOfRange } from './check';
import { FD_SETSIZE } from './constants';
import { NONE, restartOf, sigmaskArg, STRUCT_ARRAY_MAX, structMem, timespecBytes, type WaitOptions } from './mux';
import { checkInt, isTimeval, LE, Struct, timespec, timeval } from './struct';

const L = binding.layout.fd_set;
const WORD_BITS = L.word * 8;
// `LE` copied into a module constant: tsc's CommonJS output reads an imported binding off
// the other module's exports object at every use, which V8 does not fold into a constant
// (it made each FD_ISSET call ~3x slower).
const LITTLE = LE;

// Set in fd_set's static block: whether `o` is a real fd_set (its private brand). FD_* and
// select check it instead of `instanceof`, which Object.create(fd_set.prototype) passes.
let isFdSet: (o: unknown) => o is fd_set;

/**
 * fd_set — the select() bitmap. `new fd_set()` holds fds 0..FD_SETSIZE-1 (1024) like C's.
 * `new fd_set(setsize)` is an explicitly larger set (Linux's select reads ceil(nfds/64)
 * words, so fds past 1024 work when every set passed holds nfds bits); setsize is rounded
 * up to a whole word and is at most 1048576 (2**20, the default fs.nr_open: no process on
 * a stock kernel has more fds).
 */
export class fd_set extends Struct {
  /** How many fds (0..setsize-1) this set can hold. */
  readonly setsize: number;

  #fd_set(): void {}

  static {
    isFdSet = (o: unknown): o is fd_set => typeof o === 'object' && o !== null && #fd_set in o;
  }

  constructor(setsize: number = FD_SETSIZE) {
    checkArgc('fd_set', arguments.length, 0, ['setsize']);
    checkInt('fd_set', 'setsize', setsize, 1, STRUCT_ARRAY_MAX);
    const words = Math.ceil(setsize / WORD_BITS);
    super(Math.max(words * L.word, L.size));
    this.setsize = this.bytes.length * 8;
  }
}

// Byte index and bit of `fd` in the bytes of a set of longs.
function locate(fn: string, argc: number, fd: number, set: fd_set): number {
  if (argc !== 2) checkArgc(fn, argc, 2, ['fd', 'set']);
  if (!isFdSet(set)) throw invalidType(fn, 'set', 'an fd_set', set);
  if (typeof fd !== 'number') throw invalidType(fn, 'fd', 'an integer', fd);
  if (!Number.isInteger(fd) || fd < 0 || fd >= set.setsize) {
    throw outOfRange(fn, `fd must be an integer in [0, ${set.setsize - 1}] (the set holds ${set.setsize} fds; ` +
        `use new fd_set(setsize) for more), got ${fd}`);
  }
  const word = Math.floor(fd / WORD_BITS);
  const bit = fd % WORD_BITS;
  const byteInWord = LITTLE ? bit >> 3 : L.word - 1 - (bit >> 3);
  return (word * L.word + byteInWord) * 8 + (bit & 7);
}

/** FD_ZERO(set) — man 2 select: clears every fd of the set. */
export function FD_ZERO(set: fd_set): void {
  checkArgc('FD_ZERO', arguments.length, 1, ['set']);
  if (!isFdSet(set)) throw invalidType('FD_ZERO', 'set', 'an fd_set', set);
  set.bytes.fill(0);
}

/** FD_SET(fd, set) — man 2 select: adds fd; RangeError when the set cannot hold it. */
export function FD_SET(fd: number, set: fd_set): void {
  const at = locate('FD_SET', arguments.length, fd, set);
  set.bytes[at >> 3] |= 1 << (at & 7);
}

/** FD_CLR(fd, set) — man 2 select: removes fd; RangeError when the set cannot hold it. */
export function FD_CLR(fd: number, set: fd_set): void {
  const at = locate('FD_CLR', arguments.length, fd, set);
  set.bytes[at >> 3] &= ~(1 << (at & 7));
}

/** FD_ISSET(fd, set) — man 2 select: whether fd is in the set (a boolean, where C gives 0/1). */
export function FD_ISSET(fd: number, set: fd_set): boolean {
  // The scan after select() calls this once per fd, so a valid call is one byte load: on a
  // little-endian host bit `fd` of an array of longs is bit fd & 7 of byte fd >> 3. The
  // test accepts exactly what locate() accepts (a number that is an integer in
  // [0, setsize); `fd >>> 0 === fd` is false for fractions, NaN and negatives, and runs no
  // user code once typeof has passed); anything else takes locate() for its error.
  if (LITTLE && arguments.length === 2 && typeof fd === 'number' && fd >>> 0 === fd && isFdSet(set) &&
      fd < set.setsize) {
    return (set.bytes[fd >> 3] & (1 << (fd & 7))) !== 0;
  }
  const at = locate('FD_ISSET', arguments.length, fd, set);
  return (set.bytes[at >> 3] & (1 << (at & 7))) !== 0;
}

function setBytes(fn: string, name: string, s: fd_set | null | undefined): ArrayBuffer | Uint8Array {
  if (s === null || s === undefined) return NONE;
  if (!isFdSet(s)) throw invalidType(fn, name, 'an fd_set or null', s);
  return structMem(s);
}

/**
 * select(nfds, readfds, writefds, exceptfds, timeout) — man 2 select. Waits until an fd
 * below `nfds` in a set is ready or `timeout` passes (null: forever). The sets are
 * rewritten in place to the ready fds, the timeval is updated with the time left (as Linux
 * does), and the number of ready fds is returned. Throws ErrnoError EBADF, EINTR (unless
 * `{ restart: true }`), EINVAL, ENOMEM; RangeError when nfds exceeds a set's size.
 */
export function select(nfds: number, readfds: fd_set | null, writefds: fd_set | null,
                       exceptfds: fd_set | null, timeout: timeval | null, options?: WaitOptions): number {
  const argc = arguments.length;
  if (argc < 5 || argc > 6) {
    checkArgc('select', argc, 5, ['nfds', 'readfds', 'writefds', 'exceptfds', 'timeout', 'options']);
  }
  let tv: ArrayBuffer | Uint8Array = NONE;
  if (timeout !== null && timeout !== undefined) {
    if (!isTimeval(timeout)) throw invalidType('select', 'timeout', 'a timeval or null', timeout);
    tv = structMem(timeout);
  }
  const r = setBytes('select', 'readfds', readfds);
  const w = setBytes('select', 'writefds', writefds);
  const e = setBytes('select', 'exceptfds', exceptfds);
  // `restart` is passed only when options are given: one Node-API call less on the hot path.
  return options === undefined
    ? binding.select(nfds, r, w, e, tv)
    : binding.select(nfds, r, w, e, tv, restartOf('select', options));
}

/**
 * pselect(nfds, readfds, writefds, exceptfds, timeout, sigmask) — man 2 pselect. As select
 * with a timespec (not changed) and, if given, the signal numbers to block during the wait
 * (each in [1, NSIG-1]; at most 4096 entries; [] blocks nothing, null or omitted keeps the
 * thread's mask).
 */
export function pselect(nfds: number, readfds: fd_set | null, writefds: fd_set | null,
                        exceptfds: fd_set | null, timeout: timespec | null,
                        sigmask?: readonly number[] | null, options?: WaitOptions): number {
  checkArgc('pselect', arguments.length, 5, ['nfds', 'readfds', 'writefds', 'exceptfds', 'timeout', 'sigmask', 'options']);
  // The sigmask and options are read here, before the addon takes any pointer (native/args.h).
  const mask = sigmaskArg('pselect', sigmask);
  const restart = restartOf('pselect', options);
  return binding.pselect(nfds, setBytes('pselect', 'readfds', readfds), setBytes('pselect', 'writefds', writefds),
    setBytes('pselect', 'exceptfds', exceptfds), timespecBytes('pselect', 'timeout', timeout), mask, restart);
}
