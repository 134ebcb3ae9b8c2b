// The event-loop layer: await readiness without blocking the JS thread and without the
// libuv threadpool (DESIGN.md "Event loop"; native side in native/watch.cc).
//
// Each fd has at most one native watcher (uv_poll on this thread's own loop), shared by
// every waiter on it. Waiters live here; the watcher's event mask and ref state follow
// them. When the fd reports readiness, each waiter's non-blocking syscall runs right
// there, inside the loop callback, before any other JS can run: a waiter therefore never
// acts on an fd that was closed and reused in between. close() cancels the fd's waiters
// (ECANCELED) before the number is released. Pending calls keep their buffers alive (the
// waiter holds them) until they settle.
//
// The async forms are camelCase helpers beside the C API (STYLE.md "Naming"): readable,
// writable, acceptAsync, accept4Async, connectAsync, recvAsync, sendAsync, sendAllAsync,
// epollWaitAsync. Each takes the C call's arguments, then an optional AsyncWaitOptions.
import { binding, type Bytes } from './binding';
import {
  EAGAIN,
  ECANCELED,
  EINPROGRESS,
  ETIMEDOUT,
  F_GETFL,
  F_SETFL,
  MSG_DONTWAIT,
  O_NONBLOCK,
  SOL_SOCKET,
  SO_ERROR,
} from './constants';
import { epoll_wait, type EpollEventArray, type epoll_event } from './epoll';
import { ErrnoError } from './errors';
import type { Addrlen, Sockaddr } from './sockaddr';
import { tryAccept4, tryConnect } from './socket';
import { fcntl, getsockopt } from './sockopt';
import { checkInt, describe } from './struct';

/** Options of every async wait. */
export interface AsyncWaitOptions {
  /** Aborting rejects the pending call with `signal.reason` and stops waiting. */
  signal?: AbortSignal;
  /** Milliseconds to wait for readiness before rejecting with ErrnoError ETIMEDOUT. */
  timeout?: number;
  /** `false`: the pending wait does not keep the process alive (as `timer.unref()`). Default `true`. */
  ref?: boolean;
}

// uv_poll event bits (uv.h UV_READABLE, UV_WRITABLE) and watch.cc's close status.
const READ = 1;
const WRITE = 2;
const CLOSED = 1;
// What an attempt returns when the syscall met EAGAIN and the waiter keeps waiting.
const AGAIN = -1;
// Resolve value on timeout meaning "reject with ETIMEDOUT instead".
const REJECT = -1;

type Attempt = () => number;

/** One fd's waiters and what the native watcher was last told. */
class FdWatch {
  readonly waiters = new Set<Waiter>();
  readers = 0;
  writers = 0;
  refs = 0;
  mask = 0;
  ref = false;
  // recvAsync's guess whether a recv right now would meet EAGAIN: set when the last recv
  // drained the socket (returned less than asked, or EAGAIN), cleared when it filled the
  // buffer. While set, recvAsync skips the speculative syscall and waits for readiness,
  // as libuv's reads do; a stream with data queued keeps reading without waiting.
  drained = false;
  constructor(readonly fd: number) {}
}

class Waiter {
  timer: NodeJS.Timeout | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    readonly w: FdWatch,
    readonly events: number,
    readonly ref: boolean,
    readonly op: string,
    // null: a plain readiness wait (readable/writable), resolved with no value.
    readonly attempt: Attempt | null,
    readonly resolve: (v?: number) => void,
    readonly reject: (e: unknown) => void,
    readonly signal: AbortSignal | undefined,
    readonly timeout: number,
    readonly onTimeout: number,
  ) {}
}

const watches = new Map<number, FdWatch>();

function watchOf(fd: number): FdWatch {
  let w = watches.get(fd);
  if (w === undefined) {
    w = new FdWatch(fd);
    watches.set(fd, w);
  }
  return w;
}

function add(w: FdWatch, t: Waiter): void {
  w.waiters.add(t);
  if (t.events & READ) w.readers++;
  if (t.events & WRITE) w.writers++;
  if (t.ref) w.refs++;
}

/** Takes a waiter out of its fd's set and drops its timer and abort listener. */
function remove(t: Waiter): void {
  const w = t.w;
  if (!w.waiters.delete(t)) return;
  if (t.events & READ) w.readers--;
  if (t.events & WRITE) w.writers--;
  if (t.ref) w.refs--;
  if (t.timer !== undefined) clearTimeout(t.timer);
  if (t.onAbort !== undefined) t.signal!.removeEventListener('abort', t.onAbort);
}

