// The event fds a C loop waits on beside its sockets (native/eventfd.cc): eventfd with
// eventfd_read/eventfd_write, signalfd with sigset_t and sigemptyset & co., sigprocmask /
// pthread_sigmask, timerfd_create/settime/gettime with itimerspec, and tgkill/gettid.
// Every fd made here is close-on-exec (EFD_CLOEXEC, SFD_CLOEXEC, TFD_CLOEXEC always added)
// and pollable by select, poll, epoll and readable().
//
// Which signals a signalfd can see in a Node process is not what it is in a
// single-threaded C program: see docs/api.md "signalfd and Node's threads". routeSignals
// (native, not C) makes a process-directed signal reach the thread that reads the signalfd.
import { readdirSync, readFileSync } from 'node:fs';
import { binding } from './binding';
import { checkArgc, checkFd, checkFlags, checkInt, invalidType } from './check';
import { LE, receiverError, Struct, timespec } from './struct';

const SS = binding.layout.sigset_t;
const IT = binding.layout.itimerspec;
const SI = binding.layout.signalfd_siginfo;
const TS_SIZE = binding.layout.timespec.size;
const NSIG = binding.limits.NSIG;

let isSigset: (o: unknown) => o is sigset_t;
let isItimerspec: (o: unknown) => o is itimerspec;

/**
 * sigset_t — a set of signals, laid out as glibc's (sizeof from the addon). A new one is
 * empty, as after sigemptyset(3); fill it with sigaddset/sigfillset.
 */
export class sigset_t extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static {
    isSigset = (o: unknown): o is sigset_t => typeof o === 'object' && o !== null && #brand in o;
  }
  /** An empty set; or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('sigset_t', arguments.length, 0, ['bytes']);
    super(SS.size, bytes);
  }
}

/**
 * struct itimerspec — a timer's period (`it_interval`) and its first expiration
 * (`it_value`), each a timespec over this struct's own bytes (timerfd_settime/gettime).
 */
export class itimerspec extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static {
    isItimerspec = (o: unknown): o is itimerspec => typeof o === 'object' && o !== null && #brand in o;
  }
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('itimerspec', member, o);
  }
  readonly #interval: timespec;
  readonly #value: timespec;
  /** A zeroed itimerspec (a disarmed timer); or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('itimerspec', arguments.length, 0, ['bytes']);
    super(IT.size, bytes);
    this.#interval = new timespec(0, 0, this.bytes.subarray(IT.it_interval, IT.it_interval + TS_SIZE));
    this.#value = new timespec(0, 0, this.bytes.subarray(IT.it_value, IT.it_value + TS_SIZE));
  }
  /** The period after the first expiration (zero: one-shot). A view, not a copy. */
  get it_interval(): timespec {
    itimerspec.#check(this, 'it_interval');
    return this.#interval;
  }
  /** The first expiration (zero: disarmed). A view, not a copy. */
  get it_value(): timespec {
    itimerspec.#check(this, 'it_value');
    return this.#value;
  }
}

/**
 * struct signalfd_siginfo — what read(2) of a signalfd fills, one per signal
 * (`read(sfd, si.bytes)`). Read-only fields with the C names; 64-bit fields are bigints.
 */
