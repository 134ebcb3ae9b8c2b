// poll(2) and ppoll(2) over `struct pollfd[]` (native/poll.cc).
//
// pollfd.array(n) allocates ONE buffer laid out as the C array and returns a real JS array
// of views into it; poll() hands that buffer to the kernel as is, which writes revents in
// place. Nothing is copied or allocated per call. A plain array of { fd, events } objects is
// accepted too, as a convenience that copies in and out.
import { binding } from './binding';
import { attachBytes, kArrayBuffer, timespecBytes, type WaitOptions } from './mux';
import { checkInt, LE, Struct, timespec } from './struct';

const L = binding.layout.pollfd;
// The addon's exports object is in V8's dictionary mode (too many properties), so reading
// binding.poll costs a hash lookup on every call; the hot functions are read once here.
const { poll: nativePoll, ppoll: nativePpoll } = binding;

export type { WaitOptions } from './mux';

/** An array made by pollfd.array(n): views over one buffer laid out as struct pollfd[n]. */
export type PollfdArray = pollfd[] & { readonly [kArrayBuffer]: ArrayBuffer };

/** A plain { fd, events } entry, accepted by poll() as a convenience (revents is set on it). */
export interface PollRequest {
  fd: number;
  events: number;
  revents?: number;
}

/** struct pollfd { int fd; short events; short revents; } — one entry of a poll() array. */
export class pollfd extends Struct {
  /**
   * A standalone pollfd, or (with `bytes`) a view over one entry of a shared array; use
   * pollfd.array(n) to build the array poll() takes.
   */
  constructor(bytes?: Uint8Array) {
    super(L.size, bytes);
  }

  /** A real JS array of `n` pollfd views over ONE buffer laid out as struct pollfd[n]. */
  static array(n: number): PollfdArray {
    checkInt('pollfd.array', 'n', n, 0, 0x7fffffff);
    const buf = new Uint8Array(n * L.size);
    const items: pollfd[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = new pollfd(buf.subarray(i * L.size, (i + 1) * L.size));
    return attachBytes(items, buf);
  }

  /** The fd to watch; a negative fd is skipped by the kernel (its revents read 0). */
  get fd(): number {
    return this.view.getInt32(L.fd, LE);
  }
  set fd(v: number) {
    this.view.setInt32(L.fd, checkInt('pollfd', 'fd', v, -0x80000000, 0x7fffffff), LE);
  }
  /** Requested events (POLLIN | POLLOUT | POLLPRI | POLLRDHUP ...). */
  get events(): number {
    return this.view.getInt16(L.events, LE);
  }
  set events(v: number) {
    this.view.setInt16(L.events, checkInt('pollfd', 'events', v, -0x8000, 0xffff), LE);
  }
  /** Returned events, written by the kernel (plus POLLERR, POLLHUP, POLLNVAL). */
  get revents(): number {
    return this.view.getInt16(L.revents, LE);
  }
  set revents(v: number) {
    this.view.setInt16(L.revents, checkInt('pollfd', 'revents', v, -0x8000, 0xffff), LE);
  }
}

// The convenience path: a plain array (or a slice of a pollfd array) is copied into a
// scratch buffer and revents copied back.
function pollPlain(fn: string, fds: readonly PollRequest[], nfds: number,
                   call: (buf: ArrayBuffer) => number): number {
  if (!Array.isArray(fds)) {
    throw new TypeError(`${fn}: fds must be an array made by pollfd.array(n) or an array of { fd, events }`);
  }
  checkInt(fn, 'nfds', nfds, 0, fds.length);
  const tmp = pollfd.array(nfds);
  for (let i = 0; i < nfds; i++) {
    tmp[i].fd = fds[i].fd;
    tmp[i].events = fds[i].events;
  }
  const r = call(tmp[kArrayBuffer]);
  for (let i = 0; i < nfds; i++) fds[i].revents = tmp[i].revents;
  return r;
}

/**
 * poll(fds, nfds, timeout) — man 2 poll. Waits up to `timeout` ms (-1: forever) for one of
 * the first `nfds` entries to be ready; fills each revents in place and returns how many
 * entries have a non-zero revents (0 on timeout). Throws ErrnoError EINTR (unless
 * `{ restart: true }`), EINVAL, ENOMEM; RangeError when nfds exceeds the array.
 */
export function poll(fds: PollfdArray | PollRequest[], nfds: number, timeout: number,
                     options?: WaitOptions): number {
  const buf = (fds as PollfdArray)[kArrayBuffer];
  // `restart` is passed only when options are given: one Node-API call less on the hot path.
  if (buf !== undefined) {
    return options === undefined ? nativePoll(buf, nfds, timeout) : nativePoll(buf, nfds, timeout, options.restart === true);
  }
  return pollPlain('poll', fds, nfds, (b) => nativePoll(b, nfds, timeout, options?.restart === true));
}

/**
 * ppoll(fds, nfds, tmo_p, sigmask) — man 2 ppoll. As poll, with a timespec timeout (null:
 * forever; the timespec is not changed) and, if given, the signal numbers to block for the
 * duration of the wait. Throws as poll.
 */
export function ppoll(fds: PollfdArray | PollRequest[], nfds: number, tmo_p: timespec | null,
                      sigmask?: readonly number[] | null, options?: WaitOptions): number {
  const ts = timespecBytes('ppoll', tmo_p);
  const buf = (fds as PollfdArray)[kArrayBuffer];
  if (buf !== undefined) return nativePpoll(buf, nfds, ts, sigmask, options?.restart === true);
  return pollPlain('ppoll', fds, nfds, (b) => nativePpoll(b, nfds, ts, sigmask, options?.restart === true));
}
