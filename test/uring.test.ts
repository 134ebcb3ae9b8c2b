// io_uring (native/uring.cc, native/uring_prep.cc, lib/uring.ts): setup, enter, the ring
// copies JS sees, and each prep helper against real socketpairs and a loopback listener.
// The safety tests check what docs/api.md "## io_uring" promises: JS writes to the ring
// copies never reach the kernel, bad requests are refused before submission or come back
// with the kernel's error, a buffer of a request in flight survives gc() and a transfer,
// and closing the ring detaches its buffers.
import { spawnSync } from 'node:child_process';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  close, connect, EBADF, ECANCELED, ENOENT, ETIME, ErrnoError, IORING_CQE_F_MORE, IORING_ENTER_GETEVENTS,
  IORING_OFF_CQ_RING, IORING_OFF_SQ_RING, IORING_OFF_SQES, IORING_OP_NOP, IORING_OP_RECV, IORING_REGISTER_EVENTFD,
  IORING_REGISTER_PROBE, IORING_SETUP_CQSIZE, IORING_SETUP_SQPOLL, IORING_UNREGISTER_EVENTFD, IO_URING_OP_SUPPORTED,
  eventfd, eventfd_read, F_GETFD, FD_CLOEXEC, fcntl, io_uring_cqe, io_uring_enter, io_uring_get_sqe, io_uring_mmap, io_uring_params,
  io_uring_prep_accept, io_uring_prep_nop, io_uring_prep_poll_add, io_uring_prep_poll_multishot,
  io_uring_prep_poll_remove, io_uring_prep_recv, io_uring_prep_send, io_uring_prep_timeout, io_uring_register,
  io_uring_setup, io_uring_sqe, io_uring_sqe_set_data64, POLLIN, recv, send, sockaddr_in, timespec,
  MSG_ZEROCOPY,
} from '../lib';
import { binding } from '../lib/binding';
import { runChild } from './helpers/child';
import { requirePeers } from './helpers/tools';
import { connectTo, listenLoopback, unixPair } from './helpers/mux-sockets';
import { dec, enc } from './helpers/util';

const opened: number[] = [];
function keep(fd: number): number {
  opened.push(fd);
  return fd;
}
afterEach(() => {
  for (const fd of opened.splice(0).reverse()) {
    try {
      close(fd);
    } catch {
      // closed by the test itself
    }
  }
});

/** A ring and a reader of its CQ copy, as a C program reads the mmapped CQ ring. */
function ring(entries = 8, params = new io_uring_params()) {
  const fd = keep(io_uring_setup(entries, params));
  const cq = io_uring_mmap(fd, IORING_OFF_CQ_RING);
  const u32 = (off: number) => new Uint32Array(cq, off, 1);
  const head = u32(params.cq_off.head);
  const tail = u32(params.cq_off.tail);
  const mask = u32(params.cq_off.ring_mask)[0];
  /** Every CQE in the copy, consumed (head stored past them). */
  const reap = (): Array<{ user_data: bigint; res: number; flags: number }> => {
    const out = [];
    while (head[0] !== tail[0]) {
      const off = params.cq_off.cqes + (head[0] & mask) * 16;
      const c = new io_uring_cqe(new Uint8Array(cq, off, 16));
      out.push({ user_data: c.user_data, res: c.res, flags: c.flags });
      head[0] = head[0] + 1;
    }
    return out;
  };
  const sqe = (): io_uring_sqe => {
    const s = io_uring_get_sqe(fd);
    if (s === null) throw new Error('SQ ring full');
    return s;
  };
  return { fd, params, cq, reap, sqe };
}

