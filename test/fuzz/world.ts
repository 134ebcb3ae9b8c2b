// The fuzz suite's world: the fds a run may touch, the sentinel pair that must stay intact,
// canary-guarded buffers, witnesses of buffers detached during a call, and a watchdog that
// turns a blocked call into EINTR (or, failing that, a loud abort) instead of a silent hang.
//
// Safety rules this file keeps (the properties themselves are listed in fuzz.test.ts):
//  - the only real fds a call is given are the pool's, made fresh for each run, plus the
//    sentinel's numbers reached only through values a correct library must reject;
//  - "random" fd numbers are negative or above every open fd: never one the runner owns;
//  - the pool is non-blocking, so no call on it can wait;
//  - cleanup closes a pool fd only while /proc/self/fd still shows the file it was made
//    as: a number the call closed and something else reused is never closed by us.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readlinkSync, rmSync, constants as fsc } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as S from '../helpers/lib';
import { enc } from '../helpers/util';

let fifo: { dir: string; path: string } | undefined;

/** An error the fuzz's own getters, setters and Proxy traps throw: a call may pass it on. */
export class FuzzError extends Error {}
Object.defineProperty(FuzzError.prototype, 'name', { value: 'FuzzError' });

/**
 * The open fds of this process that a call could have made or touched — sockets, epoll and
 * other anon inodes, pipes, the suite's FIFO — with what each points at. Other files are left
 * out on purpose: the runner's threads open and close files (package.json, sources) while a
 * property runs, and the suite must never count, let alone close, an fd that is not its own.
 */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      const t = readlinkSync(`/proc/self/fd/${name}`);
      if (/^(socket|anon_inode|pipe):/.test(t) || (fifo !== undefined && t.startsWith(fifo.dir))) out.set(Number(name), t);
    } catch {
      // the fd readdir used for itself, or one a runner thread closed meanwhile
    }
  }
  return out;
}

