// The event fds (native/eventfd.cc, lib/eventfd.ts): eventfd, signalfd with sigset_t,
// sigprocmask/pthread_sigmask, timerfd, tgkill/gettid — each a real kernel object, waited on
// by epoll_wait(-1) and by readable().
//
// Signals in a Node process (docs/api.md "signalfd and Node's threads"): the tests here prove
// exactly the two cases that work — a thread-directed signal (tgkill) to a thread that blocks
// it, and a process-directed signal (kill) that every thread blocks (SIGUSR1 blocked by the
// main thread of a fresh process before it made any thread of its own) — and that Node's own
// threads leave SIGTERM/SIGINT unblocked, which is why a process-directed SIGTERM cannot be
// counted on to reach a signalfd.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLOCK_MONOTONIC, close, EFD_NONBLOCK, EFD_SEMAPHORE, EPOLL_CTL_ADD, epoll_create1, epoll_ctl, epoll_event,
  epoll_wait, EPOLLIN, ErrnoError, eventfd, eventfd_read, eventfd_write, F_GETFD, FD_CLOEXEC, fcntl, gettid,
  itimerspec, pthread_sigmask, read, readable, SFD_NONBLOCK, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, sigaddset,
  sigdelset, sigemptyset, sigfillset, sigismember, signalfd, signalfd_siginfo, SIGINT, sigprocmask, sigset_t,
  SIGTERM, SIGUSR1, SIGUSR2, SIGRTMAX, SIGRTMIN, TFD_NONBLOCK, TFD_TIMER_ABSTIME, tgkill, threadsNotBlocking,
  timerfd_create, timerfd_gettime, timerfd_settime, write, routeSignals, unrouteSignals, SIGKILL, SIGSTOP,
  SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS,
} from '../lib';
import { binding } from '../lib/binding';
import { runChild, signalAfter } from './helpers/child';
import { closeAll, unixPair } from './helpers/mux-sockets';

const root = join(__dirname, '..');
const SI_USER = 0; // kill(2)
const SI_TKILL = -6; // tgkill(2)
const SI_QUEUE = -1; // sigqueue(3), rt_tgsigqueueinfo(2): what a routed signal arrives as

const opened: number[] = [];
function keep(fd: number): number {
  opened.push(fd);
  return fd;
}
afterEach(() => {
  for (const fd of opened.splice(0)) close(fd);
});

function errnoOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ErrnoError) return e.code;
    throw e;
  }
  return undefined;
}

function epollOn(...fds: number[]): number {
  const ep = keep(epoll_create1(0));
  const ev = new epoll_event();
  for (const fd of fds) {
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, ev);
  }
  return ep;
}

/**
 * Runs `f` with `sigs` blocked in the calling thread and restores the mask after `f` (and
 * the promise it returns) settles, whatever it does. A signal still pending then would be
 * delivered at once with its default action, so `f` must consume what it sends.
 */
async function withBlocked(sigs: number[], f: (set: sigset_t) => unknown): Promise<void> {
  const set = new sigset_t();
  for (const s of sigs) sigaddset(set, s);
  const old = new sigset_t();
  pthread_sigmask(SIG_BLOCK, set, old);
  try {
    await f(set);
  } finally {
    pthread_sigmask(SIG_SETMASK, old, null);
  }
}

function u64(fd: number): bigint {
  const b = new BigUint64Array(1);
  expect(read(fd, b)).toBe(8);
  return b[0];
}

