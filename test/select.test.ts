import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  accept, close, F_DUPFD, fcntl, FD_CLR, FD_ISSET, FD_SET, fd_set, FD_SETSIZE, FD_ZERO, pselect,
  select, send, timespec, timeval,
} from '../lib';
import { binding } from '../lib/binding';
import { runChild, signalAfter } from './helpers/child';
import { closeAll, connectTo, listenLoopback, unixPair } from './helpers/mux-sockets';

describe('select', () => {
  it('select: a listening socket is in readfds when a client connects, and accept succeeds (the select server)', () => {
    const server = listenLoopback();
    const readfds = new fd_set();
    FD_ZERO(readfds);
    FD_SET(server.fd, readfds);
    const max_sd = server.fd;
    expect(select(max_sd + 1, readfds, null, null, new timeval(0, 0))).toBe(0);
    expect(FD_ISSET(server.fd, readfds)).toBe(false);
    const client = connectTo(server.addr);
    FD_SET(server.fd, readfds);
    const activity = select(max_sd + 1, readfds, null, null, null);
    expect(activity).toBe(1);
    expect(FD_ISSET(server.fd, readfds)).toBe(true);
    const conn = accept(server.fd);
    expect(conn).toBeGreaterThan(2);
    closeAll([conn, client, server.fd]);
  });

  it('fd_set: sizeof comes from the addon and FD_* set bit fd%64 of long fd/64, as the kernel reads it', () => {
    expect(binding.layout.fd_set).toEqual({ size: FD_SETSIZE / 8, word: 8 });
    const set = new fd_set();
    expect(set.bytes.length).toBe(128);
    expect(set.setsize).toBe(FD_SETSIZE);
    FD_SET(9, set);
    FD_SET(1023, set);
    expect(set.bytes[1]).toBe(0b10);
    expect(set.bytes[127]).toBe(0x80);
    expect(FD_ISSET(9, set)).toBe(true);
    expect(FD_ISSET(8, set)).toBe(false);
    FD_CLR(9, set);
    expect(FD_ISSET(9, set)).toBe(false);
    FD_ZERO(set);
    expect(set.bytes.every((b) => b === 0)).toBe(true);
  });

  it('FD_ISSET: its one-load fast path answers every bit as the checked path, and rejects what FD_SET rejects', () => {
    const set = new fd_set();
    const on = new Set([0, 1, 7, 8, 63, 64, 65, 511, 1000, 1023]);
    for (const fd of on) FD_SET(fd, set);
    for (let fd = 0; fd < FD_SETSIZE; fd++) expect(FD_ISSET(fd, set)).toBe(on.has(fd));
    expect(FD_ISSET(-0, set)).toBe(true);
    const bad: unknown[] = [-1, 1.5, NaN, Infinity, FD_SETSIZE, 2 ** 32, '3', 3n, null, { valueOf: () => 3 }];
    for (const fd of bad) {
      expect(() => (FD_ISSET as (fd: unknown, set: fd_set) => boolean)(fd, set)).toThrow(typeof fd === 'number' ? RangeError : TypeError);
    }
    expect(() => (FD_ISSET as (fd: number, set: unknown) => boolean)(1, { bytes: set.bytes, setsize: 1024 })).toThrow(TypeError);
  });

  it('fd_set: setsize is capped at 2**20 (the default fs.nr_open); more is a RangeError before any allocation', () => {
    expect(() => new fd_set(2 ** 31 - 1)).toThrow('fd_set: setsize must be an integer in [1, 1048576], got 2147483647');
    expect(new fd_set(2 ** 20).setsize).toBe(2 ** 20);
    expect(() => new fd_set(0)).toThrow(RangeError);
  });

  it('select: only ready fds stay in the sets, and the count is the total of bits left', () => {
    const [a, b] = unixPair();
    const [c, d] = unixPair();
    send(d, new Uint8Array([1]));
    const r = new fd_set();
    const w = new fd_set();
    for (const fd of [a, c]) {
      FD_SET(fd, r);
      FD_SET(fd, w);
    }
    expect(select(Math.max(a, c) + 1, r, w, null, new timeval(0, 0))).toBe(3);
    expect([FD_ISSET(a, r), FD_ISSET(c, r), FD_ISSET(a, w), FD_ISSET(c, w)]).toEqual([false, true, true, true]);
    closeAll([a, b, c, d]);
  });

  it('select: the timeval is updated with the time left, as Linux does', () => {
    const [a, b] = unixPair();
    const r = new fd_set();
    FD_SET(a, r);
    const tv = new timeval(0, 40_000);
    expect(select(a + 1, r, null, null, tv)).toBe(0);
    expect([tv.tv_sec, tv.tv_usec]).toEqual([0, 0]);
    const w = new fd_set();
    FD_SET(a, w);
    const long = new timeval(5, 0);
    expect(select(a + 1, null, w, null, long)).toBe(1);
    expect(long.tv_sec * 1e6 + long.tv_usec).toBeGreaterThan(4_900_000);
    expect(long.tv_sec * 1e6 + long.tv_usec).toBeLessThan(5_000_000);
    closeAll([a, b]);
  });

  it('select: an fd at 1100 (fcntl F_DUPFD) throws RangeError in FD_SET and in select; an explicit fd_set(2048) holds it', () => {
    const [a, b] = unixPair();
    const high = fcntl(a, F_DUPFD, 1100);
    expect(high).toBeGreaterThanOrEqual(1100);
    const set = new fd_set();
    expect(() => FD_SET(high, set)).toThrow(RangeError);
    expect(() => FD_ISSET(high, set)).toThrow(RangeError);
    expect(() => FD_CLR(FD_SETSIZE, set)).toThrow(RangeError);
    expect(() => select(high + 1, set, null, null, new timeval())).toThrow(RangeError);
    expect(() => select(high + 1, set, null, null, new timeval())).toThrow(/exceeds the 1024 fds readfds holds/);
    const big = new fd_set(2048);
    expect(big.setsize).toBe(2048);
    FD_SET(high, big);
    send(b, new Uint8Array([1]));
    expect(select(high + 1, big, null, null, new timeval(1, 0))).toBe(1);
    expect(FD_ISSET(high, big)).toBe(true);
    closeAll([high, a, b]);
  });

  it('select and FD_*: bad arguments are TypeError/RangeError, never coerced', () => {
    const set = new fd_set();
    expect(() => FD_SET(-1, set)).toThrow(RangeError);
    expect(() => FD_SET(3.5, set)).toThrow(RangeError);
    expect(() => FD_SET('3' as never, set)).toThrow(TypeError);
    expect(() => FD_SET(3, new Uint8Array(128) as never)).toThrow(TypeError);
    expect(() => select(1, {} as never, null, null, null)).toThrow(TypeError);
    expect(() => select(1, null, null, null, new timespec() as never)).toThrow(TypeError);
    expect(() => select(-1, null, null, null, new timeval())).toThrow(RangeError);
    expect(() => select(2 ** 32 + 3, null, null, null, new timeval())).toThrow(RangeError);
    expect(() => new fd_set(0)).toThrow(RangeError);
  });

  it('pselect: a timespec timeout (left unchanged) and a signal mask', () => {
    const [a, b] = unixPair();
    const r = new fd_set();
    FD_SET(a, r);
    const ts = new timespec(0, 30_000_000);
    const t0 = performance.now();
    expect(pselect(a + 1, r, null, null, ts, [constants.signals.SIGUSR1])).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect([ts.tv_sec, ts.tv_nsec]).toEqual([0, 30_000_000]);
    send(b, new Uint8Array([1]));
    FD_SET(a, r);
    expect(pselect(a + 1, r, null, null, null)).toBe(1);
    expect(FD_ISSET(a, r)).toBe(true);
    closeAll([a, b]);
  });

  it('select: a signal during select(NULL timeout) throws EINTR; { restart: true } waits out the timeval', async () => {
    const r = await runChild(`
      let signals = 0;
      process.on('SIGUSR2', () => { signals++; });
      const sv = new Int32Array(2);
      sockfd.socketpair(sockfd.AF_UNIX, sockfd.SOCK_STREAM, 0, sv);
      const set = new sockfd.fd_set();
      sockfd.FD_SET(sv[0], set);
      console.log('waiting');
      try { sockfd.select(sv[0] + 1, set, null, null, null); } catch (e) { console.log('caught', e.code); }
      sockfd.FD_SET(sv[0], set);
      const tv = new sockfd.timeval(0, 500000);
      console.log('waiting2');
      const t0 = Date.now();
      const n = sockfd.select(sv[0] + 1, set, null, null, tv, { restart: true });
      console.log('done', n, Date.now() - t0);
      sockfd.close(sv[0]); sockfd.close(sv[1]);
      setImmediate(() => console.log('handled', signals));
    `, { onLine: signalAfter('waiting', 'SIGUSR2', ['caught', 'done']) });
    expect(r.stdout).toContain('caught EINTR');
    const m = /done (\d+) (\d+)/.exec(r.stdout);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBe(0);
    expect(Number(m![2])).toBeGreaterThanOrEqual(490);
    expect(Number(m![2])).toBeLessThan(1400);
    expect(r.stdout).toMatch(/handled [2-9]/);
  });
});
