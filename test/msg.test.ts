// msg.cc: readv writev sendmsg recvmsg sendmmsg recvmmsg and the CMSG_* macros — man 2
// readv, man 2 sendmsg/recvmsg, man 2 sendmmsg/recvmmsg, man 3 cmsg, man 7 unix. Real
// sockets only: socketpairs, AF_UNIX, UDP and TCP on loopback, and python3 as an
// independent peer for fd passing.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as S from './helpers/lib';
import { requirePeers } from './helpers/tools';

const {
  AF_INET, AF_UNIX, FD_CLOEXEC, F_GETFD, INADDR_LOOPBACK, MSG_CTRUNC, MSG_DONTWAIT, MSG_TRUNC, SCM_CREDENTIALS,
  SCM_RIGHTS, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_PASSCRED, IOV_MAX,
} = S;

function pair(type = SOCK_STREAM): [number, number] {
  const sv = new Int32Array(2);
  S.socketpair(AF_UNIX, type, 0, sv);
  return [sv[0], sv[1]];
}

function openFds(): Set<number> {
  return new Set(readdirSync('/proc/self/fd').map(Number));
}

/** An iovec array over the given buffers. */
function iovOf(...bufs: Uint8Array[]): S.IovecArray {
  const iov = S.iovec.array(bufs.length);
  bufs.forEach((b, i) => (iov[i].iov_base = b));
  return iov;
}

/** A control buffer carrying one SCM_RIGHTS message with `fds`. */
function rightsMsg(msg: S.msghdr, fds: number[]): void {
  const control = new Uint8Array(S.CMSG_SPACE(4 * fds.length));
  msg.msg_control = control;
  const c = S.CMSG_FIRSTHDR(msg)!;
  c.cmsg_level = SOL_SOCKET;
  c.cmsg_type = SCM_RIGHTS;
  c.cmsg_len = S.CMSG_LEN(4 * fds.length);
  const d = S.CMSG_DATA(c);
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  fds.forEach((fd, i) => v.setInt32(i * 4, fd, true));
}

function sendFds(fd: number, fds: number[], data = 'x'): number {
  const msg = new S.msghdr();
  msg.msg_iov = iovOf(Buffer.from(data));
  rightsMsg(msg, fds);
  return S.sendmsg(fd, msg, 0);
}

/** Receives one message; returns its data, the fds of every SCM_RIGHTS message, and the msghdr. */
function recvFds(fd: number, space = S.CMSG_SPACE(4 * 16)): { data: string; fds: number[]; msg: S.msghdr } {
  const buf = Buffer.alloc(64);
  const msg = new S.msghdr();
  msg.msg_iov = iovOf(buf);
  msg.msg_control = new Uint8Array(space);
  const n = S.recvmsg(fd, msg, 0);
  const fds: number[] = [];
  for (let c = S.CMSG_FIRSTHDR(msg); c !== null; c = S.CMSG_NXTHDR(msg, c)) fds.push(...S.scmRights(c));
  return { data: buf.toString('latin1', 0, n), fds, msg };
}