describe('eventfd', () => {
  it('eventfd: writes add to the counter; eventfd_read returns the sum and resets it', () => {
    const fd = keep(eventfd(2, EFD_NONBLOCK));
    expect(eventfd_write(fd, 3)).toBe(0);
    expect(eventfd_write(fd, 10n)).toBe(0);
    const v = new BigUint64Array(1);
    expect(eventfd_read(fd, v)).toBe(0);
    expect(v[0]).toBe(15n);
    expect(errnoOf(() => eventfd_read(fd, v))).toBe('EAGAIN');
    expect(v[0]).toBe(15n);
  });

  it('eventfd: EFD_SEMAPHORE reads 1 and decrements, then EAGAIN', () => {
    const fd = keep(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK));
    const v = new BigUint64Array(1);
    for (let i = 0; i < 3; i++) {
      v[0] = 99n;
      eventfd_read(fd, v);
      expect(v[0]).toBe(1n);
    }
    expect(errnoOf(() => eventfd_read(fd, v))).toBe('EAGAIN');
  });

  it('eventfd_write: the counter tops out at 2**64-2 (EAGAIN non-blocking); 2**64-1 is EINVAL', () => {
    const fd = keep(eventfd(0, EFD_NONBLOCK));
    eventfd_write(fd, 2n ** 64n - 2n);
    expect(errnoOf(() => eventfd_write(fd, 1))).toBe('EAGAIN');
    expect(errnoOf(() => eventfd_write(fd, 2n ** 64n - 1n))).toBe('EINVAL');
    expect(u64(fd)).toBe(2n ** 64n - 2n);
  });

  it('eventfd_read/eventfd_write on fds that are not eventfds: C\'s answer at once, never a wait', () => {
    // A blocking epoll fd is never writable: waiting for POLLOUT first would hang forever
    // where write(2) fails at once with EINVAL.
    const ep = keep(epoll_create1(0));
    expect(errnoOf(() => eventfd_write(ep, 1))).toBe('EINVAL');
    expect(errnoOf(() => eventfd_read(ep, new BigUint64Array(1)))).toBe('EINVAL');
    // A read of fewer than 8 bytes: glibc's -1 without an errno becomes EINVAL.
    const [a, b] = unixPair();
    try {
      write(b, new Uint8Array(5));
      expect(errnoOf(() => eventfd_read(a, new BigUint64Array(1)))).toBe('EINVAL');
    } finally {
      closeAll([a, b]);
    }
  });

  it('eventfd_read: a blocking read is interrupted by a signal with EINTR, so a JS listener can run', async () => {
    const code = `
      const s = sockfd;
      let heard = 0;
      process.on('SIGUSR2', () => heard++);
      const fd = s.eventfd(0, 0);
      console.log('ready');
      try { s.eventfd_read(fd, new BigUint64Array(1)); console.log('returned'); }
      catch (e) { console.log('threw ' + e.code); }
      setImmediate(() => setImmediate(() => console.log('heard ' + (heard > 0))));`;
    const r = await runChild(code, { timeoutMs: 40_000, onLine: signalAfter('ready', 'SIGUSR2', ['threw', 'returned']) });
    expect(r.stdout).toContain('threw EINTR');
    expect(r.stdout).toContain('heard true');
  }, 50_000);

  it('eventfd: epoll_wait(-1) returns it once written; readable() resolves', async () => {
    const fd = keep(eventfd(0, EFD_NONBLOCK));
    const ep = epollOn(fd);
    const evs = epoll_event.array(4);
    expect(epoll_wait(ep, evs, 4, 0)).toBe(0);
    eventfd_write(fd, 1);
    expect(epoll_wait(ep, evs, 4, -1)).toBe(1);
    expect(evs[0].data.fd).toBe(fd);
    await readable(fd);
    expect(u64(fd)).toBe(1n);
  });

  it('eventfd: a write from a worker thread wakes epoll_wait(-1) in the main thread', async () => {
    const fd = keep(eventfd(0, 0));
    const ep = epollOn(fd);
    const w = new Worker(`
      const b = require('node-gyp-build')(${JSON.stringify(root)});
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      b.eventfd_write(${fd}, 7n);`, { eval: true });
    const evs = epoll_event.array(4);
    expect(epoll_wait(ep, evs, 4, -1)).toBe(1);
    const v = new BigUint64Array(1);
    eventfd_read(fd, v); // blocking eventfd, readable: returns at once
    expect(v[0]).toBe(7n);
    await new Promise((r) => w.once('exit', r));
  });
});