describe('io_uring_setup', () => {
  it('io_uring_setup: fills io_uring_params (entries, features, sq_off/cq_off inside the regions)', () => {
    const p = new io_uring_params();
    const fd = keep(io_uring_setup(4, p));
    expect(fd).toBeGreaterThan(2);
    expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    expect(p.sq_entries).toBe(4);
    expect(p.cq_entries).toBe(8);
    expect(p.features).not.toBe(0);
    const sq = io_uring_mmap(fd, IORING_OFF_SQ_RING);
    const sqes = io_uring_mmap(fd, IORING_OFF_SQES);
    expect(sq.byteLength).toBe(p.sq_off.array + 4 * 4);
    expect(sqes.byteLength).toBe(4 * 64);
    expect(new Uint32Array(sq, p.sq_off.ring_entries, 1)[0]).toBe(4);
    expect(io_uring_mmap(fd, IORING_OFF_SQ_RING)).toBe(sq); // the same buffer while alive
  });

  it('io_uring_setup: IORING_SETUP_CQSIZE sets cq_entries; SQPOLL is a RangeError; entries 0 too', () => {
    const p = new io_uring_params();
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = 64;
    keep(io_uring_setup(4, p));
    expect(p.cq_entries).toBe(64);
    const q = new io_uring_params();
    q.flags = IORING_SETUP_SQPOLL;
    expect(() => io_uring_setup(4, q)).toThrow(RangeError);
    expect(() => io_uring_setup(0, new io_uring_params())).toThrow(RangeError);
    expect(() => io_uring_setup(4, {} as io_uring_params)).toThrow(TypeError);
  });

  it('io_uring_enter: an fd that is not a ring from io_uring_setup is a TypeError', () => {
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    expect(() => io_uring_enter(a, 0, 0, 0)).toThrow(TypeError);
    expect(() => io_uring_get_sqe(a)).toThrow(TypeError);
  });
});

