import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  accept, close, EPOLL_CTL_ADD, epoll_create1, epoll_ctl, epoll_event, epoll_wait,
  FD_ISSET, FD_SET, fd_set, poll, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI,
  POLLRDHUP, pollfd, ppoll, select, send, timespec, timeval, ErrnoError, type PollRequest,
} from '../lib';
import { binding } from '../lib/binding';
import { kArrayBuffer } from '../lib/mux';
import { runChild, signalAfter } from './helpers/child';
import { closeAll, connectTo, listenLoopback, mixedSockets, unixPair } from './helpers/mux-sockets';

describe('poll', () => {
  it('poll: a listening socket reports POLLIN when a client connects, and accept succeeds (the poll server)', () => {
    const server = listenLoopback();
    const fds = pollfd.array(1);
    fds[0].fd = server.fd;
    fds[0].events = POLLIN;
    expect(poll(fds, 1, 0)).toBe(0);
    expect(fds[0].revents).toBe(0);
    const client = connectTo(server.addr);
    expect(poll(fds, 1, 2000)).toBe(1);
    expect(fds[0].revents & POLLIN).toBe(POLLIN);
    const conn = accept(server.fd);
    expect(conn).toBeGreaterThan(2);
    closeAll([conn, client, server.fd]);
  });

  it('pollfd.array(n): a real array of views over ONE buffer laid out as struct pollfd[n]', () => {
    const L = binding.layout.pollfd;
    expect(L.size).toBe(8);
    const fds = pollfd.array(3);
    expect(Array.isArray(fds)).toBe(true);
    expect(fds).toHaveLength(3);
    const mem = new DataView(fds[kArrayBuffer]);
    expect(mem.byteLength).toBe(3 * L.size);
    fds[2].fd = 1234;
    fds[2].events = POLLIN | POLLOUT;
    expect(mem.getInt32(2 * L.size + L.fd, true)).toBe(1234);
    expect(mem.getInt16(2 * L.size + L.events, true)).toBe(POLLIN | POLLOUT);
    // The kernel's write-back lands in the same memory the views read.
    const [a, b] = unixPair();
    fds[0].fd = a;
    fds[0].events = POLLOUT;
    expect(poll(fds, 1, 0)).toBe(1);
    expect(mem.getInt16(L.revents, true)).toBe(POLLOUT);
    expect(fds[0].revents).toBe(POLLOUT);
    closeAll([a, b]);
  });

  it('pollfd: the getters read the memory the kernel wrote, over an array, an unaligned view and a detached buffer', () => {
    const L = binding.layout.pollfd;
    // The getters index a typed array shared by the whole array (lib/struct.ts wordViews);
    // a view at an odd address falls back to the DataView; both see every write to the memory.
    const fds = pollfd.array(4);
    const mem = new DataView(fds[kArrayBuffer]);
    mem.setInt32(3 * L.size + L.fd, -7, true);
    mem.setUint16(3 * L.size + L.events, 0xfffe, true);
    mem.setUint16(3 * L.size + L.revents, 0x8001, true);
    expect([fds[3].fd, fds[3].events, fds[3].revents]).toEqual([-7, 0xfffe, 0x8001]);
    const raw = new Uint8Array(1 + L.size);
    const odd = new pollfd(raw.subarray(1));
    const oddMem = new DataView(raw.buffer, 1);
    oddMem.setInt32(L.fd, 0x12345678, true);
    oddMem.setUint16(L.revents, POLLOUT | POLLHUP, true);
    expect(odd.fd).toBe(0x12345678);
    expect(odd.revents).toBe(POLLOUT | POLLHUP);
    const [a, b] = unixPair();
    odd.fd = a;
    odd.events = POLLOUT;
    fds[0].fd = a;
    fds[0].events = POLLOUT;
    expect(poll(fds, 1, 0)).toBe(1);
    expect(fds[0].revents).toBe(POLLOUT);
    closeAll([a, b]);
    // A detached buffer still throws a TypeError from the getter, never reads a stale or undefined value.
    const gone = pollfd.array(1);
    structuredClone(gone[kArrayBuffer], { transfer: [gone[kArrayBuffer]] });
    expect(() => gone[0].revents).toThrow(TypeError);
    expect(() => gone[0].fd).toThrow(TypeError);
  });

  it('poll: a negative fd is ignored (revents 0) and a closed fd reports POLLNVAL', () => {
    const [a, b] = unixPair();
    close(b);
    const fds = pollfd.array(2);
    fds[0].fd = -1;
    fds[0].events = POLLIN;
    fds[1].fd = b;
    fds[1].events = POLLIN;
    expect(poll(fds, 2, 0)).toBe(1);
    expect(fds[0].revents).toBe(0);
    expect(fds[1].revents).toBe(POLLNVAL);
    close(a);
  });

  it('poll: readiness of a socketpair: POLLIN after send, POLLHUP|POLLRDHUP after the peer closes', () => {
    const [a, b] = unixPair();
    const fds = pollfd.array(1);
    fds[0].fd = a;
    fds[0].events = POLLIN | POLLRDHUP;
    expect(poll(fds, 1, 0)).toBe(0);
    send(b, new Uint8Array([7]));
    expect(poll(fds, 1, 0)).toBe(1);
    expect(fds[0].revents).toBe(POLLIN);
    close(b);
    poll(fds, 1, 0);
    expect(fds[0].revents).toBe(POLLIN | POLLHUP | POLLRDHUP);
    close(a);
  });

  it('poll: a plain array of { fd, events } is accepted and gets revents', () => {
    const [a, b] = unixPair();
    const plain: { fd: number; events: number; revents?: number }[] = [
      { fd: a, events: POLLIN },
      { fd: b, events: POLLOUT },
    ];
    expect(poll(plain, 2, 0)).toBe(1);
    expect(plain[0].revents).toBe(0);
    expect(plain[1].revents).toBe(POLLOUT);
    closeAll([a, b]);
  });

  it('poll: the timeout elapses and 0 is returned when nothing is ready', () => {
    const [a, b] = unixPair();
    const fds = pollfd.array(1);
    fds[0].fd = a;
    fds[0].events = POLLIN;
    const t0 = performance.now();
    expect(poll(fds, 1, 60)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    closeAll([a, b]);
  });

  it('poll: nfds past the array, a non-integer nfds and a timeout outside int are rejected before the syscall', () => {
    const fds = pollfd.array(2);
    expect(() => poll(fds, 3, 0)).toThrow(RangeError);
    expect(() => poll(fds, 3, 0)).toThrow(/nfds 3 exceeds the 2 entries/);
    expect(() => poll(fds, 1.5, 0)).toThrow(RangeError);
    expect(() => poll(fds, NaN, 0)).toThrow(RangeError);
    expect(() => poll(fds, '1' as never, 0)).toThrow(TypeError);
    expect(() => poll(fds, 1, 2 ** 31)).toThrow(RangeError);
    expect(() => poll(fds, 1, -(2 ** 31) - 1)).toThrow(RangeError);
    expect(() => poll([{ fd: 0, events: POLLIN }], 2, 0)).toThrow(RangeError);
    expect(() => poll(42 as never, 1, 0)).toThrow(TypeError);
  });

  it('pollfd.array(n) is capped at 2**20 entries: more is a RangeError at once, never a V8 heap abort', () => {
    const t0 = performance.now();
    expect(() => pollfd.array(1e8)).toThrow(RangeError);
    expect(() => pollfd.array(2 ** 20 + 1)).toThrow('pollfd.array: n must be an integer in [0, 1048576], got 1048577');
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('poll: a plain array with nfds above RLIMIT_NOFILE is EINVAL (as the kernel says) before anything is copied', () => {
    const big = new Array<{ fd: number; events: number }>(1e7).fill({ fd: -1, events: POLLIN });
    let got = 0;
    const counted = new Proxy(big, { get: (t, p, r) => (p !== 'length' && typeof p === 'string' && got++, Reflect.get(t, p, r)) });
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    for (const call of [() => poll(big, 1e7, 0), () => ppoll(big, 1e7, null), () => poll(counted, 1e7, 0)]) {
      const e = (() => { try { call(); } catch (x) { return x as ErrnoError; } throw new Error('returned'); })();
      expect(e).toBeInstanceOf(ErrnoError);
      expect(e.code).toBe('EINVAL');
      expect(['poll', 'ppoll']).toContain(e.syscall);
    }
    expect(got).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000); // the old copy-then-fail path took ~10 s
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * 2 ** 20);
    // At the limit's own side, the kernel agrees: a pollfd.array past RLIMIT_NOFILE is EINVAL too.
    const max = binding.pollNfdsMax();
    if (max < 2 ** 20) {
      const arr = pollfd.array(max + 1);
      for (const p of arr) p.fd = -1;
      expect(() => poll(arr, max + 1, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'poll' }));
      expect(poll(arr, max, 0)).toBe(0);
    }
  });

  it('poll: a plain array is copied into one raw buffer; its entries are checked and get revents', () => {
    const [a, b] = unixPair();
    send(b, new Uint8Array([1]));
    const reqs: PollRequest[] = [{ fd: a, events: POLLIN }, { fd: -1, events: 0 }];
    expect(poll(reqs, 2, 0)).toBe(1);
    expect(reqs.map((r) => r.revents)).toEqual([POLLIN, 0]);
    expect(() => poll([{ fd: a, events: -1 }], 1, 0)).toThrow('poll: fds[0].events must be an integer in [0, 65535], got -1');
    expect(() => poll([{ fd: 3.5, events: 0 }], 1, 0)).toThrow(RangeError);
    expect(() => poll([null as never], 1, 0)).toThrow('poll: fds[0] must be an object { fd, events }, got null');
    closeAll([a, b]);
  });

  it('pollfd: fields are checked, never wrapped', () => {
    const p = new pollfd();
    expect(() => (p.fd = 2 ** 32 + 3)).toThrow(RangeError);
    expect(() => (p.events = 0x10000)).toThrow(RangeError);
    expect(() => (p.events = -1)).toThrow('pollfd: events must be an integer in [0, 65535], got -1');
    expect(() => (p.revents = -0x8000)).toThrow(RangeError);
    p.events = 0xffff;
    expect(p.events).toBe(0xffff);
    expect(() => (p.fd = 3.5)).toThrow(RangeError);
    p.fd = -1;
    expect(p.fd).toBe(-1);
  });

  it('ppoll: a timespec timeout (left unchanged) and a null one; a signal mask is accepted', () => {
    const [a, b] = unixPair();
    const fds = pollfd.array(1);
    fds[0].fd = a;
    fds[0].events = POLLIN;
    const ts = new timespec(0, 30_000_000);
    const t0 = performance.now();
    expect(ppoll(fds, 1, ts, [constants.signals.SIGUSR1])).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(ts.tv_sec).toBe(0);
    expect(ts.tv_nsec).toBe(30_000_000);
    send(b, new Uint8Array([1]));
    expect(ppoll(fds, 1, null)).toBe(1);
    expect(fds[0].revents).toBe(POLLIN);
    expect(() => ppoll(fds, 1, null, [0])).toThrow(RangeError);
    expect(() => ppoll(fds, 1, new timeval() as never)).toThrow(TypeError);
    closeAll([a, b]);
  });

  it('poll: { restart: true } keeps waiting through EINTR until the original deadline', async () => {
    const r = await runChild(`
      let signals = 0;
      process.on('SIGUSR2', () => { signals++; });
      const sv = new Int32Array(2);
      sockfd.socketpair(sockfd.AF_UNIX, sockfd.SOCK_STREAM, 0, sv);
      const fds = sockfd.pollfd.array(1);
      fds[0].fd = sv[0]; fds[0].events = sockfd.POLLIN;
      console.log('waiting');
      const t0 = Date.now();
      const n = sockfd.poll(fds, 1, 600, { restart: true });
      console.log('done', n, Date.now() - t0);
      sockfd.close(sv[0]); sockfd.close(sv[1]);
      setImmediate(() => console.log('handled', signals));
    `, { onLine: signalAfter('waiting', 'SIGUSR2', ['done']) });
    expect(r.stderr).toBe('');
    const m = /done (\d+) (\d+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(0);
    expect(Number(m![2])).toBeGreaterThanOrEqual(590);
    expect(Number(m![2])).toBeLessThan(1500);
    expect(r.stdout).toMatch(/handled [1-9]/);
  });

  it('ppoll: { restart: true } with a timespec past int64 nanoseconds (tv_sec 2**40) keeps waiting through signals', async () => {
    const hook = signalAfter('waiting', 'SIGUSR2', ['returned']);
    const r = await runChild(`
      process.on('SIGUSR2', () => {});
      const sv = new Int32Array(2);
      sockfd.socketpair(sockfd.AF_UNIX, sockfd.SOCK_STREAM, 0, sv);
      const fds = sockfd.pollfd.array(1);
      fds[0].fd = sv[0]; fds[0].events = sockfd.POLLIN;
      console.log('waiting');
      const n = sockfd.ppoll(fds, 1, new sockfd.timespec(2 ** 40, 0), null, { restart: true });
      console.log('returned', n);
    `, {
      onLine: (line, child) => {
        hook(line, child);
        if (line === 'waiting') setTimeout(() => child.kill('SIGKILL'), 1200);
      },
    });
    // Still waiting after ~8 signals when it is killed; the old deadline overflowed and the
    // first restart waited 0 ns.
    expect(r.stdout).toContain('waiting');
    expect(r.stdout).not.toContain('returned');
    expect(r.signal).toBe('SIGKILL');
  });

  it('poll: without { restart }, a signal during poll(-1) throws EINTR so the JS handler runs', async () => {
    const r = await runChild(`
      let got = false;
      process.on('SIGINT', () => { got = true; });
      const sv = new Int32Array(2);
      sockfd.socketpair(sockfd.AF_UNIX, sockfd.SOCK_STREAM, 0, sv);
      const fds = sockfd.pollfd.array(1);
      fds[0].fd = sv[0]; fds[0].events = sockfd.POLLIN;
      function loop() {
        if (got) { console.log('stopped'); sockfd.close(sv[0]); sockfd.close(sv[1]); return; }
        console.log('waiting');
        try { sockfd.poll(fds, 1, -1); } catch (e) { console.log('caught', e.code, e instanceof sockfd.ErrnoError); }
        setImmediate(loop);
      }
      loop();
    `, { onLine: signalAfter('waiting', 'SIGINT', ['caught']) });
    expect(r.stdout).toContain('caught EINTR true');
    expect(r.stdout).toContain('stopped');
    expect(r.code).toBe(0);
  });
});

describe('select, poll and epoll agree', () => {
  it('for 64 sockets in mixed states (readable, writable, peer closed, reset, full), all three report the same readiness', () => {
    const { watched, opened } = mixedSockets(64);
    // poll
    const fds = pollfd.array(watched.length);
    watched.forEach((w, i) => {
      fds[i].fd = w.fd;
      fds[i].events = POLLIN | POLLOUT | POLLPRI;
    });
    const nPoll = poll(fds, watched.length, 0);
    // epoll (level-triggered, same interest)
    const epfd = epoll_create1(0);
    const ev = new epoll_event();
    for (const w of watched) {
      ev.events = POLLIN | POLLOUT | POLLPRI;
      ev.data.fd = w.fd;
      epoll_ctl(epfd, EPOLL_CTL_ADD, w.fd, ev);
    }
    const events = epoll_event.array(watched.length);
    const nEpoll = epoll_wait(epfd, events, watched.length, 0);
    const byFd = new Map<number, number>();
    for (let i = 0; i < nEpoll; i++) byFd.set(events[i].data.fd, events[i].events);
    // select
    const maxfd = Math.max(...watched.map((w) => w.fd));
    const r = new fd_set();
    const w = new fd_set();
    const e = new fd_set();
    for (const x of watched) {
      FD_SET(x.fd, r);
      FD_SET(x.fd, w);
      FD_SET(x.fd, e);
    }
    const nSelect = select(maxfd + 1, r, w, e, new timeval(0, 0));

    expect(nPoll).toBe(nEpoll);
    let selectBits = 0;
    for (const [i, x] of watched.entries()) {
      const rev = fds[i].revents;
      expect(byFd.get(x.fd) ?? 0, `${x.state} fd ${x.fd}`).toBe(rev);
      // The kernel's select sets: in = POLLIN|POLLHUP|POLLERR, out = POLLOUT|POLLERR, ex = POLLPRI.
      expect(FD_ISSET(x.fd, r), `${x.state} readfds`).toBe((rev & (POLLIN | POLLHUP | POLLERR)) !== 0);
      expect(FD_ISSET(x.fd, w), `${x.state} writefds`).toBe((rev & (POLLOUT | POLLERR)) !== 0);
      expect(FD_ISSET(x.fd, e), `${x.state} exceptfds`).toBe((rev & POLLPRI) !== 0);
      selectBits += Number(FD_ISSET(x.fd, r)) + Number(FD_ISSET(x.fd, w)) + Number(FD_ISSET(x.fd, e));
      // Each state reports what the kernel documents for it.
      if (x.state === 'readable') expect(rev).toBe(POLLIN | POLLOUT);
      if (x.state === 'writable') expect(rev).toBe(POLLOUT);
      if (x.state === 'peer-closed') expect(rev & (POLLIN | POLLHUP)).toBe(POLLIN | POLLHUP);
      if (x.state === 'reset') expect(rev & (POLLERR | POLLHUP)).toBe(POLLERR | POLLHUP);
      if (x.state === 'full') expect(rev).toBe(0);
    }
    expect(nSelect).toBe(selectBits);
    closeAll([...opened, epfd]);
  });

});