describe('timerfd', () => {
  it('timerfd: a one-shot timer fires in epoll_wait(-1); read gives 1 expiration', () => {
    const fd = keep(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    const ep = epollOn(fd);
    const it = new itimerspec();
    it.it_value.tv_nsec = 20_000_000;
    const t0 = process.hrtime.bigint();
    expect(timerfd_settime(fd, 0, it, null)).toBe(0);
    const evs = epoll_event.array(4);
    expect(epoll_wait(ep, evs, 4, -1)).toBe(1);
    expect(process.hrtime.bigint() - t0).toBeGreaterThanOrEqual(19_000_000n);
    expect(u64(fd)).toBe(1n);
    expect(errnoOf(() => read(fd, new BigUint64Array(1)))).toBe('EAGAIN');
  });

  it('timerfd: a periodic timer counts the expirations missed between reads', () => {
    const fd = keep(timerfd_create(CLOCK_MONOTONIC, 0));
    const it = new itimerspec();
    it.it_value.tv_nsec = 2_000_000;
    it.it_interval.tv_nsec = 2_000_000;
    timerfd_settime(fd, 0, it, null);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
    const n = u64(fd); // blocking timerfd that has expired: returns at once
    expect(n).toBeGreaterThanOrEqual(5n);
    expect(n).toBeLessThan(40n);
  });

  it('timerfd_gettime and old_value report the setting; a zero it_value disarms', () => {
    const fd = keep(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    const it = new itimerspec();
    it.it_value.tv_sec = 100;
    it.it_interval.tv_sec = 7;
    it.it_interval.tv_nsec = 5;
    timerfd_settime(fd, 0, it, null);
    const cur = new itimerspec();
    expect(timerfd_gettime(fd, cur)).toBe(0);
    expect(cur.it_interval.tv_sec).toBe(7);
    expect(cur.it_interval.tv_nsec).toBe(5);
    expect(cur.it_value.tv_sec).toBeGreaterThanOrEqual(98);
    expect(cur.it_value.tv_sec).toBeLessThanOrEqual(100);
    const old = new itimerspec();
    timerfd_settime(fd, 0, new itimerspec(), old);
    expect(old.it_interval.tv_sec).toBe(7);
    expect(old.it_value.tv_sec).toBeGreaterThanOrEqual(98);
    timerfd_gettime(fd, cur);
    expect([cur.it_value.tv_sec, cur.it_value.tv_nsec, cur.it_interval.tv_sec]).toEqual([0, 0, 0]);
  });

  it('timerfd_settime: TFD_TIMER_ABSTIME takes an absolute CLOCK_MONOTONIC time', async () => {
    const fd = keep(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    const at = process.hrtime.bigint() + 20_000_000n; // libuv's hrtime is CLOCK_MONOTONIC
    const it = new itimerspec();
    it.it_value.tv_sec = Number(at / 1_000_000_000n);
    it.it_value.tv_nsec = Number(at % 1_000_000_000n);
    timerfd_settime(fd, TFD_TIMER_ABSTIME, it, null);
    await readable(fd);
    expect(process.hrtime.bigint()).toBeGreaterThanOrEqual(at);
    expect(u64(fd)).toBe(1n);
    const bad = new itimerspec();
    bad.it_value.tv_nsec = 1_000_000_000;
    expect(errnoOf(() => timerfd_settime(fd, 0, bad, null))).toBe('EINVAL');
  });

  it('itimerspec: it_interval and it_value are views over its own bytes (layout from the addon)', () => {
    const it = new itimerspec();
    expect(it.bytes.length).toBe(binding.layout.itimerspec.size);
    it.it_value.tv_sec = 3;
    const again = new itimerspec(it.bytes);
    expect(again.it_value.tv_sec).toBe(3);
    expect(again.it_interval.tv_sec).toBe(0);
  });
});

describe('sigset_t and the signal mask', () => {
  it('sigemptyset/sigfillset/sigaddset/sigdelset/sigismember behave as in C', () => {
    const set = new sigset_t();
    expect(set.bytes.length).toBe(binding.layout.sigset_t.size);
    expect(sigismember(set, SIGUSR2)).toBe(0);
    expect(sigaddset(set, SIGUSR2)).toBe(0);
    expect(sigaddset(set, SIGRTMAX)).toBe(0);
    expect(sigismember(set, SIGUSR2)).toBe(1);
    expect(sigismember(set, SIGUSR1)).toBe(0);
    expect(sigismember(set, SIGRTMAX)).toBe(1);
    expect(sigdelset(set, SIGUSR2)).toBe(0);
    expect(sigismember(set, SIGUSR2)).toBe(0);
    expect(sigfillset(set)).toBe(0);
    expect(sigismember(set, SIGINT)).toBe(1);
    expect(sigismember(set, SIGRTMIN)).toBe(1);
    expect(sigemptyset(set)).toBe(0);
    expect([...set.bytes].every((b) => b === 0)).toBe(true);
  });

  it("sigaddset: glibc's internal signals (32, 33) are EINVAL, as in C", () => {
    expect(errnoOf(() => sigaddset(new sigset_t(), 32))).toBe('EINVAL');
  });

  it('sigprocmask/pthread_sigmask: change and report the calling thread mask', () => {
    const set = new sigset_t();
    sigaddset(set, SIGUSR2);
    const old = new sigset_t();
    const cur = new sigset_t();
    expect(sigprocmask(SIG_BLOCK, set, old)).toBe(0);
    try {
      expect(sigismember(old, SIGUSR2)).toBe(0);
      pthread_sigmask(SIG_BLOCK, null, cur);
      expect(sigismember(cur, SIGUSR2)).toBe(1);
      expect(threadsNotBlocking(SIGUSR2)).not.toContain(gettid());
      pthread_sigmask(SIG_UNBLOCK, set, null);
      sigprocmask(SIG_BLOCK, null, cur);
      expect(sigismember(cur, SIGUSR2)).toBe(0);
      expect(errnoOf(() => sigprocmask(99, set, null))).toBe('EINVAL');
      expect(errnoOf(() => pthread_sigmask(99, set, null))).toBe('EINVAL');
    } finally {
      sigprocmask(SIG_SETMASK, old, null);
    }
    expect(threadsNotBlocking(SIGUSR2)).toContain(gettid());
  });

  it("threadsNotBlocking: Node's own threads leave SIGTERM and SIGINT unblocked when the main thread blocks them", async () => {
    await withBlocked([SIGTERM, SIGINT], () => {
      for (const sig of [SIGTERM, SIGINT]) {
        const others = threadsNotBlocking(sig);
        expect(others).not.toContain(process.pid);
        expect(others.length).toBeGreaterThan(0); // the platform workers at least
      }
    });
  });

  it('gettid: the main thread id is the pid; a worker has its own', async () => {
    expect(gettid()).toBe(process.pid);
    const w = new Worker(`
      const b = require('node-gyp-build')(${JSON.stringify(root)});
      require('node:worker_threads').parentPort.postMessage(b.gettid());`, { eval: true });
    const tid = await new Promise((r) => w.once('message', r));
    expect(tid).not.toBe(process.pid);
    expect(typeof tid).toBe('number');
    await new Promise((r) => w.once('exit', r));
  });
});

describe('signalfd', () => {
  it('signalfd: a thread-directed signal (tgkill from a worker) wakes epoll_wait(-1); the siginfo names it', async () => {
    await withBlocked([SIGUSR2], async (set) => {
      const sfd = keep(signalfd(-1, set, SFD_NONBLOCK));
      // A safety net in the same wait set, so a broken signalfd fails the test instead of hanging it.
      const guard = keep(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
      const it = new itimerspec();
      it.it_value.tv_sec = 10;
      timerfd_settime(guard, 0, it, null);
      const ep = epollOn(sfd, guard);
      const w = new Worker(`
        const b = require('node-gyp-build')(${JSON.stringify(root)});
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        b.tgkill(${process.pid}, ${gettid()}, ${SIGUSR2});`, { eval: true });
      const evs = epoll_event.array(4);
      expect(epoll_wait(ep, evs, 4, -1)).toBe(1);
      expect(evs[0].data.fd).toBe(sfd);
      const si = new signalfd_siginfo();
      expect(read(sfd, si.bytes)).toBe(binding.layout.signalfd_siginfo.size);
      expect(si.ssi_signo).toBe(SIGUSR2);
      expect(si.ssi_code).toBe(SI_TKILL);
      expect(si.ssi_pid).toBe(process.pid);
      expect(si.ssi_uid).toBe(process.getuid!());
      expect(errnoOf(() => read(sfd, si.bytes))).toBe('EAGAIN');
      await new Promise((r) => w.once('exit', r));
    });
  });

  it('signalfd: readable() resolves when a blocked signal is pending; fd != -1 replaces the mask', async () => {
    await withBlocked([SIGUSR2], async (set) => {
      const empty = new sigset_t();
      const sfd = keep(signalfd(-1, empty, SFD_NONBLOCK));
      expect(signalfd(sfd, set, 0)).toBe(sfd);
      tgkill(process.pid, gettid(), SIGUSR2);
      await readable(sfd);
      const si = new signalfd_siginfo();
      read(sfd, si.bytes);
      expect(si.ssi_signo).toBe(SIGUSR2);
    });
  });

  it('signalfd: a process-directed SIGUSR1 (kill from the parent) reaches epoll_wait(-1) when every thread blocks it', async () => {
    // A fresh process: its main thread blocks SIGUSR1 before it makes a thread of its own,
    // and Node's platform threads already block SIGUSR1 (its inspector signal), so no thread
    // of the process takes the signal and it stays pending for the signalfd.
    const code = `
      const s = sockfd;
      const set = new s.sigset_t();
      s.sigaddset(set, s.SIGUSR1);
      s.sigprocmask(s.SIG_BLOCK, set, null);
      const sfd = s.signalfd(-1, set, 0);
      const ep = s.epoll_create1(0);
      const ev = new s.epoll_event();
      ev.events = s.EPOLLIN;
      ev.data.fd = sfd;
      s.epoll_ctl(ep, s.EPOLL_CTL_ADD, sfd, ev);
      const evs = s.epoll_event.array(4);
      console.log('ready ' + JSON.stringify(s.threadsNotBlocking(s.SIGUSR1)));
      const n = s.epoll_wait(ep, evs, 4, -1);
      const si = new s.signalfd_siginfo();
      s.read(sfd, si.bytes);
      console.log('got ' + JSON.stringify({ n, fd: evs[0].data.fd === sfd, signo: si.ssi_signo, code: si.ssi_code, pid: si.ssi_pid }));`;
    const r = await runChild(code, {
      timeoutMs: 40_000,
      onLine: (line, child) => {
        if (line.startsWith('ready')) child.kill('SIGUSR1');
      },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('ready []');
    const got = JSON.parse(r.stdout.split('got ')[1]);
    expect(got).toEqual({ n: 1, fd: true, signo: SIGUSR1, code: SI_USER, pid: process.pid });
    expect(r.code).toBe(0);
  }, 50_000);

  it('signalfd, eventfd, timerfd: close-on-exec by default', () => {
    const set = new sigset_t();
    for (const fd of [keep(signalfd(-1, set, 0)), keep(eventfd(0, 0)), keep(timerfd_create(CLOCK_MONOTONIC, 0))]) {
      expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    }
  });

  it('signalfd_siginfo: the layout comes from the addon', () => {
    const si = new signalfd_siginfo();
    expect(si.bytes.length).toBe(128);
    const dv = new DataView(si.bytes.buffer);
    dv.setUint32(binding.layout.signalfd_siginfo.ssi_pid, 4242, true);
    expect(si.ssi_pid).toBe(4242);
    expect(si.ssi_utime).toBe(0n);
  });
});

describe('routeSignals', () => {
  // Each test runs in a child process: routing changes process-wide signal actions, and the
  // test runner's own threads and listeners must not see any of it.

  it('routeSignals: process-directed SIGUSR1, SIGTERM and SIGINT (kill from the parent) reach epoll_wait(-1) on a signalfd, 10 times each, although other threads leave them unblocked', async () => {
    // The threadpool exists before the mask changes, so its threads (and Node's platform
    // workers) do not block these signals: without routing the kernel may hand them to any
    // of those threads (docs/api.md "signalfd and Node's threads").
    const code = `
      const s = sockfd;
      require('node:fs').readFile(__filename, () => {
        const set = new s.sigset_t();
        for (const sig of [s.SIGUSR1, s.SIGTERM, s.SIGINT]) s.sigaddset(set, sig);
        const old = new s.sigset_t();
        const notBlocking = [s.SIGUSR1, s.SIGTERM, s.SIGINT].map((sig) => s.threadsNotBlocking(sig).length);
        s.routeSignals(set, old);
        const sfd = s.signalfd(-1, set, 0);
        const ep = s.epoll_create1(0);
        const ev = new s.epoll_event();
        ev.events = s.EPOLLIN;
        ev.data.fd = sfd;
        s.epoll_ctl(ep, s.EPOLL_CTL_ADD, sfd, ev);
        const evs = s.epoll_event.array(4);
        const si = new s.signalfd_siginfo();
        const others = [s.SIGUSR1, s.SIGTERM, s.SIGINT].map((sig) => s.threadsNotBlocking(sig).filter((t) => t !== process.pid).length);
        console.log('threads ' + JSON.stringify({ notBlocking, others, oldHasTerm: s.sigismember(old, s.SIGTERM) }));
        for (let i = 0; i < 30; i++) {
          console.log('ready ' + i);
          const n = s.epoll_wait(ep, evs, 4, -1);
          s.read(sfd, si.bytes);
          console.log('got ' + JSON.stringify({ n, fd: evs[0].data.fd === sfd, signo: si.ssi_signo, code: si.ssi_code, pid: si.ssi_pid, uid: si.ssi_uid }));
        }
        console.log('done');
      });`;
    const order = [...Array(10).fill('SIGUSR1'), ...Array(10).fill('SIGTERM'), ...Array(10).fill('SIGINT')] as NodeJS.Signals[];
    const r = await runChild(code, {
      timeoutMs: 60_000,
      onLine: (line, child) => {
        if (line.startsWith('ready ')) child.kill(order[Number(line.slice(6))]);
      },
    });
    expect(r.stderr).toBe('');
    const threads = JSON.parse(r.stdout.split('threads ')[1].split('\n')[0]);
    // Node's other threads do not block SIGTERM and SIGINT even after the main thread does.
    expect(threads.others[1]).toBeGreaterThan(0);
    expect(threads.others[2]).toBeGreaterThan(0);
    expect(threads.oldHasTerm).toBe(0);
    const got = r.stdout.split('\n').filter((l) => l.startsWith('got ')).map((l) => JSON.parse(l.slice(4)));
    const uid = process.getuid!();
    // ssi_code: SI_QUEUE when another thread took the signal and the router re-sent it;
    // SI_USER (kill's own) when the signalfd read it from the process's queue first.
    for (const g of got) expect([SI_QUEUE, SI_USER]).toContain(g.code);
    expect(got.map((g) => ({ ...g, code: 0 }))).toEqual(order.map((sig) => ({
      n: 1, fd: true, signo: { SIGUSR1, SIGTERM, SIGINT }[sig as 'SIGUSR1'], code: 0, pid: process.pid, uid,
    })));
    expect(r.stdout).toContain('done');
    expect(r.code).toBe(0);
  }, 70_000);

  it('routeSignals: on the routing thread itself (its mask changed), the signal is blocked again and left pending, never re-sent in a loop', async () => {
    const code = `
      const s = sockfd;
      const set = new s.sigset_t();
      s.sigaddset(set, s.SIGUSR2);
      s.routeSignals(set, null);
      const sfd = s.signalfd(-1, set, s.SFD_NONBLOCK);
      s.pthread_sigmask(s.SIG_UNBLOCK, set, null);
      s.tgkill(process.pid, s.gettid(), s.SIGUSR2); // runs the router on this thread
      const cur = new s.sigset_t();
      s.pthread_sigmask(s.SIG_BLOCK, null, cur);
      const si = new s.signalfd_siginfo();
      s.read(sfd, si.bytes);
      let again = 'none';
      try { s.read(sfd, si.bytes); again = 'another'; } catch (e) { again = e.code; }
      console.log(JSON.stringify({ blocked: s.sigismember(cur, s.SIGUSR2), signo: si.ssi_signo, code: si.ssi_code, self: si.ssi_pid === process.pid, again }));`;
    const r = await runChild(code, { timeoutMs: 40_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ blocked: 1, signo: SIGUSR2, code: SI_QUEUE, self: true, again: 'EAGAIN' });
    expect(r.code).toBe(0);
  }, 50_000);

  it("unrouteSignals: restores the previous action (a process.on listener hears the next signal); routing had replaced it", async () => {
    const code = `
      const s = sockfd;
      let heard = 0;
      process.on('SIGUSR2', () => {
        heard++;
        console.log('listener ' + heard);
        setTimeout(() => { console.log('end ' + heard); process.exit(0); }, 50);
      });
      const set = new s.sigset_t();
      s.sigaddset(set, s.SIGUSR2);
      const old = new s.sigset_t();
      s.routeSignals(set, old);
      const sfd = s.signalfd(-1, set, 0);
      const ep = s.epoll_create1(0);
      const ev = new s.epoll_event();
      ev.events = s.EPOLLIN;
      ev.data.fd = sfd;
      s.epoll_ctl(ep, s.EPOLL_CTL_ADD, sfd, ev);
      console.log('ready routed');
      s.epoll_wait(ep, s.epoll_event.array(1), 1, -1);
      const si = new s.signalfd_siginfo();
      s.read(sfd, si.bytes);
      console.log('signalfd ' + si.ssi_signo);
      s.unrouteSignals(set);
      s.unrouteSignals(set); // not routed any more: nothing to do
      s.pthread_sigmask(s.SIG_SETMASK, old, null);
      setTimeout(() => console.log('ready unrouted'), 50);
      setTimeout(() => { console.log('end ' + heard); process.exit(0); }, 5000); // the listener never ran`;
    const r = await runChild(code, {
      timeoutMs: 40_000,
      onLine: (line, child) => {
        if (line.startsWith('ready')) child.kill('SIGUSR2');
      },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`ready routed\nsignalfd ${SIGUSR2}\nready unrouted\nlistener 1\nend 1\n`);
    expect(r.code).toBe(0);
  }, 50_000);

  it('routeSignals and process.on listeners: a first listener added while routed replaces the router; unrouteSignals leaves that listener alone; routeSignals again reinstalls the router', async () => {
    const code = `
      const s = sockfd;
      const set = new s.sigset_t();
      s.sigaddset(set, s.SIGUSR2);
      const sfd = s.signalfd(-1, set, 0);
      const si = new s.signalfd_siginfo();
      const log = [];
      let wake = () => {};
      const listener = () => { log.push('listener'); wake(); };
      const heard = () => new Promise((r) => { wake = r; process.kill(process.pid, 'SIGUSR2'); });
      const viaSignalfd = () => { process.kill(process.pid, 'SIGUSR2'); s.read(sfd, si.bytes); log.push('signalfd ' + si.ssi_signo); };
      setInterval(() => {}, 1000); // a signal listener does not keep the loop alive
      (async () => {
        s.routeSignals(set, null);
        viaSignalfd();
        process.on('SIGUSR2', listener); // libuv installs its handler over the router
        await heard();
        s.unrouteSignals(set); // the router is not installed: libuv's handler stays
        await heard();
        s.routeSignals(set, null);
        viaSignalfd();
        s.unrouteSignals(set); // restores libuv's handler, the action routeSignals replaced
        await heard();
        s.routeSignals(set, null);
        process.removeAllListeners('SIGUSR2'); // libuv puts back SIG_DFL over the router...
        process.on('SIGUSR2', listener); // ...then its handler again
        s.routeSignals(set, null); // same thread, router gone: installed again
        viaSignalfd();
        console.log(JSON.stringify(log));
        process.exit(0);
      })();`;
    const r = await runChild(code, { timeoutMs: 40_000 });
    expect(r.stderr).toBe('');
    const sfd = `signalfd ${SIGUSR2}`;
    expect(JSON.parse(r.stdout)).toEqual([sfd, 'listener', 'listener', sfd, 'listener', sfd]);
    expect(r.code).toBe(0);
  }, 50_000);

  it('routeSignals: a route made in a Worker ends with the Worker (its previous action is back); EBUSY from another thread meanwhile', async () => {
    // SigCgt in /proc/self/status: the signals with a handler installed. Node installs none
    // for SIGUSR2, so its bit tells whether the router is there.
    const code = `
      const s = sockfd;
      const { Worker } = require('node:worker_threads');
      const caught = () => (BigInt('0x' + /SigCgt:\\s*([0-9a-f]+)/.exec(require('fs').readFileSync('/proc/self/status', 'latin1'))[1]) >> BigInt(s.SIGUSR2 - 1)) & 1n;
      const before = caught();
      const w = new Worker(\`
        const s = require(\${JSON.stringify(require.resolve('./lib'))});
        const set = new s.sigset_t();
        s.sigaddset(set, s.SIGUSR2);
        s.routeSignals(set, null);
        const sfd = s.signalfd(-1, set, 0);
        const { parentPort } = require('node:worker_threads');
        parentPort.postMessage('routed');
        parentPort.once('message', () => {
          const si = new s.signalfd_siginfo();
          s.read(sfd, si.bytes); // blocks until the process-directed signal arrives
          parentPort.postMessage(si.ssi_signo + ' ' + (si.ssi_pid === process.pid));
        });\`, { eval: true });
      w.once('message', () => {
        const set = new s.sigset_t();
        s.sigaddset(set, s.SIGUSR2);
        let busy;
        try { s.routeSignals(set, null); } catch (e) { busy = e.code; }
        const during = caught();
        w.once('message', (m) => {
          w.once('exit', () => {
            console.log(JSON.stringify({ before: String(before), during: String(during), after: String(caught()), busy, m }));
            s.routeSignals(set, null); // free again
            s.unrouteSignals(set);
          });
        });
        w.postMessage('go');
        process.kill(process.pid, 'SIGUSR2'); // process-directed
      });`;
    const r = await runChild(code.replace("require.resolve('./lib')", JSON.stringify(join(root, 'lib'))), { timeoutMs: 40_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: '0', during: '1', after: '0', busy: 'EBUSY', m: `${SIGUSR2} true` });
    expect(r.code).toBe(0);
  }, 50_000);

  it('routeSignals: fault signals are a RangeError, SIGKILL/SIGSTOP/32/33 EINVAL; nothing is blocked or installed', () => {
    const before = new sigset_t();
    pthread_sigmask(SIG_BLOCK, null, before);
    for (const sig of [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS]) {
      const set = new sigset_t();
      sigaddset(set, SIGUSR2);
      sigaddset(set, sig);
      let err: unknown;
      try {
        routeSignals(set, null);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RangeError);
      expect((err as { code: string }).code).toBe('ERR_OUT_OF_RANGE');
      expect((err as Error).message).toMatch(/^routeSignals: set must not hold SIG[A-Z]+ \(\d+\): routing a fault signal would hide a crash$/);
    }
    for (const sig of [SIGKILL, SIGSTOP]) {
      const set = new sigset_t();
      sigaddset(set, SIGUSR2);
      sigaddset(set, sig);
      expect(errnoOf(() => routeSignals(set, null))).toBe('EINVAL');
    }
    for (const sig of [32, 33]) {
      // sigaddset refuses glibc's internal signals: set the bit in the bytes.
      const set = new sigset_t();
      sigaddset(set, SIGUSR2);
      set.bytes[(sig - 1) >> 3] |= 1 << ((sig - 1) & 7);
      expect(errnoOf(() => routeSignals(set, null))).toBe('EINVAL');
    }
    const after = new sigset_t();
    pthread_sigmask(SIG_BLOCK, null, after);
    expect(after.bytes).toEqual(before.bytes);
    expect(threadsNotBlocking(SIGUSR2)).toContain(gettid());
  });
});

describe('bad input is rejected before any syscall', () => {
  const expectErr = (f: () => unknown, cls: typeof TypeError | typeof RangeError, code: string, msg?: RegExp) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(cls);
    expect((err as { code?: string }).code).toBe(code);
    if (msg) expect((err as Error).message).toMatch(msg);
  };

  it('eventfd / eventfd_read / eventfd_write', () => {
    expectErr(() => eventfd(-1, 0), RangeError, 'ERR_OUT_OF_RANGE', /^eventfd: initval must be an integer in \[0, 4294967295\], got -1$/);
    expectErr(() => eventfd(2 ** 32, 0), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => eventfd('1' as never, 0), TypeError, 'ERR_INVALID_ARG_TYPE', /^eventfd: initval must be an integer, got string '1'$/);
    expectErr(() => eventfd(0, 0.5), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => (eventfd as (...a: unknown[]) => number)(0), TypeError, 'ERR_MISSING_ARGS');
    expectErr(() => (eventfd as (...a: unknown[]) => number)(0, 0, 0), TypeError, 'ERR_TOO_MANY_ARGS');
    const fd = keep(eventfd(5, EFD_NONBLOCK));
    expectErr(() => eventfd_read(fd, new Uint8Array(8) as never), TypeError, 'ERR_INVALID_ARG_TYPE', /BigUint64Array/);
    expectErr(() => eventfd_read(fd, new BigInt64Array(1) as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => eventfd_read(fd, new BigUint64Array(0)), RangeError, 'ERR_OUT_OF_RANGE');
    const v = new BigUint64Array(1);
    structuredClone(v.buffer, { transfer: [v.buffer] });
    expectErr(() => eventfd_read(fd, v), TypeError, 'ERR_INVALID_ARG_TYPE', /detached/);
    expectErr(() => eventfd_read(-1, new BigUint64Array(1)), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => eventfd_write(fd, -1n), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => eventfd_write(fd, 2n ** 64n), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => eventfd_write(fd, 2 ** 53), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => eventfd_write(fd, 1.5), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => eventfd_write(fd, '1' as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    // Nothing reached the counter.
    expect(u64(fd)).toBe(5n);
  });

  it('sigset_t functions, sigprocmask, signalfd', () => {
    const set = new sigset_t();
    for (const f of [sigaddset, sigdelset, sigismember]) {
      expectErr(() => f(set, 0), RangeError, 'ERR_OUT_OF_RANGE', /signum must be an integer in \[1, 64\], got 0$/);
      expectErr(() => f(set, 65), RangeError, 'ERR_OUT_OF_RANGE');
      expectErr(() => f(set, NaN), RangeError, 'ERR_OUT_OF_RANGE');
      expectErr(() => f(new Uint8Array(128) as never, 1), TypeError, 'ERR_INVALID_ARG_TYPE', /set must be a sigset_t/);
    }
    expectErr(() => sigemptyset({} as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => sigfillset(null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => (sigprocmask as (...a: unknown[]) => number)(SIG_BLOCK, set), TypeError, 'ERR_MISSING_ARGS');
    expectErr(() => sigprocmask(SIG_BLOCK, set, new Uint8Array(128) as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => pthread_sigmask(0.5, set, null), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => signalfd(-2, set, 0), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => signalfd(-1, [SIGUSR2] as never, 0), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => signalfd(-1, set, 2 ** 33), RangeError, 'ERR_OUT_OF_RANGE');
    // The raw binding checks the buffer's size and detachment itself.
    expectErr(() => binding.signalfd(-1, new Uint8Array(8), 0), RangeError, 'ERR_OUT_OF_RANGE', /mask must hold 128 bytes/);
    expectErr(() => binding.sigprocmask(SIG_BLOCK, new Uint8Array(8), null), RangeError, 'ERR_OUT_OF_RANGE');
    const gone = new sigset_t();
    structuredClone(gone.bytes.buffer, { transfer: [gone.bytes.buffer] });
    expectErr(() => sigaddset(gone, 1), TypeError, 'ERR_INVALID_ARG_TYPE', /detached/);
    expectErr(() => tgkill(process.pid, process.pid, 2 ** 31), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => tgkill(process.pid, '1' as never, 0), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => (gettid as (...a: unknown[]) => number)(1), TypeError, 'ERR_TOO_MANY_ARGS');
    expectErr(() => threadsNotBlocking(0), RangeError, 'ERR_OUT_OF_RANGE');
  });

  it('routeSignals / unrouteSignals', () => {
    const set = new sigset_t();
    sigaddset(set, SIGUSR2);
    expectErr(() => routeSignals([SIGUSR2] as never, null), TypeError, 'ERR_INVALID_ARG_TYPE', /^routeSignals: set must be a sigset_t, got array$/);
    expectErr(() => routeSignals(set, new Uint8Array(128) as never), TypeError, 'ERR_INVALID_ARG_TYPE', /oldset must be a sigset_t/);
    expectErr(() => routeSignals(set, undefined as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => (routeSignals as (...a: unknown[]) => number)(set), TypeError, 'ERR_MISSING_ARGS');
    expectErr(() => (routeSignals as (...a: unknown[]) => number)(set, null, 1), TypeError, 'ERR_TOO_MANY_ARGS');
    expectErr(() => unrouteSignals(null as never), TypeError, 'ERR_INVALID_ARG_TYPE', /^unrouteSignals: set must be a sigset_t, got null$/);
    expectErr(() => (unrouteSignals as (...a: unknown[]) => number)(), TypeError, 'ERR_MISSING_ARGS');
    // The raw binding checks sizes and detachment itself.
    expectErr(() => binding.routeSignals(new Uint8Array(8), null), RangeError, 'ERR_OUT_OF_RANGE', /set must hold 128 bytes/);
    expectErr(() => binding.routeSignals(set.bytes, new Uint8Array(8)), RangeError, 'ERR_OUT_OF_RANGE', /oldset must hold 128 bytes/);
    expectErr(() => binding.unrouteSignals(new Uint8Array(8)), RangeError, 'ERR_OUT_OF_RANGE');
    const gone = new sigset_t();
    sigaddset(gone, SIGUSR2);
    structuredClone(gone.bytes.buffer, { transfer: [gone.bytes.buffer] });
    expectErr(() => routeSignals(gone, null), TypeError, 'ERR_INVALID_ARG_TYPE', /detached/);
    // Nothing was routed or blocked.
    expect(threadsNotBlocking(SIGUSR2)).toContain(gettid());
  });

  it('timerfd_create / timerfd_settime / timerfd_gettime', () => {
    expectErr(() => timerfd_create(CLOCK_MONOTONIC, -(2 ** 31) - 1), RangeError, 'ERR_OUT_OF_RANGE');
    expectErr(() => timerfd_create('1' as never, 0), TypeError, 'ERR_INVALID_ARG_TYPE');
    const fd = keep(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    expectErr(() => timerfd_settime(fd, 0, {} as never, null), TypeError, 'ERR_INVALID_ARG_TYPE', /new_value must be an itimerspec/);
    expectErr(() => timerfd_settime(fd, 0, new itimerspec(), new Uint8Array(32) as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => (timerfd_settime as (...a: unknown[]) => number)(fd, 0, new itimerspec()), TypeError, 'ERR_MISSING_ARGS');
    expectErr(() => timerfd_gettime(fd, null as never), TypeError, 'ERR_INVALID_ARG_TYPE');
    expectErr(() => binding.timerfd_gettime(fd, new Uint8Array(16)), RangeError, 'ERR_OUT_OF_RANGE', /curr_value must hold 32 bytes/);
    const it = new itimerspec();
    it.it_value.tv_sec = 1;
    expectErr(() => timerfd_settime(fd, 0.5, it, null), RangeError, 'ERR_OUT_OF_RANGE');
    // The timer was never armed.
    const cur = new itimerspec();
    timerfd_gettime(fd, cur);
    expect(cur.it_value.tv_sec).toBe(0);
  });
});