describe('readv / writev', () => {
  it('writev gathers and readv scatters across a socketpair, in order', () => {
    const [a, b] = pair();
    try {
      expect(S.writev(a, iovOf(Buffer.from('hello, '), Buffer.from('iovec'), Buffer.from('!')))).toBe(13);
      const x = Buffer.alloc(5);
      const y = Buffer.alloc(8);
      const iov = iovOf(x, y);
      expect(S.readv(b, iov)).toBe(13);
      expect(x.toString() + y.toString()).toBe('hello, iovec!');
    } finally {
      S.close(a);
      S.close(b);
    }
  });

  it('iov_len limits each buffer, and iovcnt the entries used', () => {
    const [a, b] = pair();
    try {
      const iov = iovOf(Buffer.from('abcdef'), Buffer.from('ZZZ'));
      iov[0].iov_len = 2;
      expect(S.writev(a, iov, 1)).toBe(2);
      const out = Buffer.alloc(8);
      expect(S.read(b, out)).toBe(2);
      expect(out.toString('latin1', 0, 2)).toBe('ab');
    } finally {
      S.close(a);
      S.close(b);
    }
  });

  it('readv/writev work on a pipe file too (not a socket): the plain call', () => {
    const p = join(tmpdir(), `sockfd-msg-${process.pid}-${Date.now()}`);
    const fd = openSync(p, 'w+');
    try {
      expect(S.writev(fd, iovOf(Buffer.from('file '), Buffer.from('data')))).toBe(9);
      expect(readFileSync(p, 'latin1')).toBe('file data');
    } finally {
      closeSync(fd);
      unlinkSync(p);
    }
  });

  it(`1024 iovecs (IOV_MAX) work and 1025 is a RangeError before any syscall`, () => {
    expect(IOV_MAX).toBe(1024);
    const [a, b] = pair();
    try {
      const bufs = Array.from({ length: 1024 }, (_, i) => Buffer.from([i & 0xff]));
      expect(S.writev(a, iovOf(...bufs))).toBe(1024);
      const outs = Array.from({ length: 1024 }, () => Buffer.alloc(1));
      expect(S.readv(b, iovOf(...outs))).toBe(1024);
      expect(outs.every((o, i) => o[0] === (i & 0xff))).toBe(true);
      const big = iovOf(...Array.from({ length: 1025 }, () => Buffer.from('y')));
      expect(() => S.writev(a, big)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: 'writev: iovcnt 1025 is above IOV_MAX (1024)' }));
      expect(() => S.readv(b, big)).toThrow(RangeError);
      expect(() => S.binding.writev(a, new Uint8Array(1025 * 16), [], 1025)).toThrow(RangeError);
      // nothing was sent by the refused calls
      expect(S.tryRecv(b, Buffer.alloc(4), 4, MSG_DONTWAIT)).toBe(-S.EAGAIN);
    } finally {
      S.close(a);
      S.close(b);
    }
  });

  it('bad input is a TypeError/RangeError before any syscall', () => {
    const [a, b] = pair();
    try {
      const iov = iovOf(Buffer.from('abc'));
      expect(() => S.writev(a, 'abc' as never)).toThrow(TypeError);
      expect(() => S.writev(3.5, iov)).toThrow(RangeError);
      expect(() => S.writev(a, iov, 2)).toThrow(/iovcnt 2 exceeds the 1 entries of iov/);
      expect(() => S.writev(a, iov, -1)).toThrow(RangeError);
      // an array with a hole, or a non-iovec entry
      const holey = [iov[0], , iov[0]] as S.iovec[];
      expect(() => S.writev(a, holey)).toThrow(/writev: iov\[1\] must be an iovec, got undefined/);
      expect(() => S.writev(a, [{ iov_base: Buffer.from('x'), iov_len: 1 } as unknown as S.iovec])).toThrow(TypeError);
      expect(() => S.writev(a, iov, 1, 1 as never)).toThrow(expect.objectContaining({ code: 'ERR_TOO_MANY_ARGS' }));
      expect(() => (S.writev as (...x: unknown[]) => number)(a)).toThrow(expect.objectContaining({ code: 'ERR_MISSING_ARGS' }));
      // iov_len past the buffer: refused at assignment, and again by the call if the buffer shrank
      expect(() => (iov[0].iov_len = 4)).toThrow(/iov_len 4 exceeds the 3 bytes of iov_base/);
      const ab = new ArrayBuffer(8);
      const v = S.iovec.array(1);
      v[0].iov_base = new Uint8Array(ab);
      structuredClone(ab, { transfer: [ab] });
      expect(() => S.writev(a, v)).toThrow(TypeError);
      expect(() => (v[0].iov_base = 'str' as never)).toThrow(TypeError);
      // the raw binding checks lengths itself
      const mem = new Uint8Array(16);
      new DataView(mem.buffer).setUint32(8, 100, true);
      expect(() => S.binding.writev(a, mem, [Buffer.alloc(4)], 1)).toThrow(/iov_len 100 exceeds the 4 bytes/);
      expect(() => S.binding.writev(a, mem, [null], 1)).toThrow(RangeError);
      expect(() => S.binding.writev(a, new Uint8Array(8), [Buffer.alloc(4)], 1)).toThrow(RangeError);
      expect(S.tryRecv(b, Buffer.alloc(4), 4, MSG_DONTWAIT)).toBe(-S.EAGAIN);
    } finally {
      S.close(a);
      S.close(b);
    }
  });
});