export class signalfd_siginfo extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('signalfd_siginfo', member, o);
  }
  /** A zeroed signalfd_siginfo; or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('signalfd_siginfo', arguments.length, 0, ['bytes']);
    super(SI.size, bytes);
  }
  /** A field's bytes, after the receiver check (each getter names its field). */
  static #field(o: unknown, member: keyof typeof SI): DataView {
    signalfd_siginfo.#check(o, member);
    return (o as signalfd_siginfo).view;
  }
  /** The signal number. */
  get ssi_signo(): number { return signalfd_siginfo.#field(this, 'ssi_signo').getUint32(SI.ssi_signo, LE); }
  /** An error code (unused by Linux). */
  get ssi_errno(): number { return signalfd_siginfo.#field(this, 'ssi_errno').getInt32(SI.ssi_errno, LE); }
  /** The signal code (SI_USER from kill, SI_TKILL from tgkill, SI_QUEUE, ...). */
  get ssi_code(): number { return signalfd_siginfo.#field(this, 'ssi_code').getInt32(SI.ssi_code, LE); }
  /** The sender's pid (kill, tgkill, sigqueue). */
  get ssi_pid(): number { return signalfd_siginfo.#field(this, 'ssi_pid').getUint32(SI.ssi_pid, LE); }
  /** The sender's real uid. */
  get ssi_uid(): number { return signalfd_siginfo.#field(this, 'ssi_uid').getUint32(SI.ssi_uid, LE); }
  /** The fd (SIGIO). */
  get ssi_fd(): number { return signalfd_siginfo.#field(this, 'ssi_fd').getInt32(SI.ssi_fd, LE); }
  /** The kernel timer id (POSIX timers). */
  get ssi_tid(): number { return signalfd_siginfo.#field(this, 'ssi_tid').getUint32(SI.ssi_tid, LE); }
  /** The band event (SIGIO). */
  get ssi_band(): number { return signalfd_siginfo.#field(this, 'ssi_band').getUint32(SI.ssi_band, LE); }
  /** The overrun count (POSIX timers). */
  get ssi_overrun(): number { return signalfd_siginfo.#field(this, 'ssi_overrun').getUint32(SI.ssi_overrun, LE); }
  /** The trap number. */
  get ssi_trapno(): number { return signalfd_siginfo.#field(this, 'ssi_trapno').getUint32(SI.ssi_trapno, LE); }
  /** The exit status or signal (SIGCHLD). */
  get ssi_status(): number { return signalfd_siginfo.#field(this, 'ssi_status').getInt32(SI.ssi_status, LE); }
  /** The integer sent by sigqueue(3). */
  get ssi_int(): number { return signalfd_siginfo.#field(this, 'ssi_int').getInt32(SI.ssi_int, LE); }
  /** The pointer sent by sigqueue(3). */
  get ssi_ptr(): bigint { return signalfd_siginfo.#field(this, 'ssi_ptr').getBigUint64(SI.ssi_ptr, LE); }
  /** User CPU time consumed (SIGCHLD). */
  get ssi_utime(): bigint { return signalfd_siginfo.#field(this, 'ssi_utime').getBigUint64(SI.ssi_utime, LE); }
  /** System CPU time consumed (SIGCHLD). */
  get ssi_stime(): bigint { return signalfd_siginfo.#field(this, 'ssi_stime').getBigUint64(SI.ssi_stime, LE); }
  /** The address that generated the signal (hardware signals). */
  get ssi_addr(): bigint { return signalfd_siginfo.#field(this, 'ssi_addr').getBigUint64(SI.ssi_addr, LE); }
}

function sigsetArg(fn: string, param: string, v: unknown): Uint8Array {
  if (!isSigset(v)) throw invalidType(fn, param, 'a sigset_t', v);
  return v.bytes;
}
function optSigsetArg(fn: string, param: string, v: unknown): Uint8Array | null {
  return v === null ? null : sigsetArg(fn, param, v);
}
function itimerspecArg(fn: string, param: string, v: unknown): Uint8Array {
  if (!isItimerspec(v)) throw invalidType(fn, param, 'an itimerspec', v);
  return v.bytes;
}

/** sigemptyset(set) — man 3 sigemptyset. Empties `set`; returns 0. */
export function sigemptyset(set: sigset_t): number {
  checkArgc('sigemptyset', arguments.length, 1, ['set']);
  return binding.sigemptyset(sigsetArg('sigemptyset', 'set', set));
}

/** sigfillset(set) — man 3 sigfillset. Puts every signal in `set` (glibc leaves out its two internal ones); returns 0. */
export function sigfillset(set: sigset_t): number {
  checkArgc('sigfillset', arguments.length, 1, ['set']);
  return binding.sigfillset(sigsetArg('sigfillset', 'set', set));
}

/** sigaddset(set, signum) — man 3 sigaddset. Adds signal `signum` (1..NSIG-1) to `set`; returns 0. */
export function sigaddset(set: sigset_t, signum: number): number {
  checkArgc('sigaddset', arguments.length, 2, ['set', 'signum']);
  const b = sigsetArg('sigaddset', 'set', set);
  return binding.sigaddset(b, checkInt('sigaddset', 'signum', signum, 1, NSIG - 1));
}

/** sigdelset(set, signum) — man 3 sigdelset. Removes signal `signum` from `set`; returns 0. */
export function sigdelset(set: sigset_t, signum: number): number {
  checkArgc('sigdelset', arguments.length, 2, ['set', 'signum']);
  const b = sigsetArg('sigdelset', 'set', set);
  return binding.sigdelset(b, checkInt('sigdelset', 'signum', signum, 1, NSIG - 1));
}

/** sigismember(set, signum) — man 3 sigismember. 1 if `signum` is in `set`, else 0. */
export function sigismember(set: sigset_t, signum: number): number {
  checkArgc('sigismember', arguments.length, 2, ['set', 'signum']);
  const b = sigsetArg('sigismember', 'set', set);
  return binding.sigismember(b, checkInt('sigismember', 'signum', signum, 1, NSIG - 1));
}

/**
 * sigprocmask(how, set, oldset) — man 2 sigprocmask. Changes the signal mask of the CALLING
 * THREAD (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK; `set` null: only read it into `oldset`);
 * returns 0. Node's other threads keep their own masks (docs/api.md).
 */
export function sigprocmask(how: number, set: sigset_t | null, oldset: sigset_t | null): number {
  checkArgc('sigprocmask', arguments.length, 3, ['how', 'set', 'oldset']);
  return binding.sigprocmask(checkInt('sigprocmask', 'how', how, -(2 ** 31), 2 ** 31 - 1),
    optSigsetArg('sigprocmask', 'set', set), optSigsetArg('sigprocmask', 'oldset', oldset));
}

/** pthread_sigmask(how, set, oldset) — man 3 pthread_sigmask. As sigprocmask: the calling thread's mask; returns 0. */
export function pthread_sigmask(how: number, set: sigset_t | null, oldset: sigset_t | null): number {
  checkArgc('pthread_sigmask', arguments.length, 3, ['how', 'set', 'oldset']);
  return binding.pthread_sigmask(checkInt('pthread_sigmask', 'how', how, -(2 ** 31), 2 ** 31 - 1),
    optSigsetArg('pthread_sigmask', 'set', set), optSigsetArg('pthread_sigmask', 'oldset', oldset));
}

/**
 * signalfd(fd, mask, flags) — man 2 signalfd. fd -1: a new signalfd (SFD_CLOEXEC always
 * added) reporting the signals of `mask` that are pending for the calling thread or the
 * process; otherwise replaces the mask of signalfd `fd`. Returns the fd. Block the signals
 * first (sigprocmask), as in C. read(fd, si.bytes) fills a signalfd_siginfo.
 */
export function signalfd(fd: number, mask: sigset_t, flags: number): number {
  checkArgc('signalfd', arguments.length, 3, ['fd', 'mask', 'flags']);
  checkInt('signalfd', 'fd', fd, -1, 2 ** 31 - 1);
  const b = sigsetArg('signalfd', 'mask', mask);
  checkFlags('signalfd', 'flags', flags);
  return binding.signalfd(fd, b, flags);
}

/** eventfd(initval, flags) — man 2 eventfd. A counter fd (EFD_CLOEXEC always added; EFD_NONBLOCK, EFD_SEMAPHORE). */
export const eventfd: (initval: number, flags: number) => number = binding.eventfd;

/**
 * eventfd_read(fd, value) — man 3 eventfd_read. Reads the counter into value[0] (a
 * BigUint64Array, C's eventfd_t out-parameter) and resets it (semaphore mode: value[0] is 1
 * and the counter drops by 1); returns 0. Blocks while the counter is 0 unless EFD_NONBLOCK
 * (then EAGAIN).
 */
export const eventfd_read: (fd: number, value: BigUint64Array) => number = binding.eventfd_read;

/**
 * eventfd_write(fd, value) — man 3 eventfd_write. Adds `value` (a bigint, or a safe
 * integer) to the counter; returns 0. Blocks while it would overflow past 2**64-2 unless
 * EFD_NONBLOCK (then EAGAIN).
 */
export const eventfd_write: (fd: number, value: bigint | number) => number = binding.eventfd_write;

/** timerfd_create(clockid, flags) — man 2 timerfd_create. A timer fd (TFD_CLOEXEC always added; TFD_NONBLOCK). */
export const timerfd_create: (clockid: number, flags: number) => number = binding.timerfd_create;

/**
 * timerfd_settime(fd, flags, new_value, old_value) — man 2 timerfd_settime. Arms (or, with
 * a zero it_value, disarms) the timer; `old_value` (or null) receives the previous setting.
 * flags: 0 (relative) or TFD_TIMER_ABSTIME. Returns 0. read(fd, 8 bytes) gives the number
 * of expirations as a uint64.
 */
export function timerfd_settime(fd: number, flags: number, new_value: itimerspec, old_value: itimerspec | null): number {
  checkArgc('timerfd_settime', arguments.length, 4, ['fd', 'flags', 'new_value', 'old_value']);
  checkFd('timerfd_settime', 'fd', fd);
  checkFlags('timerfd_settime', 'flags', flags);
  const n = itimerspecArg('timerfd_settime', 'new_value', new_value);
  const o = old_value === null ? null : itimerspecArg('timerfd_settime', 'old_value', old_value);
  return binding.timerfd_settime(fd, flags, n, o);
}

/** timerfd_gettime(fd, curr_value) — man 2 timerfd_gettime. Fills `curr_value` with the time left and the period; returns 0. */
export function timerfd_gettime(fd: number, curr_value: itimerspec): number {
  checkArgc('timerfd_gettime', arguments.length, 2, ['fd', 'curr_value']);
  checkFd('timerfd_gettime', 'fd', fd);
  return binding.timerfd_gettime(fd, itimerspecArg('timerfd_gettime', 'curr_value', curr_value));
}

/** gettid() — man 2 gettid. The calling thread's id (the main thread's equals process.pid). */
export const gettid: () => number = binding.gettid;

/**
 * tgkill(tgid, tid, sig) — man 2 tgkill. Sends `sig` to the one thread `tid` of process
 * `tgid` (a thread-directed signal: the kind a signalfd on that thread always sees when the
 * thread blocks it); returns 0.
 */
export const tgkill: (tgid: number, tid: number, sig: number) => number = binding.tgkill;

/**
 * routeSignals(set, oldset) — a helper, not C: makes the signals of `set` reach a signalfd
 * read in the calling thread even when they are process-directed (kill(2), a terminal's
 * Ctrl-C, `kill <pid>`), which in a Node process the kernel may hand to any of its other
 * threads. Blocks `set` in the calling thread (`oldset`, or null, receives the previous
 * mask, as pthread_sigmask's) and installs for each signal a native handler that re-sends
 * it to this thread, where it stays pending: a signalfd then reads ssi_code SI_QUEUE and
 * the original sender's ssi_pid/ssi_uid. Replaces the signal's previous action (Node's
 * handler, process.on listeners) until unrouteSignals; a first listener added (or a last
 * one removed) later replaces the router until routeSignals is called again. A route made
 * in a Worker ends with it. Returns 0. RangeError for SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS; ErrnoError
 * EINVAL for SIGKILL, SIGSTOP, 32, 33; EBUSY for a signal routed to another thread.
 */
export function routeSignals(set: sigset_t, oldset: sigset_t | null): number {
  checkArgc('routeSignals', arguments.length, 2, ['set', 'oldset']);
  return binding.routeSignals(sigsetArg('routeSignals', 'set', set), optSigsetArg('routeSignals', 'oldset', oldset));
}

/**
 * unrouteSignals(set) — a helper, not C: restores the action each routed signal of `set`
 * had before routeSignals, unless another action replaced the router since (signals not
 * routed are left alone). Changes no mask: the routing
 * thread reads what is pending, then restores its mask with pthread_sigmask. Returns 0.
 */
export function unrouteSignals(set: sigset_t): number {
  checkArgc('unrouteSignals', arguments.length, 1, ['set']);
  return binding.unrouteSignals(sigsetArg('unrouteSignals', 'set', set));
}

/**
 * threadsNotBlocking(signum) — a helper, not C: the ids of this process's threads that do
 * not block `signum`, read from /proc/self/task/<tid>/status (SigBlk). The kernel hands a
 * process-directed signal (kill(2), process.kill, a terminal's Ctrl-C, `kill <pid>`) to a
 * thread that does not block it, so a signalfd can count on seeing one only when this list
 * is empty (docs/api.md "signalfd and Node's threads"). Threads that exit while the list is
 * read are left out.
 */
export function threadsNotBlocking(signum: number): number[] {
  checkArgc('threadsNotBlocking', arguments.length, 1, ['signum']);
  const sig = checkInt('threadsNotBlocking', 'signum', signum, 1, NSIG - 1);
  const bit = 1n << BigInt(sig - 1);
  const out: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    let status: string;
    try {
      status = readFileSync(`/proc/self/task/${tid}/status`, 'latin1');
    } catch {
      continue; // the thread exited
    }
    const m = /^SigBlk:\s*([0-9a-f]+)$/m.exec(status);
    if (m === null || (BigInt(`0x${m[1]}`) & bit) === 0n) out.push(Number(tid));
  }
  return out.sort((a, b) => a - b);
}
