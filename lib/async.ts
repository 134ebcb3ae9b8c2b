// The event-loop layer: await readiness without blocking the JS thread and without the
// libuv threadpool (DESIGN.md "Event loop"; native side in native/watch.cc).
//
// THE RULE: a watcher is bound to a file, not to a number. fd numbers are reused at once,
// and a close can come from another thread, from fs.closeSync or from a net.Socket — not
// only from sockfd's close(). The native watcher records the identity of the file it was
// made for (fstat dev + inode) and checks it when a waiter arms it, on every wake-up before
// any waiter runs a syscall, and every 500 ms while waiters are pending. When the fd no
// longer opens that file, the watcher is retired and its waiters reject with ErrnoError
// ECANCELED ("fd 7 was closed while waiting", "... and now refers to another file"); the
// next wait on the number gets a fresh watcher for the file it opens now. close() through
// sockfd cancels the fd's waiters (ECANCELED) before the number is released.
//
// One owner per piece of state: native/watch.cc owns the uv_poll handle, the file
// identity, the started mask and ref state; this file owns all waiter policy — the waiter
// sets, timers and abort listeners — and tells the native side only "these events, ref'd
// or not" (binding.watch). Each wake-up leaves the native watcher idle; the dispatch
// re-arms it for the waiters still pending. The per-fd JS state lives exactly as long as
// the native watcher: watch.cc reports its end (closed, file gone or changed, or idle when
// a loop phase ends), and the JS state — with recvAsync's `drained` hint — goes with it.
//
// THE O_NONBLOCK POLICY: the async calls never change the fd's mode. recvAsync/sendAsync
// add MSG_DONTWAIT; readable/writable restore the mode uv_poll_init sets; acceptAsync and
// connectAsync set O_NONBLOCK only for the duration of their accept4/connect call when the
// fd is blocking, and restore it at once. A later plain recv(fd) or accept(fd) blocks
// exactly as it did before. (O_NONBLOCK belongs to the open file description: another
// process or thread using the same file sees the flag during that one call.)
//
// When a waiter's fd is ready, its non-blocking syscall runs right there, inside the loop
// callback, before any other JS can run. Pending calls keep their buffers alive (the
// waiter holds them) until they settle.
//
// Every exported function checks its arguments through lib/check.ts (count, types, ranges,
// detached buffers) and reports a mistake as a rejected promise before any syscall or wait.
//
// The async forms are camelCase helpers beside the C API (STYLE.md "Naming"): readable,
// writable, acceptAsync, accept4Async, connectAsync, recvAsync, sendAsync, sendAllAsync,
// sendmsgAsync, recvmsgAsync, epollWaitAsync. Each takes the C call's arguments, then an optional AsyncWaitOptions.
import { binding, type Bytes } from './binding';
import { checkArgc, checkBytes, checkFd, checkInt, checkSpan, invalidType, outOfRange } from './check';
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
import { addrOutBegin, noAddrlen } from './addrout';
import { Sockaddr, type Addrlen } from './sockaddr';
import { tryAccept4, tryConnect } from './socket';
import { type msghdr, tryMsg } from './msg';
import { fcntl, getsockopt } from './sockopt';

/** Options of every async wait. */
export interface AsyncWaitOptions {
  /** Aborting rejects the pending call with `signal.reason` and stops waiting. */
  signal?: AbortSignal;
  /** Milliseconds to wait for readiness before rejecting with ErrnoError ETIMEDOUT. */
  timeout?: number;
  /** `false`: the pending wait does not keep the process alive (as `timer.unref()`). Default `true`. */
  ref?: boolean;
}

// uv_poll event bits (uv.h UV_READABLE, UV_WRITABLE).
const READ = 1;
const WRITE = 2;
// watch.cc's statuses for the end of a watcher (kClosed, kGone, kChanged, kRetired).
const CLOSED = 1;
const GONE = 2;
const CHANGED = 3;
// What an attempt returns when the syscall met EAGAIN and the waiter keeps waiting.
const AGAIN = -1;
// Resolve value on timeout meaning "reject with ETIMEDOUT instead".
const REJECT = -1;
const INT32_MIN = -0x80000000;
const UINT32_MAX = 0xffffffff;

type Attempt = () => number;