describe('io_uring requests', () => {
  it('NOP: round trip with the caller\'s user_data', () => {
    const r = ring();
    const s = r.sqe();
    io_uring_prep_nop(s);
    io_uring_sqe_set_data64(s, 0xdead_beef_cafe_f00dn);
    expect(s.opcode).toBe(IORING_OP_NOP);
    expect(s.user_data).toBe(0xdead_beef_cafe_f00dn);
    expect(io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS)).toBe(1);
    expect(r.reap()).toEqual([{ user_data: 0xdead_beef_cafe_f00dn, res: 0, flags: 0 }]);
  });

  it('POLL_ADD: fires with POLLIN once the socketpair is written', () => {
    const r = ring();
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const s = r.sqe();
    io_uring_prep_poll_add(s, a, POLLIN);
    io_uring_sqe_set_data64(s, 7);
    io_uring_enter(r.fd, 1, 0, 0);
    expect(r.reap()).toEqual([]);
    send(b, enc('x'));
    io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
    const [c] = r.reap();
    expect(c.user_data).toBe(7n);
    expect(c.res & POLLIN).toBe(POLLIN);
  });

  it('RECV/SEND: move bytes both ways; recv lands in the caller\'s buffer at reap', () => {
    const r = ring();
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const out = enc('hello ring');
    const s1 = r.sqe();
    io_uring_prep_send(s1, a, out, out.length, 0);
    io_uring_sqe_set_data64(s1, 1);
    out.fill(0); // send copied at prep time
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()).toEqual([{ user_data: 1n, res: 10, flags: 0 }]);
    const got = new Uint8Array(32);
    expect(dec(got, recv(b, got))).toBe('hello ring');

    const buf = new Uint8Array(16).fill(0xee);
    const s2 = r.sqe();
    io_uring_prep_recv(s2, a, buf.subarray(4), 8, 0);
    io_uring_sqe_set_data64(s2, 2);
    io_uring_enter(r.fd, 1, 0, 0);
    send(b, enc('0123456789'));
    io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
    // (flags may carry IORING_CQE_F_SOCK_NONEMPTY: two bytes are still queued)
    expect(r.reap().map((c) => [c.user_data, c.res])).toEqual([[2n, 8]]);
    expect(dec(buf.subarray(4, 12))).toBe('01234567');
    expect([...buf.subarray(0, 4), ...buf.subarray(12)]).toEqual(new Array(8).fill(0xee)); // nothing outside
  });

  it('POLL_ADD multishot: re-fires with IORING_CQE_F_MORE; poll_remove ends it with ECANCELED', () => {
    const r = ring();
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const s = r.sqe();
    io_uring_prep_poll_multishot(s, a, POLLIN);
    io_uring_sqe_set_data64(s, 5);
    io_uring_enter(r.fd, 1, 0, 0);
    const tmp = new Uint8Array(8);
    for (let i = 0; i < 3; i++) {
      send(b, enc('y'));
      io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
      const cs = r.reap();
      expect(cs.length).toBe(1);
      expect(cs[0].user_data).toBe(5n);
      expect(cs[0].flags & IORING_CQE_F_MORE).toBe(IORING_CQE_F_MORE);
      recv(a, tmp);
    }
    const rm = r.sqe();
    io_uring_prep_poll_remove(rm, 5n);
    io_uring_sqe_set_data64(rm, 6);
    io_uring_enter(r.fd, 1, 2, IORING_ENTER_GETEVENTS);
    const cs = r.reap().sort((x, y) => Number(x.user_data - y.user_data));
    expect(cs.map((c) => [c.user_data, c.res])).toEqual([[5n, -ECANCELED], [6n, 0]]);
    expect(cs[0].flags & IORING_CQE_F_MORE).toBe(0);
    // Nothing left to remove: the kernel's ENOENT.
    const rm2 = r.sqe();
    io_uring_prep_poll_remove(rm2, 5n);
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()[0].res).toBe(-ENOENT);
  });

  it('poll_remove names the poll armed when it is submitted: one that completed meanwhile is ENOENT, never a newer request', () => {
    const r = ring();
    const [a, b] = unixPair();
    const [c, d] = unixPair();
    for (const fd of [a, b, c, d]) keep(fd);
    const p1 = r.sqe();
    io_uring_prep_poll_add(p1, a, POLLIN);
    io_uring_sqe_set_data64(p1, 7);
    io_uring_enter(r.fd, 1, 0, 0);
    const x = r.sqe(); // submitted first, prepared last
    const rm = r.sqe();
    io_uring_prep_poll_remove(rm, 7);
    io_uring_sqe_set_data64(rm, 9);
    send(b, enc('z')); // poll 7 completes, and its request is freed when the CQE is moved
    io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap().map((e) => [e.user_data, e.res & POLLIN])).toEqual([[7n, POLLIN]]);
    io_uring_prep_poll_add(x, c, POLLIN); // a new request (it may reuse poll 7's memory)
    io_uring_sqe_set_data64(x, 8);
    io_uring_enter(r.fd, 2, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap().map((e) => [e.user_data, e.res])).toEqual([[9n, -ENOENT]]);
    send(d, enc('w')); // poll 8 is still armed
    io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap().map((e) => [e.user_data, e.res & POLLIN])).toEqual([[8n, POLLIN]]);
  });

  it('ACCEPT: the new fd and the peer address arrive with the CQE', () => {
    const r = ring();
    const l = listenLoopback();
    keep(l.fd);
    const peer = new sockaddr_in();
    const s = r.sqe();
    io_uring_prep_accept(s, l.fd, peer, null, 0);
    io_uring_enter(r.fd, 1, 0, 0);
    const c = keep(connectTo(l.addr));
    io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
    const [cqe] = r.reap();
    expect(cqe.res).toBeGreaterThan(2);
    keep(cqe.res);
    expect(fcntl(cqe.res, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    expect(peer.toString()).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(peer.addrlen).toBe(16);
    send(c, enc('z'));
    const got = new Uint8Array(1);
    expect(recv(cqe.res, got)).toBe(1);
  });

  it('TIMEOUT: completes with -ETIME', () => {
    const r = ring();
    const s = r.sqe();
    io_uring_prep_timeout(s, new timespec(0, 1_000_000), 0, 0);
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()[0].res).toBe(-ETIME);
  });

  it('io_uring_register: PROBE says RECV is supported; EVENTFD gets a count per CQE; others RangeError', () => {
    const r = ring();
    const probe = new Uint8Array(16 + 8 * 256);
    io_uring_register(r.fd, IORING_REGISTER_PROBE, probe, 256);
    const op = 16 + 8 * IORING_OP_RECV;
    expect(probe[op]).toBe(IORING_OP_RECV);
    expect(new DataView(probe.buffer).getUint16(op + 2, true) & IO_URING_OP_SUPPORTED).toBe(IO_URING_OP_SUPPORTED);
    expect(() => io_uring_register(r.fd, IORING_REGISTER_PROBE, new Uint8Array(16), 256)).toThrow(RangeError);
    const efd = keep(eventfd(0, 0));
    io_uring_register(r.fd, IORING_REGISTER_EVENTFD, new Int32Array([efd]), 1);
    io_uring_prep_nop(r.sqe());
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    const v = new BigUint64Array(1);
    eventfd_read(efd, v);
    expect(v[0]).toBe(1n);
    io_uring_register(r.fd, IORING_UNREGISTER_EVENTFD, null, 0);
    expect(() => io_uring_register(r.fd, 0 /* IORING_REGISTER_BUFFERS */, new Uint8Array(16), 1)).toThrow(RangeError);
  });
});