/** Tells the native watcher the mask and ref state the remaining waiters need. */
function sync(w: FdWatch): void {
  const mask = (w.readers > 0 ? READ : 0) | (w.writers > 0 ? WRITE : 0);
  const ref = w.refs > 0;
  if (mask === w.mask && (mask === 0 || ref === w.ref)) return;
  binding.watch(w.fd, mask, ref);
  w.mask = mask;
  w.ref = ref;
}

/** sync() from a loop callback (readiness, timer, abort): a failure rejects the fd's waiters. */
function resync(w: FdWatch): void {
  try {
    sync(w);
  } catch (e) {
    failAll(w, () => e);
  }
}

function failAll(w: FdWatch, err: (t: Waiter) => unknown): void {
  for (const t of w.waiters) {
    remove(t);
    t.reject(err(t));
  }
}

function canceled(t: Waiter): ErrnoError {
  return new ErrnoError(t.op, ECANCELED, 'ECANCELED', `fd ${t.w.fd} was closed while waiting`, t.w.fd);
}

// Called by watch.cc: from the loop when the fd is ready (status 0) or in error (status
// < 0, libuv has stopped the watcher), and from close() with status CLOSED.
function dispatch(fd: number, events: number, status: number): void {
  const w = watches.get(fd);
  if (w === undefined) return;
  if (status === CLOSED) {
    watches.delete(fd);
    w.mask = 0;
    failAll(w, canceled);
    return;
  }
  // watch.cc set the watcher idle before calling (each wake-up consumes its want);
  // sync() below re-arms it for the waiters still pending.
  w.mask = 0;
  for (const t of w.waiters) {
    if ((t.events & events) === 0) continue;
    if (t.attempt === null) {
      remove(t);
      t.resolve();
      continue;
    }
    let v: number;
    try {
      v = t.attempt();
    } catch (e) {
      remove(t);
      t.reject(e);
      continue;
    }
    if (v === AGAIN) continue;
    remove(t);
    t.resolve(v);
  }
  resync(w);
}
binding.watchInit(dispatch);

function onTimeout(t: Waiter): void {
  if (!t.w.waiters.has(t)) return;
  remove(t);
  resync(t.w);
  if (t.onTimeout !== REJECT) {
    t.resolve(t.onTimeout);
    return;
  }
  const fd = t.w.fd;
  t.reject(new ErrnoError(t.op, ETIMEDOUT, 'ETIMEDOUT', `fd ${fd} not ready within ${t.timeout} ms`, fd));
}

function checkFd(fn: string, fd: unknown): void {
  checkInt(fn, 'fd', fd, 0, 0x7fffffff);
}

type Options = AsyncWaitOptions & { ref: boolean };
const DEFAULTS: Options = Object.freeze({ ref: true });