/**
 * One fd's waiters while its native watcher lives. The counts are waiter policy (what the
 * waiters want), not a mirror of native state: watch.cc keeps what it was told.
 */
class FdWatch {
  readonly waiters = new Set<Waiter>();
  readers = 0;
  writers = 0;
  refs = 0;
  // recvAsync's guess whether a recv right now would meet EAGAIN: set when the last recv
  // drained the socket (returned less than asked, or EAGAIN), cleared when it filled the
  // buffer. While set, recvAsync skips the speculative syscall and waits for readiness,
  // as libuv's reads do. It belongs to this watcher's file: it goes when the watcher does.
  // A wrong guess costs one loop iteration, never data: the watcher is level-triggered.
  drained = false;
  constructor(readonly fd: number) {}
  mask(): number {
    return (this.readers > 0 ? READ : 0) | (this.writers > 0 ? WRITE : 0);
  }
}

class Waiter {
  timer: NodeJS.Timeout | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    public w: FdWatch,
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

function add(w: FdWatch, t: Waiter): void {
  t.w = w;
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

/**
 * Tells the native watcher what the remaining waiters want, from a loop callback
 * (readiness, timer, abort); a failure rejects the fd's waiters.
 */
function rearm(w: FdWatch): void {
  if (watches.get(w.fd) !== w) return; // its watcher has ended; nothing to tell
  try {
    binding.watch(w.fd, w.mask(), w.refs > 0);
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

function canceled(status: number, fd: number): (t: Waiter) => ErrnoError {
  const why =
    status === CHANGED
      ? 'was closed while waiting and now refers to another file'
      : status === GONE
        ? 'was closed while waiting (not through this thread\'s sockfd close)'
        : 'was closed while waiting';
  return (t) => new ErrnoError(t.op, ECANCELED, 'ECANCELED', `fd ${fd} ${why}`, fd);
}

// Called by watch.cc: from the loop when the fd is ready (status 0) or in error (status
// < 0, libuv has stopped the watcher); and when the fd's watcher ends (status > 0: closed
// through close(), file gone, number reused, or retired while idle) — from the loop, from
// close(), or from inside binding.watch() when the file changed under it.
function dispatch(fd: number, events: number, status: number): void {
  const w = watches.get(fd);
  if (w === undefined) return;
  if (status > 0) {
    watches.delete(fd);
    failAll(w, canceled(status, fd)); // none for a retired (idle) watcher
    return;
  }
  // watch.cc set the watcher idle before calling (each wake-up consumes its want); it is
  // re-armed below only if waiters remain.
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
  if (w.waiters.size > 0) rearm(w);
}
binding.watchInit(dispatch);

function onTimeout(t: Waiter): void {
  if (!t.w.waiters.has(t)) return;
  remove(t);
  rearm(t.w);
  if (t.onTimeout !== REJECT) {
    t.resolve(t.onTimeout);
    return;
  }
  const fd = t.w.fd;
  t.reject(new ErrnoError(t.op, ETIMEDOUT, 'ETIMEDOUT', `fd ${fd} not ready within ${t.timeout} ms`, fd));
}

type Options = AsyncWaitOptions & { ref: boolean };
const DEFAULTS: Options = Object.freeze({ ref: true });

/** Reads and checks AsyncWaitOptions; throws TypeError/RangeError naming `fn`. */
function readOptions(fn: string, options: AsyncWaitOptions | undefined): Options {
  if (options === undefined || options === null) return DEFAULTS;
  if (typeof options !== 'object' || ArrayBuffer.isView(options)) throw invalidType(fn, 'options', 'an object', options);
  const { signal, timeout, ref = true } = options;
  if (timeout !== undefined) {
    if (typeof timeout !== 'number') throw invalidType(fn, 'options.timeout', 'a number', timeout);
    if (!(timeout >= 0) || timeout > 0x7fffffff) {
      throw outOfRange(fn, `options.timeout must be a number of ms in [0, 2147483647], got ${String(timeout)}`);
    }
  }
  if (typeof ref !== 'boolean') throw invalidType(fn, 'options.ref', 'a boolean', ref);
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidType(fn, 'options.signal', 'an AbortSignal', signal);
  }
  return { signal, timeout, ref };
}

/**
 * Parks a waiter on `fd` until `attempt` stops returning AGAIN (or, with no attempt, until
 * the fd is ready), the timeout passes, the signal aborts, or the fd's watcher ends.
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
    // Arm first, then join: binding.watch checks the fd's file, and if the old watcher was
    // made for another file it rejects that watcher's waiters (synchronously, through
    // dispatch) before making a fresh one — this waiter is not among them.
    const before = watches.get(fd);
    try {
      binding.watch(fd, (before?.mask() ?? 0) | events, (before !== undefined && before.refs > 0) || o.ref);
    } catch (e) {
      reject(e);
      return;
    }
    let w = watches.get(fd);
    if (w === undefined) {
      w = new FdWatch(fd);
      watches.set(fd, w);
    }
    const t = new Waiter(w, events, o.ref, op, attempt, resolve as (v?: number) => void, reject, signal, o.timeout ?? -1, timeoutResult);
    add(w, t);
    // The old watcher ended inside binding.watch: tell the fresh one this waiter's mask only.
    if (before !== undefined && before !== w) rearm(w);
    if (o.timeout !== undefined) {
      t.timer = setTimeout(onTimeout, o.timeout, t);
      if (!o.ref) t.timer.unref();
    }
    if (signal !== undefined) {
      t.onAbort = () => {
        t.onAbort = undefined; // a { once } listener is already gone
        if (!t.w.waiters.has(t)) return;
        remove(t);
        rearm(t.w);
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
    checkArgc('readable', arguments.length, 1, ['fd', 'options']);
    checkFd('readable', 'fd', fd);
    return wait(fd, READ, 'readable', null, readOptions('readable', options)) as Promise<unknown> as Promise<void>;
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Resolves when `fd` is writable (POLLOUT, or an error). Uses the fd's shared uv_poll watcher. */
export function writable(fd: number, options?: AsyncWaitOptions): Promise<void> {
  try {
    checkArgc('writable', arguments.length, 1, ['fd', 'options']);
    checkFd('writable', 'fd', fd);
    return wait(fd, WRITE, 'writable', null, readOptions('writable', options)) as Promise<unknown> as Promise<void>;
  } catch (e) {
    return Promise.reject(e);
  }
}

const IO_PARAMS = ['fd', 'buf', 'len', 'flags', 'offset', 'options'] as const;

/**
 * Checks the arguments of recvAsync/sendAsync/sendAllAsync as the native call would
 * (so a mistake is reported before any syscall or wait); returns the byte count asked for.
 */
function ioArgs(fn: string, argc: number, fd: unknown, buf: unknown, len: unknown, flags: unknown, offset: unknown): number {
  checkArgc(fn, argc, 2, IO_PARAMS);
  checkFd(fn, 'fd', fd);
  checkBytes(fn, 'buf', buf);
  if (flags !== undefined) checkInt(fn, 'flags', flags, INT32_MIN, UINT32_MAX);
  return checkSpan(fn, buf as Bytes, len, offset);
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
    const asked = ioArgs('recvAsync', arguments.length, fd, buf, len, flags, offset);
    const o = readOptions('recvAsync', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    const f = (flags ?? 0) | MSG_DONTWAIT;
    const w = watches.get(fd);
    if (w === undefined || !w.drained) {
      // Try first: data may already be queued.
      const n = binding.tryRecv(fd, buf, len, f, offset);
      if (n !== -EAGAIN) {
        if (w !== undefined) w.drained = n < asked;
        return Promise.resolve(n);
      }
      if (w !== undefined) w.drained = true;
    }
    const attempt = (): number => {
      const r = binding.tryRecv(fd, buf, len, f, offset);
      const cur = watches.get(fd); // the watcher this attempt was woken by
      if (r === -EAGAIN) {
        if (cur !== undefined) cur.drained = true;
        return AGAIN;
      }
      if (cur !== undefined) cur.drained = r < asked;
      return r;
    };
    return wait(fd, READ, 'recv', attempt, o);
  } catch (e) {
    return Promise.reject(e);
  }
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
    ioArgs('sendAsync', arguments.length, fd, buf, len, flags, offset);
    const o = readOptions('sendAsync', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    const f = (flags ?? 0) | MSG_DONTWAIT;
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
 * between partial writes; resolves with the total; an ErrnoError carries `err.sent`, the
 * bytes already sent. `options.timeout` bounds the whole call,
 * measured on the monotonic clock (performance.now()), so a wall-clock step cannot
 * stretch or cut it.
 */
export function sendAllAsync(
  fd: number,
  buf: Bytes,
  len?: number,
  flags?: number,
  offset?: number,
  options?: AsyncWaitOptions,
): Promise<number> {
  try {
    const total = ioArgs('sendAllAsync', arguments.length, fd, buf, len, flags, offset);
    const o = readOptions('sendAllAsync', options);
    return sendAll(fd, buf, total, flags, offset ?? 0, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

async function sendAll(fd: number, buf: Bytes, total: number, flags: number | undefined, offset: number, o: Options): Promise<number> {
  const deadline = o.timeout === undefined ? undefined : performance.now() + o.timeout;
  let sent = 0;
  try {
    do {
      const timeout = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
      sent += await sendAsync(fd, buf, total - sent, flags, offset + sent, { ...o, timeout });
    } while (sent < total);
  } catch (e) {
    // As sendAll: the caller learns how far it got (ETIMEDOUT, ECANCELED, EPIPE...).
    if (e instanceof ErrnoError) e.sent = sent;
    throw e;
  }
  return sent;
}

/**
 * Runs `call` with O_NONBLOCK set on `fd` if it is not set, then restores the fd's mode
 * (the O_NONBLOCK policy at the top of this file). A restore that fails means the fd was
 * closed under us; the call's result stands.
 */
function nonblocking(fd: number, call: () => number): number {
  const fl = fcntl(fd, F_GETFL);
  if ((fl & O_NONBLOCK) !== 0) return call();
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  try {
    return call();
  } finally {
    try {
      fcntl(fd, F_SETFL, fl);
    } catch {
      // closed by another thread between the two calls: nothing left to restore
    }
  }
}

const SOCKADDR = 'a sockaddr struct (sockaddr_in, sockaddr_in6, sockaddr_un, sockaddr_storage)';

/**
 * accept4(2) without blocking the thread: resolves with the new connected fd (always
 * close-on-exec) once a connection is queued, filling `addr` as accept does. The listening
 * fd keeps its mode: when it is blocking, O_NONBLOCK is set only around each accept4 call,
 * so a connection taken by someone else between readiness and accept cannot block the
 * thread.
 */
export function accept4Async(
  fd: number,
  addr: Sockaddr | null | undefined,
  addrlen: Addrlen | null | undefined,
  flags: number,
  options?: AsyncWaitOptions,
): Promise<number> {
  try {
    checkArgc('accept4Async', arguments.length, 4, ['fd', 'addr', 'addrlen', 'flags', 'options']);
    return acceptAsyncImpl('accept4Async', fd, addr, addrlen, flags, options);
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
  try {
    checkArgc('acceptAsync', arguments.length, 1, ['fd', 'addr', 'addrlen', 'options']);
    return acceptAsyncImpl('acceptAsync', fd, addr, addrlen, 0, options);
  } catch (e) {
    return Promise.reject(e);
  }
}

function acceptAsyncImpl(
  fn: string,
  fd: number,
  addr: Sockaddr | null | undefined,
  addrlen: Addrlen | null | undefined,
  flags: number,
  options: AsyncWaitOptions | undefined,
): Promise<number> {
  checkFd(fn, 'fd', fd);
  if (addr !== undefined && addr !== null) {
    if (!(addr instanceof Sockaddr)) throw invalidType(fn, 'addr', SOCKADDR, addr);
    addrOutBegin(fn, addr, addrlen);
  } else {
    noAddrlen(fn, addrlen);
  }
  checkInt(fn, 'flags', flags, INT32_MIN, UINT32_MAX);
  const o = readOptions(fn, options);
  if (o.signal?.aborted) return Promise.reject(o.signal.reason);
  const attempt = (): number => {
    const r = nonblocking(fd, () => tryAccept4(fd, addr, addrlen, flags));
    return r === -EAGAIN ? AGAIN : r;
  };
  const n = attempt();
  if (n !== AGAIN) return Promise.resolve(n);
  return wait(fd, READ, 'accept4', attempt, o);
}

/**
 * connect(2) without blocking the thread: starts the connection (EINPROGRESS), awaits
 * writability, then reads SO_ERROR as C does; resolves 0 or rejects with the connect error
 * (ECONNREFUSED, ETIMEDOUT...). The fd keeps its mode: on a blocking socket O_NONBLOCK is
 * set only around the connect call. After an abort or timeout the attempt may still be in
 * progress in the kernel: close the socket.
 */
export function connectAsync(fd: number, addr: Sockaddr, addrlen?: number, options?: AsyncWaitOptions): Promise<number> {
  try {
    checkArgc('connectAsync', arguments.length, 2, ['fd', 'addr', 'addrlen', 'options']);
    checkFd('connectAsync', 'fd', fd);
    if (!(addr instanceof Sockaddr)) throw invalidType('connectAsync', 'addr', SOCKADDR, addr);
    if (addrlen !== undefined) checkInt('connectAsync', 'addrlen', addrlen, 0, addr.bytes.length);
    const o = readOptions('connectAsync', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    const r = nonblocking(fd, () => tryConnect(fd, addr, addrlen));
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
  timeout?: number,
  options?: Omit<AsyncWaitOptions, 'timeout'>,
): Promise<number> {
  try {
    checkArgc('epollWaitAsync', arguments.length, 3, ['epfd', 'events', 'maxevents', 'timeout', 'options']);
    checkFd('epollWaitAsync', 'epfd', epfd);
    const ms = timeout === undefined ? -1 : checkInt('epollWaitAsync', 'timeout', timeout, -1, 0x7fffffff);
    const o = readOptions('epollWaitAsync', options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    const n = epoll_wait(epfd, events, maxevents, 0);
    if (n > 0 || ms === 0) return Promise.resolve(n);
    const attempt = (): number => {
      const r = epoll_wait(epfd, events, maxevents, 0);
      return r > 0 ? r : AGAIN;
    };
    return wait(epfd, READ, 'epoll_wait', attempt, { ...o, timeout: ms < 0 ? undefined : ms }, 0);
  } catch (e) {
    return Promise.reject(e);
  }
}

function msgAsync(kind: 'sendmsg' | 'recvmsg', fn: string, argc: number, fd: number, msg: msghdr, flags: number | undefined, options: AsyncWaitOptions | undefined): Promise<number> {
  try {
    checkArgc(fn, argc, 2, ['fd', 'msg', 'flags', 'options']);
    checkFd(fn, 'fd', fd);
    const f = (flags === undefined ? 0 : checkInt(fn, 'flags', flags, INT32_MIN, UINT32_MAX)) | MSG_DONTWAIT;
    const o = readOptions(fn, options);
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    // The first try checks msg completely (lib/msg.ts pack) before its syscall.
    const n = tryMsg(kind, fn, fd, msg, f);
    if (n !== -EAGAIN) return Promise.resolve(n);
    const attempt = (): number => {
      const r = tryMsg(kind, fn, fd, msg, f);
      return r === -EAGAIN ? AGAIN : r;
    };
    return wait(fd, kind === 'sendmsg' ? WRITE : READ, kind, attempt, o);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * sendmsg(2) without blocking the thread: resolves with the byte count once the fd is
 * writable and the kernel took the message (a stream may take part of it, as C; its control
 * data goes with that part). Adds MSG_DONTWAIT and MSG_NOSIGNAL; `msg`'s buffers stay
 * referenced until the call settles.
 */
export function sendmsgAsync(fd: number, msg: msghdr, flags?: number, options?: AsyncWaitOptions): Promise<number> {
  return msgAsync('sendmsg', 'sendmsgAsync', arguments.length, fd, msg, flags, options);
}

/**
 * recvmsg(2) without blocking the thread: resolves with the byte count once a message is
 * there, `msg` filled as recvmsg fills it (fds received by SCM_RIGHTS are close-on-exec).
 * Adds MSG_DONTWAIT, so the fd may be blocking or not.
 */
export function recvmsgAsync(fd: number, msg: msghdr, flags?: number, options?: AsyncWaitOptions): Promise<number> {
  return msgAsync('recvmsg', 'recvmsgAsync', arguments.length, fd, msg, flags, options);
}