describe('io_uring memory safety', () => {
  it('JS writes to the SQE and SQ ring copies never reach the kernel (an unknown opcode, a huge tail)', () => {
    const r = ring(4);
    const s = r.sqe();
    io_uring_prep_nop(s);
    io_uring_sqe_set_data64(s, 9);
    s.bytes[0] = 0xff; // opcode 255 in JS's copy
    s.bytes.fill(0xff, 8, 40); // off, addr, len, flags
    const sq = io_uring_mmap(r.fd, IORING_OFF_SQ_RING);
    new Uint32Array(sq, r.params.sq_off.tail, 1)[0] = 1000;
    new Uint32Array(sq, r.params.sq_off.array, 4).fill(3);
    expect(io_uring_enter(r.fd, 4, 1, IORING_ENTER_GETEVENTS)).toBe(1); // only what was prepared
    expect(r.reap()).toEqual([{ user_data: 9n, res: 0, flags: 0 }]);
  });

  it('bad requests: fd -1 and a range past the buffer are refused before submission; a closed fd is -EBADF in res', () => {
    const r = ring();
    const buf = new Uint8Array(8);
    const s = r.sqe();
    expect(() => io_uring_prep_recv(s, -1, buf, 8, 0)).toThrow(RangeError);
    expect(() => io_uring_prep_recv(s, 0, buf, 9, 0)).toThrow(RangeError);
    expect(() => io_uring_prep_send(s, 0, buf.subarray(4), 5, 0)).toThrow(RangeError);
    // MSG_ZEROCOPY would let the kernel read the addon's copy after it is freed: refused
    expect(() => io_uring_prep_send(s, 0, buf, 8, MSG_ZEROCOPY)).toThrow(/MSG_ZEROCOPY is not supported/);
    expect(() => io_uring_prep_nop(new io_uring_sqe())).toThrow(TypeError); // not from get_sqe
    const [a, b] = unixPair();
    close(b);
    close(a); // a's number is now free: a closed fd
    io_uring_prep_recv(s, a, buf, 8, 0);
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()[0].res).toBe(-EBADF);
    expect(buf).toEqual(new Uint8Array(8));
  });

  it('an sqe already submitted cannot be prepared again', () => {
    const r = ring();
    const s = r.sqe();
    io_uring_prep_nop(s);
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(() => io_uring_prep_nop(s)).toThrow(RangeError);
  });

  it('an sqe is its slot: the same object when the slot comes round; set_data64 on a submitted one is a RangeError', () => {
    const r = ring(2);
    const s0 = r.sqe();
    const s1 = r.sqe();
    expect(s0).not.toBe(s1);
    expect(io_uring_get_sqe(r.fd)).toBeNull(); // both slots handed out
    io_uring_prep_nop(s0);
    io_uring_sqe_set_data64(s0, 5);
    io_uring_prep_nop(s1);
    io_uring_sqe_set_data64(s1, 6);
    expect(io_uring_enter(r.fd, 2, 2, IORING_ENTER_GETEVENTS)).toBe(2);
    expect(() => io_uring_sqe_set_data64(s0, 7)).toThrow(RangeError);
    expect(() => io_uring_prep_nop(s0)).toThrow(RangeError);
    const again = r.sqe();
    expect(again).toBe(s0); // slot 0 again: in C, the same pointer
    expect(again.user_data).toBe(0n); // handed out zeroed
    io_uring_prep_nop(again);
    io_uring_sqe_set_data64(again, 2n ** 64n - 1n);
    expect(again.user_data).toBe(2n ** 64n - 1n);
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()).toEqual([
      { user_data: 5n, res: 0, flags: 0 },
      { user_data: 6n, res: 0, flags: 0 },
      { user_data: 2n ** 64n - 1n, res: 0, flags: 0 },
    ]);
  });

  it('a corrupt SQ control block cannot submit a stale SQE: a slot handed out but never prepared runs as a hidden NOP', () => {
    const r = ring(2);
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const buf = new Uint8Array(8);
    // A RECV completes in slot 0: the kernel's SQE there still names its (freed) memory.
    const s = r.sqe();
    io_uring_prep_recv(s, a, buf, 8, 0);
    io_uring_sqe_set_data64(s, 1);
    send(b, enc('first'));
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()).toEqual([{ user_data: 1n, res: 5, flags: expect.any(Number) }]);
    // lib's private control block (u32 [1] local), written as a buggy caller could:
    const ctl = new Uint32Array(binding.io_uring_ctl(r.fd));
    ctl[1] = 0xffff_fff0; // outside the free window: ignored
    expect(io_uring_enter(r.fd, 4, 0, 0)).toBe(0);
    ctl[1] = ctl[1] + 2; // slots 1 and 0 handed out behind lib's back, never prepared
    send(b, enc('second'));
    expect(io_uring_enter(r.fd, 2, 0, IORING_ENTER_GETEVENTS)).toBe(2);
    expect(r.reap()).toEqual([]); // NOPs tagged as the addon's own: no CQE shown, no RECV ran
    const got = new Uint8Array(16);
    expect(dec(got, recv(a, got))).toBe('second'); // the bytes are still queued
  });

  it('RECV into an ArrayBuffer, a DataView, a Buffer slice and a large buffer; SEND above the inline size', () => {
    const r = ring(8);
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const ab = new ArrayBuffer(4);
    const dvBytes = new Uint8Array(12).fill(0xee);
    const dv = new DataView(dvBytes.buffer, 4, 4);
    const pool = Buffer.alloc(16, 0xee);
    const big = new Uint8Array(4096);
    const targets: Array<[ArrayBuffer | ArrayBufferView, number]> = [[ab, 4], [dv, 4], [pool.subarray(6, 10), 4], [big, 4096]];
    for (const [i, [t, n]] of targets.entries()) {
      const s = r.sqe();
      io_uring_prep_recv(s, a, t, n, 0);
      io_uring_sqe_set_data64(s, i);
      io_uring_enter(r.fd, 1, 0, 0);
      const payload = new Uint8Array(n).map((_, k) => (k * 7 + i + 1) & 0xff);
      const ss = r.sqe(); // SEND of n bytes: 4096 is past the addon's inline buffer
      io_uring_prep_send(ss, b, payload, n, 0);
      io_uring_sqe_set_data64(ss, 100 + i);
      io_uring_enter(r.fd, 1, 2, IORING_ENTER_GETEVENTS);
      const cs = r.reap().map((c) => [c.user_data, c.res]);
      expect(cs).toContainEqual([BigInt(i), n]);
      expect(cs).toContainEqual([BigInt(100 + i), n]);
      const view = t instanceof ArrayBuffer ? new Uint8Array(t) : new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
      expect(view).toEqual(payload);
    }
    expect([...dvBytes.subarray(0, 4), ...dvBytes.subarray(8)]).toEqual(new Array(8).fill(0xee));
    expect([...pool.subarray(0, 6), ...pool.subarray(10)]).toEqual(new Array(12).fill(0xee));
  });

  it('closing the ring detaches its buffers and cancels a RECV in flight', () => {
    const p = new io_uring_params();
    const fd = io_uring_setup(4, p);
    const cq = io_uring_mmap(fd, IORING_OFF_CQ_RING);
    const sqes = io_uring_mmap(fd, IORING_OFF_SQES);
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const buf = new Uint8Array(8);
    const s = io_uring_get_sqe(fd)!;
    io_uring_prep_recv(s, a, buf, 8, 0);
    io_uring_enter(fd, 1, 0, 0);
    close(fd);
    expect(cq.byteLength).toBe(0);
    expect(sqes.byteLength).toBe(0);
    expect(() => io_uring_enter(fd, 0, 0, 0)).toThrow();
    send(b, enc('late'));
    const got = new Uint8Array(8);
    expect(dec(got, recv(a, got))).toBe('late'); // the cancelled recv took nothing
    expect(buf).toEqual(new Uint8Array(8));
  });

  it('a buffer whose RECV is in flight survives gc() and a transfer attempt', async () => {
    const r = await runChild(`
      const v8 = require('node:v8'); v8.setFlagsFromString('--expose-gc');
      const gc = require('node:vm').runInNewContext('gc');
      const s = sockfd;
      const p = new s.io_uring_params();
      const fd = s.io_uring_setup(8, p);
      const sv = new Int32Array(2); s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0, sv);
      const cq = s.io_uring_mmap(fd, s.IORING_OFF_CQ_RING);
      const at = (o) => new Uint32Array(cq, o, 1);
      // 1: an unreferenced buffer, then gc
      (() => { const b = new Uint8Array(4096); s.io_uring_prep_recv(s.io_uring_get_sqe(fd), sv[0], b, 4096, 0); })();
      s.io_uring_enter(fd, 1, 0, 0);
      for (let i = 0; i < 5; i++) gc();
      s.send(sv[1], Buffer.from('after gc'));
      s.io_uring_enter(fd, 0, 1, s.IORING_ENTER_GETEVENTS);
      const c1 = new s.io_uring_cqe(new Uint8Array(cq, p.cq_off.cqes, 16));
      console.log('gc', c1.res);
      at(p.cq_off.head)[0]++;
      // 2: a buffer transferred away while its recv is in flight
      const b2 = new Uint8Array(64);
      s.io_uring_prep_recv(s.io_uring_get_sqe(fd), sv[0], b2, 64, 0);
      s.io_uring_enter(fd, 1, 0, 0);
      let moved = null;
      try { moved = structuredClone(b2.buffer, { transfer: [b2.buffer] }); } catch (e) { console.log('refused', e.name); }
      for (let i = 0; i < 5; i++) gc();
      s.send(sv[1], Buffer.from('after transfer'));
      s.io_uring_enter(fd, 0, 1, s.IORING_ENTER_GETEVENTS);
      const c2 = new s.io_uring_cqe(new Uint8Array(cq, p.cq_off.cqes + 16, 16));
      console.log('transfer', c2.res, b2.byteLength, moved === null ? 'kept' : new Uint8Array(moved)[0]);
      s.close(fd); s.close(sv[0]); s.close(sv[1]);
      for (let i = 0; i < 5; i++) gc();
      console.log('done');
    `, { timeoutMs: 60_000 }); // a sanitizer build (npm run test:asan) starts slowly
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('gc 8');
    // Either the transfer was refused and the bytes landed, or the buffer moved and its bytes
    // were dropped: nothing was written into the moved memory (Node-API cannot pin a buffer
    // against a transfer, and cannot follow it; docs/api.md says so).
    expect(lines[1]).toMatch(/^transfer 14 (64 kept|0 0)$/);
    expect(lines.at(-1)).toBe('done');
  }, 90_000);

  it('a process (and a worker) exiting with a ring open and a RECV in flight exits cleanly', async () => {
    const r = await runChild(`
      const { Worker } = require('node:worker_threads');
      const code = (lib) => \`
        const s = require(\${JSON.stringify(lib)});
        const fd = s.io_uring_setup(4, new s.io_uring_params());
        s.io_uring_mmap(fd, s.IORING_OFF_CQ_RING);
        const sv = new Int32Array(2); s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0, sv);
        s.io_uring_prep_recv(s.io_uring_get_sqe(fd), sv[0], new Uint8Array(8), 8, 0);
        s.io_uring_enter(fd, 1, 0, 0);\`;
      const lib = require.resolve(${JSON.stringify(join(__dirname, '..', 'lib'))});
      eval(code(lib));
      const w = new Worker(code(lib), { eval: true, execArgv: ['-r', ${JSON.stringify(join(__dirname, '..', 'scripts', 'ts-register.cjs'))}] });
      w.on('exit', (c) => console.log('worker', c));
    `, { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('worker 0');
    expect(r.code).toBe(0);
  }, 90_000);

  // Another holder of the ring fd can post a CQE with any user_data (IORING_OP_MSG_RING, Linux
  // 5.18). The peer is a python3 child with a ring of its own, written from the kernel ABI with
  // ctypes and mmap, that posts res 7 with user_data 0x4141414141414141 into fd 3 (our ring).
  const MSG_RING_PEER = `
import ctypes, mmap, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
p = ctypes.create_string_buffer(120)                      # struct io_uring_params
fd = libc.syscall(425, 4, p)                              # io_uring_setup
if fd < 0: sys.exit('io_uring_setup: errno %d' % ctypes.get_errno())
entries, = struct.unpack_from('I', p, 0)
tail_off, array_off = struct.unpack_from('I', p, 44)[0], struct.unpack_from('I', p, 64)[0]
sq = mmap.mmap(fd, array_off + entries * 4, offset=0)     # IORING_OFF_SQ_RING
sqes = mmap.mmap(fd, entries * 64, offset=0x10000000)     # IORING_OFF_SQES
sqe = bytearray(64)
struct.pack_into('BBHi', sqe, 0, 40, 0, 0, 3)             # IORING_OP_MSG_RING to fd 3
struct.pack_into('QQI', sqe, 8, 0x4141414141414141, 0, 7) # off = user_data, addr = IORING_MSG_DATA, len = res
sqes[0:64] = bytes(sqe)
struct.pack_into('I', sq, array_off, 0)
struct.pack_into('I', sq, tail_off, 1)
rc = libc.syscall(426, fd, 1, 1, 1, 0, 0)                 # io_uring_enter(fd, 1, 1, GETEVENTS)
sys.exit(0 if rc == 1 else 'io_uring_enter: %d errno %d' % (rc, ctypes.get_errno()))
`;

  it('a CQE posted from outside (IORING_OP_MSG_RING, made-up user_data) is skipped, never taken for a request', (ctx) => {
    requirePeers(ctx, 'python3');
    const r = ring(4);
    const buf = new Uint8Array(4);
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const s = r.sqe();
    io_uring_prep_recv(s, a, buf, 4, 0); // a live request, so the ring's list is not empty
    io_uring_sqe_set_data64(s, 5);
    expect(io_uring_enter(r.fd, 1, 0, 0)).toBe(1);
    const peer = spawnSync('python3', ['-c', MSG_RING_PEER], { stdio: ['ignore', 'pipe', 'pipe', r.fd], encoding: 'utf8' });
    expect(peer.stderr).toBe('');
    expect(peer.status).toBe(0);
    // Reaping the foreign CQE: before the fix the addon took 0x4141414141414141 for a request
    // and the process died (SIGSEGV; ASan: misaligned member access in Deliver).
    expect(io_uring_enter(r.fd, 0, 0, IORING_ENTER_GETEVENTS)).toBe(0);
    expect(r.reap()).toEqual([]);
    // the ring still works: the RECV completes with its own user_data and bytes
    send(b, enc('ping'), 4, 0);
    io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()).toEqual([{ user_data: 5n, res: 4, flags: 0 }]);
    expect(dec(buf)).toBe('ping');
  });

  it('a ring fd closed behind sockfd\'s back: a new ring under the same number is the one the number names', () => {
    const fd = io_uring_setup(4, new io_uring_params());
    const [a, b] = unixPair();
    keep(a);
    keep(b);
    const buf = new Uint8Array(8);
    io_uring_prep_recv(io_uring_get_sqe(fd)!, a, buf, 8, 0); // stays in flight in the orphan
    io_uring_enter(fd, 1, 0, 0);
    closeSync(fd); // not through sockfd: the orphan's memory must stay allocated
    const r = ring(4); // the lowest free number: the same one
    expect(r.fd).toBe(fd);
    io_uring_prep_nop(r.sqe());
    io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS);
    expect(r.reap()).toEqual([{ user_data: 0n, res: 0, flags: 0 }]);
    send(b, enc('to orphan'));
    expect(buf).toEqual(new Uint8Array(8)); // its CQE is never moved: the bytes stay in addon memory
  });

  it('ErrnoError: io_uring_enter on a closed ring names EBADF-like failure as TypeError (not a ring)', () => {
    const fd = io_uring_setup(2, new io_uring_params());
    close(fd);
    expect(() => io_uring_enter(fd, 0, 0, 0)).toThrow(TypeError);
    expect(ErrnoError).toBeDefined();
  });
});