/** Reads and checks AsyncWaitOptions; throws TypeError/RangeError naming `fn`. */
function readOptions(fn: string, options: AsyncWaitOptions | undefined): Options {
  if (options === undefined || options === null) return DEFAULTS;
  if (typeof options !== 'object') throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const { signal, timeout, ref = true } = options;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0) || timeout > 0x7fffffff)) {
    throw new RangeError(`${fn}: options.timeout must be a number of ms in [0, 2147483647], got ${describe(timeout)}`);
  }
  if (typeof ref !== 'boolean') throw new TypeError(`${fn}: options.ref must be a boolean, got ${describe(ref)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${fn}: options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  return { signal, timeout, ref };
}

/**
 * Parks a waiter on `fd` until `attempt` stops returning AGAIN (or, with no attempt, until
 * the fd is ready), the timeout passes, the signal aborts, or close() cancels it.
 */
function wait(
  fd: number,
  events: number,
  op: string,
  attempt: Attempt | null,
  o: Options,
  timeoutResult = REJECT,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const signal = o.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const w = watchOf(fd);
    const t = new Waiter(w, events, o.ref, op, attempt, resolve as (v?: number) => void, reject, signal, o.timeout ?? -1, timeoutResult);
    add(w, t);
    try {
      sync(w);
    } catch (e) {
      remove(t);
      reject(e);
      return;
    }
    if (o.timeout !== undefined) {
      t.timer = setTimeout(onTimeout, o.timeout, t);
      if (!o.ref) t.timer.unref();
    }
    if (signal !== undefined) {
      t.onAbort = () => {
        t.onAbort = undefined; // a { once } listener is already gone
        if (!t.w.waiters.has(t)) return;
        remove(t);
        resync(t.w);
        reject(signal.reason);
      };
      signal.addEventListener('abort', t.onAbort, { once: true });
    }
  });
}

/**
 * Resolves when `fd` is readable (data, a pending connection, EOF or an error: what
 * poll(2) reports as POLLIN/POLLHUP/POLLERR). Uses the fd's shared uv_poll watcher.
 */
export function readable(fd: number, options?: AsyncWaitOptions): Promise<void> {
  try {
    checkFd('readable', fd);
    return wait(fd, READ, 'readable', null, readOptions('readable', options)) as Promise<unknown> as Promise<void>;
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Resolves when `fd` is writable (POLLOUT, or an error). Uses the fd's shared uv_poll watcher. */
export function writable(fd: number, options?: AsyncWaitOptions): Promise<void> {
  try {
    checkFd('writable', fd);
    return wait(fd, WRITE, 'writable', null, readOptions('writable', options)) as Promise<unknown> as Promise<void>;
  } catch (e) {
    return Promise.reject(e);
  }
}

// flags | MSG_DONTWAIT only for a real integer: anything else goes to the native call
// unchanged, which rejects it with the C function's own TypeError/RangeError.
function dontwait(flags: number | undefined): number | undefined {
  if (flags === undefined) return MSG_DONTWAIT;
  return Number.isInteger(flags) ? flags | MSG_DONTWAIT : flags;
}

/**
 * recv(2) without blocking the thread: resolves with the byte count (0 = peer closed) once
 * data is there. Adds MSG_DONTWAIT, so the fd may be blocking or not. `buf` stays
 * referenced until the call settles.
 */
export function recvAsync(
  fd: number,
  buf: Bytes,
  len?: number,
  flags?: number,
  offset?: number,
  options?: AsyncWaitOptions,
): Promise<number> {
  try {
    const o = readOptions('recvAsync', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    const f = dontwait(flags);
    const asked = spanLength('recvAsync', buf, len, offset);
    let w = watches.get(fd);
    if (w === undefined || !w.drained) {
      // Try first: data may already be queued.
      const n = binding.tryRecv(fd, buf, len, f, offset);
      if (n !== -EAGAIN) {
        if (n < asked) (w ?? watchOf(fd)).drained = true;
        else if (w !== undefined) w.drained = false;
        return Promise.resolve(n);
      }
      w ??= watchOf(fd);
      w.drained = true;
    } else {
      checkFd('recvAsync', fd);
    }
    const fw = w;
    const attempt = (): number => {
      const r = binding.tryRecv(fd, buf, len, f, offset);
      if (r === -EAGAIN) return AGAIN;
      fw.drained = r < asked;
      return r;
    };
    return wait(fd, READ, 'recv', attempt, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * The byte count a call on (buf, len, offset) asks for, checking the span as the native
 * call would (so a bad span is reported before any wait, not on readiness).
 */
function spanLength(fn: string, buf: Bytes, len: number | undefined, offset: number | undefined): number {
  if (!(buf instanceof ArrayBuffer) && !ArrayBuffer.isView(buf)) {
    throw new TypeError(`${fn}: buf must be an ArrayBufferView or ArrayBuffer, got ${describe(buf)}`);
  }
  const size = buf.byteLength;
  const off = offset ?? 0;
  if (!Number.isInteger(off) || off < 0 || off > size) {
    throw new RangeError(`${fn}: offset must be an integer in [0, ${size}], got ${describe(off)}`);
  }
  const n = len ?? size - off;
  if (!Number.isInteger(n) || n < 0 || n > size - off) {
    throw new RangeError(`${fn}: len must be an integer in [0, ${size - off}], got ${describe(n)}`);
  }
  return n;
}

/**
 * send(2) without blocking the thread: resolves with the byte count the kernel took once
 * the fd is writable. Like C, that may be less than `len` (a partial write); see
 * sendAllAsync. Adds MSG_DONTWAIT and MSG_NOSIGNAL.
 */
export function sendAsync(
  fd: number,
  buf: Bytes,
  len?: number,
  flags?: number,
  offset?: number,
  options?: AsyncWaitOptions,
): Promise<number> {
  try {
    const o = readOptions('sendAsync', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    const f = dontwait(flags);
    const n = binding.trySend(fd, buf, len, f, offset);
    if (n !== -EAGAIN) return Promise.resolve(n);
    const attempt = (): number => {
      const r = binding.trySend(fd, buf, len, f, offset);
      return r === -EAGAIN ? AGAIN : r;
    };
    return wait(fd, WRITE, 'send', attempt, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Sends all `len` bytes (default: the rest of `buf` after `offset`), awaiting writability
 * between partial writes; resolves with the total. `options.timeout` bounds the whole call.
 */
export async function sendAllAsync(
  fd: number,
  buf: Bytes,
  len?: number,
  flags?: number,
  offset = 0,
  options?: AsyncWaitOptions,
): Promise<number> {
  const o = readOptions('sendAllAsync', options);
  const total = len ?? buf.byteLength - offset;
  const deadline = o.timeout === undefined ? undefined : Date.now() + o.timeout;
  let sent = 0;
  do {
    const timeout = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
    sent += await sendAsync(fd, buf, total - sent, flags, offset + sent, { ...o, timeout });
  } while (sent < total);
  return sent;
}

/** Sets O_NONBLOCK on `fd` if it is not set: what accept/connect need to be awaited. */
function setNonblock(fd: number): void {
  const fl = fcntl(fd, F_GETFL);
  if ((fl & O_NONBLOCK) === 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/**
 * accept4(2) without blocking the thread: resolves with the new connected fd (always
 * close-on-exec) once a connection is queued, filling `addr` as accept does. Sets
 * O_NONBLOCK on the listening fd, so a connection that vanishes between readiness and
 * accept cannot block the thread.
 */
export function accept4Async(
  fd: number,
  addr: Sockaddr | null | undefined,
  addrlen: Addrlen | null | undefined,
  flags: number,
  options?: AsyncWaitOptions,
): Promise<number> {
  try {
    const o = readOptions('accept4Async', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    setNonblock(fd);
    const n = tryAccept4(fd, addr, addrlen, flags);
    if (n !== -EAGAIN) return Promise.resolve(n);
    const attempt = (): number => {
      const r = tryAccept4(fd, addr, addrlen, flags);
      return r === -EAGAIN ? AGAIN : r;
    };
    return wait(fd, READ, 'accept4', attempt, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** accept(2) without blocking the thread: accept4Async with flags 0. */
export function acceptAsync(
  fd: number,
  addr?: Sockaddr | null,
  addrlen?: Addrlen | null,
  options?: AsyncWaitOptions,
): Promise<number> {
  return accept4Async(fd, addr, addrlen, 0, options);
}

/**
 * connect(2) without blocking the thread: sets O_NONBLOCK, starts the connection
 * (EINPROGRESS), awaits writability, then reads SO_ERROR as C does; resolves 0 or rejects
 * with the connect error (ECONNREFUSED, ETIMEDOUT...). After an abort or timeout the
 * attempt may still be in progress in the kernel: close the socket.
 */
export function connectAsync(fd: number, addr: Sockaddr, addrlen?: number, options?: AsyncWaitOptions): Promise<number> {
  try {
    const o = readOptions('connectAsync', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    setNonblock(fd);
    const r = tryConnect(fd, addr, addrlen);
    if (r === 0) return Promise.resolve(0);
    if (r !== -EINPROGRESS) throw new ErrnoError('connect', -r, undefined, undefined, fd);
    const attempt = (): number => {
      const err = getsockopt(fd, SOL_SOCKET, SO_ERROR);
      if (err !== 0) throw new ErrnoError('connect', err, undefined, undefined, fd);
      return 0;
    };
    return wait(fd, WRITE, 'connect', attempt, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * epoll_wait(2) as a promise: awaits readiness of the epoll fd itself (an epoll fd is
 * readable when any of its fds has an event), then collects events with a zero timeout.
 * `timeout` is C's: ms, -1 = none; on expiry resolves 0, as epoll_wait returns 0.
 */
export function epollWaitAsync(
  epfd: number,
  events: EpollEventArray | epoll_event,
  maxevents: number,
  timeout = -1,
  options?: Omit<AsyncWaitOptions, 'timeout'>,
): Promise<number> {
  try {
    const o = readOptions('epollWaitAsync', options);
    if (!Number.isInteger(timeout) || timeout < -1 || timeout > 0x7fffffff) {
      throw new RangeError(`epollWaitAsync: timeout must be an integer in [-1, 2147483647], got ${describe(timeout)}`);
    }
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    const n = epoll_wait(epfd, events, maxevents, 0);
    if (n > 0 || timeout === 0) return Promise.resolve(n);
    const attempt = (): number => {
      const r = epoll_wait(epfd, events, maxevents, 0);
      return r > 0 ? r : AGAIN;
    };
    return wait(epfd, READ, 'epoll_wait', attempt, { ...o, timeout: timeout < 0 ? undefined : timeout }, 0);
  } catch (e) {
    return Promise.reject(e);
  }
}