function target(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Sentinel: a socketpair made before everything else. Bad fds in the suite are derived
// from `s` (s + 0.5, 2**32 + s, String(s) ...), so a library that coerced one would act on
// it. After every run: both ends open and the same files, flags unchanged, 'sentinel' still
// queued on s, nothing arrived on t.
// ---------------------------------------------------------------------------------------
export interface Sentinel {
  s: number;
  t: number;
  check(): string | null;
  close(): void;
}

const SENT = 'sentinel';

export function makeSentinel(): Sentinel {
  const sv = new Int32Array(2);
  S.socketpair(S.AF_UNIX, S.SOCK_STREAM | S.SOCK_NONBLOCK, 0, sv);
  const [s, t] = [sv[0], sv[1]];
  S.send(t, enc(SENT));
  const want = { s: target(s), t: target(t), fl: S.fcntl(s, S.F_GETFL), flt: S.fcntl(t, S.F_GETFL), fd: S.fcntl(s, S.F_GETFD) };
  const peek = new Uint8Array(64);
  return {
    s,
    t,
    check(): string | null {
      if (target(s) !== want.s || target(t) !== want.t) return `sentinel pair ${s}/${t} was closed or replaced`;
      if (S.fcntl(s, S.F_GETFL) !== want.fl || S.fcntl(t, S.F_GETFL) !== want.flt) return 'sentinel file status flags changed';
      if (S.fcntl(s, S.F_GETFD) !== want.fd) return 'sentinel fd flags changed';
      const n = S.tryRecv(s, peek, 64, S.MSG_PEEK | S.MSG_DONTWAIT);
      if (n !== SENT.length || new TextDecoder().decode(peek.subarray(0, n)) !== SENT) {
        return `sentinel data changed (peek returned ${n})`;
      }
      if (S.tryRecv(t, peek, 64, S.MSG_DONTWAIT) !== -S.EAGAIN) return 'sentinel peer received data';
      if (S.getsockopt(s, S.SOL_SOCKET, S.SO_ERROR) !== 0) return 'sentinel has a pending socket error';
      return null;
    },
    close(): void {
      S.close(s);
      S.close(t);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Pool: the real fds one run may use, all non-blocking.
// ---------------------------------------------------------------------------------------
export const POOL = ['stream0', 'stream1', 'dgram0', 'dgram1', 'tcpListen', 'tcpFresh', 'udp', 'epoll', 'pipe', 'eventfd', 'timerfd',
  'signalfd', 'uring'] as const;
export type PoolName = (typeof POOL)[number];

export interface Pool {
  /** The pool fd `name`, made on first use in this run. */
  fd(name: PoolName): number;
  /** Port (host order) of tcpListen / udp on 127.0.0.1 (making the socket). */
  port(name: 'tcpListen' | 'udp'): number;
  /** The fds made so far with the files they were made as. */
  made(): Array<[number, string | undefined]>;
  /** Closes every pool fd whose number still names the file it was made as. */
  close(): void;
}

/** A FIFO in a private temporary directory; opened O_RDWR it is one non-blocking pipe fd. */
export function setupFifo(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sockfd-fuzz-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  fifo = { dir, path };
}
export function teardownFifo(): void {
  if (fifo) rmSync(fifo.dir, { recursive: true, force: true });
  fifo = undefined;
}

function portOf(fd: number): number {
  const a = new S.sockaddr_in();
  S.getsockname(fd, a);
  return S.ntohs(a.sin_port);
}

function loopback(p: number): S.sockaddr_in {
  const a = new S.sockaddr_in();
  a.sin_port = S.htons(p);
  a.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK);
  return a;
}

/**
 * The pool of one run. Each fd is made when a recipe first names it (a run of htons makes
 * none): stream0/stream1 and dgram0/dgram1 are socketpairs with data queued both ways,
 * tcpListen listens on 127.0.0.1, tcpFresh is a new TCP socket, udp is bound to 127.0.0.1,
 * epoll has stream0 registered (readable: an epoll_wait on it returns at once), pipe is a
 * FIFO opened read-write, eventfd holds 1, timerfd is disarmed, signalfd waits for a signal
 * nobody sends (SIGRTMAX-1), uring is a 4-entry io_uring. All non-blocking.
 */
export function makePool(): Pool {
  const fds = new Map<PoolName, number>();
  const made: Array<[number, string | undefined]> = [];
  const ports = new Map<string, number>();
  const keep = (name: PoolName, fd: number): number => {
    made.push([fd, target(fd)]);
    fds.set(name, fd);
    return fd;
  };
  const NB = S.SOCK_NONBLOCK;
  const pair = (type: number, a: PoolName, b: PoolName, data: string): void => {
    const sv = new Int32Array(2);
    S.socketpair(S.AF_UNIX, type | NB, 0, sv);
    keep(a, sv[0]);
    keep(b, sv[1]);
    S.send(sv[1], enc(data));
    if (type === S.SOCK_STREAM) S.send(sv[0], enc('pool-back'));
  };
  const open = (name: PoolName): number => {
    switch (name) {
      case 'stream0':
      case 'stream1':
        pair(S.SOCK_STREAM, 'stream0', 'stream1', 'pool-data');
        return fds.get(name)!;
      case 'dgram0':
      case 'dgram1':
        pair(S.SOCK_DGRAM, 'dgram0', 'dgram1', 'dgram');
        return fds.get(name)!;
      case 'tcpListen': {
        const fd = keep(name, S.socket(S.AF_INET, S.SOCK_STREAM | NB, 0));
        S.bind(fd, loopback(0));
        S.listen(fd, 4);
        return fd;
      }
      case 'tcpFresh':
        return keep(name, S.socket(S.AF_INET, S.SOCK_STREAM | NB, 0));
      case 'udp': {
        const fd = keep(name, S.socket(S.AF_INET, S.SOCK_DGRAM | NB, 0));
        S.bind(fd, loopback(0));
        return fd;
      }
      case 'epoll': {
        const s0 = get('stream0');
        const fd = keep(name, S.epoll_create1(0));
        const ev = new S.epoll_event();
        ev.events = S.EPOLLIN;
        ev.data.fd = s0;
        S.epoll_ctl(fd, S.EPOLL_CTL_ADD, s0, ev);
        return fd;
      }
      case 'pipe':
        if (fifo === undefined) throw new Error('setupFifo() first');
        return keep(name, openSync(fifo.path, fsc.O_RDWR | fsc.O_NONBLOCK));
      case 'eventfd': // counter 1: readable
        return keep(name, S.eventfd(1, S.EFD_NONBLOCK));
      case 'timerfd': // disarmed
        return keep(name, S.timerfd_create(S.CLOCK_MONOTONIC, S.TFD_NONBLOCK));
      case 'signalfd': { // a signal nothing sends or blocks: never readable, and it takes no signal from anyone
        const set = new S.sigset_t();
        S.sigaddset(set, S.SIGRTMAX - 1);
        return keep(name, S.signalfd(-1, set, S.SFD_NONBLOCK));
      }
      case 'uring': // closing it through close() cancels what a run left in flight
        return keep(name, S.io_uring_setup(4, new S.io_uring_params()));
    }
  };
  const get = (name: PoolName): number => fds.get(name) ?? open(name);
  return {
    fd: get,
    port(name) {
      let p = ports.get(name);
      if (p === undefined) {
        p = portOf(get(name));
        ports.set(name, p);
      }
      return p;
    },
    made: () => made,
    close(): void {
      for (const [fd, t] of made) {
        if (t !== undefined && target(fd) === t) {
          try {
            S.close(fd);
          } catch {
            // closed by the call under test; the number was not reused
          }
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------
// Canaries: every buffer a call is given is a window in a larger ArrayBuffer whose other
// bytes hold a known pattern; a write outside the window shows as a changed byte.
// ---------------------------------------------------------------------------------------
export const PAD = 24;

export interface Guard {
  all: Uint8Array;
  start: number;
  end: number;
}

export function guarded(len: number, misalign: number, guards: Guard[]): { ab: ArrayBuffer; start: number } {
  const start = PAD + misalign;
  const ab = new ArrayBuffer(start + len + PAD);
  const all = new Uint8Array(ab);
  for (let i = 0; i < all.length; i++) all[i] = (0xa5 ^ i) & 0xff;
  all.fill(0, start, start + len);
  guards.push({ all, start, end: start + len });
  return { ab, start };
}

/** The first guard whose bytes outside its window changed, described; null if all hold. */
export function checkGuards(guards: Guard[]): string | null {
  for (const g of guards) {
    if (g.all.byteLength === 0) continue; // detached by the run itself: its witness checks it
    for (let i = 0; i < g.all.length; i++) {
      if (i >= g.start && i < g.end) continue;
      if (g.all[i] !== ((0xa5 ^ i) & 0xff)) {
        return `canary byte ${i - g.start} relative to a ${g.end - g.start}-byte window changed`;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Detach witnesses: a getter that detaches a buffer during a call keeps the new owner of
// the memory (the structuredClone result) and a copy of its bytes; if the call later
// writes through a pointer it took before the getter ran, the new owner's bytes change.
// ---------------------------------------------------------------------------------------
export interface Witness {
  owner: Uint8Array;
  copy: Uint8Array;
}

export function detachNow(ab: ArrayBuffer | undefined, witnesses: Witness[]): void {
  if (ab === undefined || ab.byteLength === 0 || !(ab instanceof ArrayBuffer)) return;
  let moved: ArrayBuffer;
  try {
    moved = structuredClone(ab, { transfer: [ab] });
  } catch {
    return; // not transferable (already detached, or a buffer V8 will not let go)
  }
  const owner = new Uint8Array(moved);
  witnesses.push({ owner, copy: owner.slice() });
}

export function checkWitnesses(witnesses: Witness[]): string | null {
  for (const w of witnesses) {
    for (let i = 0; i < w.owner.length; i++) {
      if (w.owner[i] !== w.copy[i]) {
        return `memory of a buffer detached during the call was written afterwards (byte ${i} of ${w.owner.length})`;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Watchdog: a worker thread that, when one call has run for more than `warnMs`, sends
// SIGUSR2 to the process (a listener is installed, so a blocked wait returns EINTR and the
// property fails on it); after `abortMs` it writes the call's label to stderr and aborts.
// Process-directed signals reach the main thread: Node's other threads block signals.
// ---------------------------------------------------------------------------------------
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const st = new Int32Array(workerData.sab);
const label = new Uint8Array(workerData.labelSab);
let seen = 0, since = 0, signaled = false;
for (;;) {
  Atomics.wait(st, 3, 0, 200);
  if (Atomics.load(st, 3) !== 0) break;
  const id = Atomics.load(st, 0);
  const now = Date.now();
  if (id === 0 || id !== seen) { seen = id; since = now; signaled = false; continue; }
  if (now - since > workerData.abortMs) {
    const n = label.indexOf(0);
    writeSync(2, '\\nsockfd fuzz watchdog: call blocked for ' + workerData.abortMs + ' ms, aborting: ' +
      Buffer.from(label.subarray(0, n < 0 ? label.length : n)).toString() + '\\n');
    process.abort();
  }
  if (now - since > workerData.warnMs) {
    Atomics.store(st, 1, 1);
    if (!signaled || (now - since) % 1000 < 200) process.kill(process.pid, 'SIGUSR2');
    signaled = true;
  }
}
`;

export class Watchdog {
  private readonly st = new Int32Array(new SharedArrayBuffer(16));
  private readonly label = new Uint8Array(new SharedArrayBuffer(2048));
  private readonly worker: Worker;
  private readonly onSignal = (): void => {};
  private id = 0;

  constructor(warnMs = 2000, abortMs = 15000) {
    process.on('SIGUSR2', this.onSignal);
    this.worker = new Worker(WATCHDOG, {
      eval: true,
      workerData: { sab: this.st.buffer, labelSab: this.label.buffer, warnMs, abortMs },
    });
    this.worker.unref();
  }
  /** Marks the start of one call, with a label printed if it has to abort. */
  begin(label: string): void {
    const b = Buffer.from(label.slice(0, 2000));
    this.label.fill(0);
    this.label.set(b.subarray(0, this.label.length - 1));
    Atomics.store(this.st, 1, 0);
    Atomics.store(this.st, 0, ++this.id);
  }
  /** Ends the call; true if the watchdog had to signal it (it blocked). */
  end(): boolean {
    Atomics.store(this.st, 0, 0);
    return Atomics.load(this.st, 1) !== 0;
  }
  async stop(): Promise<void> {
    Atomics.store(this.st, 3, 1);
    Atomics.notify(this.st, 3);
    await this.worker.terminate();
    process.off('SIGUSR2', this.onSignal);
  }
}
