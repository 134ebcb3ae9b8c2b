import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  accept, close, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, epoll_create1, epoll_ctl,
  epoll_event, epoll_pwait, epoll_pwait2, epoll_wait, EPOLLERR, EPOLLET, EPOLLEXCLUSIVE,
  EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLPRI, EPOLLRDHUP, EPOLLWAKEUP, ErrnoError,
  F_DUPFD_CLOEXEC, F_GETFD, FD_CLOEXEC, fcntl, recv, send, SHUT_WR, shutdown, timespec,
} from '../lib';
import { binding } from '../lib/binding';
import { kArrayBuffer } from '../lib/mux';
import { runChild, signalAfter } from './helpers/child';
import { closeAll, connectTo, listenLoopback, unixPair } from './helpers/mux-sockets';

function errnoOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ErrnoError) return e.code;
    throw e;
  }
  return undefined;
}

function watch(epfd: number, fd: number, events: number): void {
  const ev = new epoll_event();
  ev.events = events;
  ev.data.fd = fd;
  epoll_ctl(epfd, EPOLL_CTL_ADD, fd, ev);
}

describe('epoll', () => {
  it('epoll_event: events, data.fd, data.u32 and data.u64 read the kernel-laid memory, in an array, unaligned and detached', () => {
    const L = binding.layout.epoll_event;
    // events / data.fd / data.u32 index typed arrays shared by the array (lib/struct.ts
    // wordViews; on x86-64 data sits at offset 4 of a 12-byte entry, 4-aligned); a view at
    // an odd address falls back to the DataView.
    const evs = epoll_event.array(3);
    const mem = new DataView(evs[kArrayBuffer]);
    mem.setUint32(2 * L.size + L.events, 0x80000001, true);
    mem.setInt32(2 * L.size + L.data, -5, true);
    expect(evs[2].events).toBe(0x80000001);
    expect(evs[2].data.fd).toBe(-5);
    expect(evs[2].data.u32).toBe(0xfffffffb);
    mem.setBigUint64(2 * L.size + L.data, 0x1_0000_0002n, true);
    expect(evs[2].data.u64).toBe(0x1_0000_0002n);
    expect(evs[2].data.fd).toBe(2);
    const raw = new Uint8Array(1 + L.size);
    const odd = new epoll_event(raw.subarray(1));
    new DataView(raw.buffer, 1).setUint32(L.events, EPOLLIN | EPOLLET, true);
    new DataView(raw.buffer, 1).setInt32(L.data, 1234, true);
    expect(odd.events).toBe((EPOLLIN | EPOLLET) >>> 0);
    expect(odd.data.fd).toBe(1234);
    const gone = epoll_event.array(1);
    structuredClone(gone[kArrayBuffer], { transfer: [gone[kArrayBuffer]] });
    expect(() => gone[0].events).toThrow(TypeError);
    expect(() => gone[0].data.fd).toThrow(TypeError);
  });

  it('epoll_wait: a listening socket is reported with its data.fd when a client connects, and accept succeeds (the epoll server)', () => {
    const server = listenLoopback();
    const epfd = epoll_create1(0);
    const event = new epoll_event();
    event.events = EPOLLIN;
    event.data.fd = server.fd;
    expect(epoll_ctl(epfd, EPOLL_CTL_ADD, server.fd, event)).toBe(0);
    const MAX_EVENTS = 10;
    const events = epoll_event.array(MAX_EVENTS);
    expect(epoll_wait(epfd, events, MAX_EVENTS, 0)).toBe(0);
    const client = connectTo(server.addr);
    const nfds = epoll_wait(epfd, events, MAX_EVENTS, 2000);
    expect(nfds).toBe(1);
    expect(events[0].data.fd).toBe(server.fd);
    expect(events[0].events).toBe(EPOLLIN);
    const conn = accept(server.fd);
    expect(conn).toBeGreaterThan(2);
    closeAll([conn, client, server.fd, epfd]);
  });

  it('epoll_event: the layout comes from the addon (12 bytes packed on x86-64) and array(n) is ONE buffer', () => {
    const L = binding.layout.epoll_event;
    if (process.arch === 'x64') expect(L).toEqual({ size: 12, events: 0, data: 4 });
    else expect(L.size).toBe(16);
    const events = epoll_event.array(4);
    expect(Array.isArray(events)).toBe(true);
    const mem = new DataView(events[kArrayBuffer]);
    expect(mem.byteLength).toBe(4 * L.size);
    events[3].events = EPOLLIN | EPOLLET;
    events[3].data.u32 = 0xdeadbeef;
    expect(mem.getUint32(3 * L.size + L.events, true)).toBe((EPOLLIN | EPOLLET) >>> 0);
    expect(mem.getUint32(3 * L.size + L.data, true)).toBe(0xdeadbeef);
  });

  it('epoll_create1: the fd is close-on-exec even with flags 0', () => {
    const epfd = epoll_create1(0);
    expect(fcntl(epfd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    close(epfd);
    expect(errnoOf(() => epoll_create1(-1))).toBe('EINVAL');
  });

  it('epoll_ctl: EEXIST (add twice), ENOENT (mod/del unregistered), EPERM (regular file), EINVAL (itself; EPOLLEXCLUSIVE with MOD), EBADF', () => {
    const epfd = epoll_create1(0);
    const [a, b] = unixPair();
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    epoll_ctl(epfd, EPOLL_CTL_ADD, a, ev);
    expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_ADD, a, ev))).toBe('EEXIST');
    expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_MOD, b, ev))).toBe('ENOENT');
    expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_DEL, b, null))).toBe('ENOENT');
    const file = openSync(__filename, 'r');
    try {
      expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_ADD, file, ev))).toBe('EPERM');
    } finally {
      closeSync(file);
    }
    expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_ADD, epfd, ev))).toBe('EINVAL');
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_MOD, a, ev))).toBe('EINVAL');
    close(b);
    expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_ADD, b, ev))).toBe('EBADF');
    try {
      epoll_ctl(epfd, EPOLL_CTL_ADD, b, ev);
    } catch (e) {
      expect(e).toMatchObject({ syscall: 'epoll_ctl', errno: binding.errnos.EBADF, fd: b });
    }
    expect(epoll_ctl(epfd, EPOLL_CTL_DEL, a, null)).toBe(0);
    closeAll([a, epfd]);
  });

  it('epoll_wait: level-triggered keeps firing until the data is drained', () => {
    const epfd = epoll_create1(0);
    const [a, b] = unixPair();
    watch(epfd, a, EPOLLIN);
    const events = epoll_event.array(2);
    send(b, new Uint8Array([1, 2]));
    expect(epoll_wait(epfd, events, 2, 0)).toBe(1);
    expect(epoll_wait(epfd, events, 2, 0)).toBe(1);
    recv(a, new Uint8Array(1));
    expect(epoll_wait(epfd, events, 2, 0)).toBe(1);
    recv(a, new Uint8Array(1));
    expect(epoll_wait(epfd, events, 2, 0)).toBe(0);
    closeAll([a, b, epfd]);
  });

  it('epoll_wait: EPOLLET (negative after JS |) fires once per arrival', () => {
    const epfd = epoll_create1(0);
    const [a, b] = unixPair();
    expect(EPOLLIN | EPOLLET).toBeLessThan(0);
    watch(epfd, a, EPOLLIN | EPOLLET);
    const events = epoll_event.array(2);
    send(b, new Uint8Array([1]));
    expect(epoll_wait(epfd, events, 2, 0)).toBe(1);
    expect(events[0].events & EPOLLIN).toBe(EPOLLIN);
    expect(epoll_wait(epfd, events, 2, 0)).toBe(0);
    send(b, new Uint8Array([2]));
    expect(epoll_wait(epfd, events, 2, 0)).toBe(1);
    expect(epoll_wait(epfd, events, 2, 0)).toBe(0);
    closeAll([a, b, epfd]);
  });

  it('epoll_wait: EPOLLONESHOT disarms the fd until EPOLL_CTL_MOD re-arms it', () => {
    const epfd = epoll_create1(0);
    const [a, b] = unixPair();
    watch(epfd, a, EPOLLIN | EPOLLONESHOT);
    const events = epoll_event.array(1);
    send(b, new Uint8Array([1]));
    expect(epoll_wait(epfd, events, 1, 0)).toBe(1);
    send(b, new Uint8Array([2]));
    expect(epoll_wait(epfd, events, 1, 0)).toBe(0);
    const ev = new epoll_event();
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.fd = a;
    epoll_ctl(epfd, EPOLL_CTL_MOD, a, ev);
    expect(epoll_wait(epfd, events, 1, 0)).toBe(1);
    expect(events[0].data.fd).toBe(a);
    closeAll([a, b, epfd]);
  });

  it("epoll_wait: EPOLLRDHUP is reported after the peer's shutdown(SHUT_WR)", () => {
    const server = listenLoopback();
    const client = connectTo(server.addr);
    const conn = accept(server.fd);
    const epfd = epoll_create1(0);
    watch(epfd, conn, EPOLLIN | EPOLLRDHUP | EPOLLPRI);
    const events = epoll_event.array(1);
    expect(epoll_wait(epfd, events, 1, 0)).toBe(0);
    shutdown(client, SHUT_WR);
    expect(epoll_wait(epfd, events, 1, 1000)).toBe(1);
    expect(events[0].events & (EPOLLIN | EPOLLRDHUP)).toBe(EPOLLIN | EPOLLRDHUP);
    expect(events[0].events & (EPOLLHUP | EPOLLERR)).toBe(0);
    closeAll([conn, client, server.fd, epfd]);
  });

  it('epoll_event: data.u64 round-trips 0n and 2n**64n-1n through the kernel and rejects 2n**64n and -1n', () => {
    const epfd = epoll_create1(0);
    const [a, b] = unixPair();
    const events = epoll_event.array(1);
    send(b, new Uint8Array([1]));
    for (const [i, u64] of [0n, 2n ** 64n - 1n, 2n ** 63n + 5n].entries()) {
      const ev = new epoll_event();
      ev.events = EPOLLIN;
      ev.data.u64 = u64;
      epoll_ctl(epfd, i === 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, a, ev);
      expect(epoll_wait(epfd, events, 1, 0)).toBe(1);
      expect(events[0].data.u64).toBe(u64);
    }
    const ev = new epoll_event();
    ev.data.u64 = 7n;
    expect(() => (ev.data.u64 = 2n ** 64n)).toThrow(RangeError);
    expect(() => (ev.data.u64 = -1n)).toThrow(RangeError);
    expect(() => (ev.data.u64 = 7 as never)).toThrow(TypeError);
    expect(ev.data.u64).toBe(7n);
    expect(() => (ev.events = 2 ** 32)).toThrow(RangeError);
    expect(() => (ev.data.fd = 1.5)).toThrow(RangeError);
    closeAll([a, b, epfd]);
  });

  it('epoll: every flag the issue names is exported with its Linux value', () => {
    expect([EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLPRI, EPOLLERR, EPOLLHUP, EPOLLET, EPOLLONESHOT,
      EPOLLEXCLUSIVE, EPOLLWAKEUP]).toEqual([0x1, 0x4, 0x2000, 0x2, 0x8, 0x10, 0x80000000,
      0x40000000, 0x10000000, 0x20000000]);
  });

  it('epoll_wait: maxevents < 1 or past the array, and a timeout outside int, are RangeErrors before the syscall', () => {
    const epfd = epoll_create1(0);
    const events = epoll_event.array(2);
    expect(() => epoll_wait(epfd, events, 0, 0)).toThrow(RangeError);
    expect(() => epoll_wait(epfd, events, -1, 0)).toThrow(RangeError);
    expect(() => epoll_wait(epfd, events, 3, 0)).toThrow(RangeError);
    expect(() => epoll_wait(epfd, events, 1.5, 0)).toThrow(RangeError);
    expect(() => epoll_wait(epfd, events, 1, 2 ** 31)).toThrow(RangeError);
    expect(() => epoll_wait(epfd, events, 1, NaN)).toThrow(RangeError);
    expect(() => epoll_wait(epfd, [] as never, 1, 0)).toThrow(TypeError);
    // A single epoll_event is an array of one.
    expect(epoll_wait(epfd, new epoll_event(), 1, 0)).toBe(0);
    close(epfd);
    expect(errnoOf(() => epoll_wait(epfd, events, 1, 0))).toBe('EBADF');
  });

  it('epoll_event.array(n) is capped at 2**20 entries: more is a RangeError at once, never a V8 heap abort', () => {
    const t0 = performance.now();
    expect(() => epoll_event.array(1e8)).toThrow(RangeError);
    expect(() => epoll_event.array(2 ** 20 + 1)).toThrow('epoll_event.array: n must be an integer in [0, 1048576], got 1048577');
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('epoll_ctl: a registration outlives close(fd) while a dup is open (epoll(7) Q6); EPOLL_CTL_DEL before close prevents it', () => {
    const epfd = epoll_create1(0);
    const [a, b] = unixPair();
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = a;
    epoll_ctl(epfd, EPOLL_CTL_ADD, a, ev);
    const dup = fcntl(a, F_DUPFD_CLOEXEC, 0);
    close(a); // the open file description lives on in `dup`, and so does its registration
    send(b, new Uint8Array([1]));
    const events = epoll_event.array(4);
    expect(epoll_wait(epfd, events, 4, 0)).toBe(1);
    expect(events[0].data.fd).toBe(a); // the stale number: `a` is closed (or already reused)
    // It cannot be removed through the closed number, only by closing the last dup.
    expect(errnoOf(() => epoll_ctl(epfd, EPOLL_CTL_DEL, a, null))).toBe('EBADF');

    // The C remedy: EPOLL_CTL_DEL before close.
    const [c, d] = unixPair();
    ev.data.fd = c;
    epoll_ctl(epfd, EPOLL_CTL_ADD, c, ev);
    const dup2 = fcntl(c, F_DUPFD_CLOEXEC, 0);
    epoll_ctl(epfd, EPOLL_CTL_DEL, c, null);
    close(c);
    send(d, new Uint8Array([1]));
    expect(epoll_wait(epfd, events, 4, 0)).toBe(1); // still only the first, stale registration
    expect(events[0].data.fd).toBe(a);
    closeAll([dup]); // the last reference: the kernel drops that registration now
    expect(epoll_wait(epfd, events, 4, 0)).toBe(0);
    closeAll([dup2, b, d, epfd]);
  });

  it('epoll_pwait and epoll_pwait2: a signal mask, and a timespec timeout (null: forever)', () => {
    const epfd = epoll_create1(0);
    const [a, b] = unixPair();
    watch(epfd, a, EPOLLIN);
    const events = epoll_event.array(1);
    expect(epoll_pwait(epfd, events, 1, 20, [constants.signals.SIGUSR1])).toBe(0);
    const t0 = performance.now();
    expect(epoll_pwait2(epfd, events, 1, new timespec(0, 30_000_000), null)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    send(b, new Uint8Array([1]));
    expect(epoll_pwait(epfd, events, 1, -1, null)).toBe(1);
    expect(epoll_pwait2(epfd, events, 1, null)).toBe(1);
    expect(events[0].data.fd).toBe(a);
    closeAll([a, b, epfd]);
  });

  it('epoll_wait: a process blocked in epoll_wait(-1) with a SIGINT listener stops cleanly on SIGINT', async () => {
    const r = await runChild(`
      let stop = false;
      process.on('SIGINT', () => { stop = true; });
      const epfd = sockfd.epoll_create1(0);
      const sv = new Int32Array(2);
      sockfd.socketpair(sockfd.AF_UNIX, sockfd.SOCK_STREAM, 0, sv);
      const ev = new sockfd.epoll_event(); ev.events = sockfd.EPOLLIN; ev.data.fd = sv[0];
      sockfd.epoll_ctl(epfd, sockfd.EPOLL_CTL_ADD, sv[0], ev);
      const events = sockfd.epoll_event.array(8);
      (function serve() {
        if (stop) { for (const fd of [sv[0], sv[1], epfd]) sockfd.close(fd); console.log('clean exit'); return; }
        console.log('waiting');
        try { sockfd.epoll_wait(epfd, events, 8, -1); }
        catch (e) { if (e.code !== 'EINTR') throw e; console.log('EINTR'); }
        setImmediate(serve);
      })();
    `, { onLine: signalAfter('waiting', 'SIGINT', ['EINTR']) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('EINTR');
    expect(r.stdout).toContain('clean exit');
    expect(r.code).toBe(0);
    expect(r.signal).toBeNull();
  });

  it('epoll_wait: { restart: true } restarts after EINTR against the original deadline', async () => {
    const r = await runChild(`
      let signals = 0;
      process.on('SIGUSR2', () => { signals++; });
      const epfd = sockfd.epoll_create1(0);
      const events = sockfd.epoll_event.array(1);
      console.log('waiting');
      const t0 = Date.now();
      const n = sockfd.epoll_wait(epfd, events, 1, 500, { restart: true });
      console.log('done', n, Date.now() - t0);
      sockfd.close(epfd);
      setImmediate(() => console.log('handled', signals));
    `, { onLine: signalAfter('waiting', 'SIGUSR2', ['done']) });
    const m = /done (\d+) (\d+)/.exec(r.stdout);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBe(0);
    expect(Number(m![2])).toBeGreaterThanOrEqual(490);
    expect(Number(m![2])).toBeLessThan(1400);
    expect(r.stdout).toMatch(/handled [1-9]/);
  });

  it('scale: 10,000 fds in one epoll set and one poll array report exactly the written half, and the fd count returns to its baseline', async () => {
    const r = await runChild(`
      const fs = require('node:fs');
      const count = () => fs.readdirSync('/proc/self/fd').length;
      const base = count();
      const PAIRS = 5000;
      const t0 = Date.now();
      const all = [], written = new Set();
      const sv = new Int32Array(2);
      for (let i = 0; i < PAIRS; i++) {
        sockfd.socketpair(sockfd.AF_UNIX, sockfd.SOCK_STREAM, 0, sv);
        all.push(sv[0], sv[1]);
        sockfd.send(sv[0], new Uint8Array([1]));   // makes sv[1] readable
        written.add(sv[1]);
      }
      const epfd = sockfd.epoll_create1(0);
      const ev = new sockfd.epoll_event();
      for (const fd of all) { ev.events = sockfd.EPOLLIN; ev.data.fd = fd; sockfd.epoll_ctl(epfd, sockfd.EPOLL_CTL_ADD, fd, ev); }
      const events = sockfd.epoll_event.array(all.length);
      const n = sockfd.epoll_wait(epfd, events, all.length, 0);
      const seen = new Set();
      let wrong = 0;
      for (let i = 0; i < n; i++) { const fd = events[i].data.fd; if (!written.has(fd) || seen.has(fd)) wrong++; seen.add(fd); }
      const fds = sockfd.pollfd.array(all.length);
      all.forEach((fd, i) => { fds[i].fd = fd; fds[i].events = sockfd.POLLIN; });
      const m = sockfd.poll(fds, all.length, 0);
      let pollWrong = 0;
      fds.forEach((p, i) => { if ((p.revents === sockfd.POLLIN) !== written.has(all[i])) pollWrong++; });
      const open = count();
      for (const fd of all) sockfd.close(fd);
      sockfd.close(epfd);
      console.log(JSON.stringify({ registered: all.length, n, seen: seen.size, wrong, m, pollWrong, base, open, after: count(), ms: Date.now() - t0 }));
    `, { shell: 'ulimit -n 20000', timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(res).toMatchObject({ registered: 10_000, n: 5000, seen: 5000, wrong: 0, m: 5000, pollWrong: 0 });
    expect(res.open).toBe(res.base + 10_001);
    expect(res.after).toBe(res.base);
    expect(res.ms).toBeLessThan(5000);
  });
});
