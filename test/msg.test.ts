// msg.cc: readv writev sendmsg recvmsg sendmmsg recvmmsg and the CMSG_* macros — man 2
// readv, man 2 sendmsg/recvmsg, man 2 sendmmsg/recvmmsg, man 3 cmsg, man 7 unix. Real
// sockets only: socketpairs, AF_UNIX, UDP and TCP on loopback, and python3 as an
// independent peer for fd passing.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
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

/** The open fds, without the one readdirSync used to list them (closed by the time fstat runs). */
function openFds(): Set<number> {
  return new Set(readdirSync('/proc/self/fd').map(Number).filter((fd) => {
    try {
      fstatSync(fd);
      return true;
    } catch {
      return false;
    }
  }));
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
      // a revoked Proxy is a coded TypeError everywhere a buffer or an array is expected
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      expect(() => (v[0].iov_base = proxy as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      expect(() => S.writev(a, proxy as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      expect(() => new S.msghdr().msg_control = proxy as never).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      expect(() => new S.ucred(undefined, undefined, undefined, proxy as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
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

describe('sendmsg / recvmsg', () => {
  it('CMSG_SPACE and CMSG_LEN are the C macros (24 and 20 for 4 bytes on x86-64)', () => {
    if (process.arch === 'x64') {
      expect(S.CMSG_SPACE(4)).toBe(24);
      expect(S.CMSG_LEN(4)).toBe(20);
    }
    expect(S.CMSG_LEN(0)).toBe(S.binding.layout.cmsghdr.size);
    expect(S.CMSG_SPACE(12) % S.binding.layout.cmsghdr.align).toBe(0);
    expect(() => S.CMSG_SPACE(-1)).toThrow(RangeError);
    expect(() => S.CMSG_LEN('4' as never)).toThrow(TypeError);
    expect(() => (S.CMSG_LEN as (...a: unknown[]) => number)(4, 4)).toThrow(expect.objectContaining({ code: 'ERR_TOO_MANY_ARGS' }));
  });

  it('recvmsg fills msg_name and msg_namelen with a UDP sender, and reports MSG_TRUNC', () => {
    const rx = S.socket(AF_INET, SOCK_DGRAM, 0);
    const tx = S.socket(AF_INET, SOCK_DGRAM, 0);
    try {
      const addr = new S.sockaddr_in();
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = S.htonl(INADDR_LOOPBACK);
      S.bind(rx, addr);
      S.getsockname(rx, addr);
      S.bind(tx, (() => { const a = new S.sockaddr_in(); a.sin_family = AF_INET; a.sin_addr.s_addr = S.htonl(INADDR_LOOPBACK); return a; })());
      const me = new S.sockaddr_in();
      S.getsockname(tx, me);
      // sendmsg with msg_name: an unconnected datagram socket
      const out = new S.msghdr();
      out.msg_name = addr;
      out.msg_iov = iovOf(Buffer.from('0123456789'));
      expect(S.sendmsg(tx, out)).toBe(10);
      const msg = new S.msghdr();
      const from = new S.sockaddr_in();
      msg.msg_name = from;
      const small = Buffer.alloc(4);
      msg.msg_iov = iovOf(small);
      expect(S.recvmsg(rx, msg, 0)).toBe(4);
      expect(small.toString()).toBe('0123');
      expect(msg.msg_flags & MSG_TRUNC).toBe(MSG_TRUNC);
      expect(msg.msg_namelen).toBe(S.binding.layout.sockaddr_in.size);
      expect(from.sin_port).toBe(me.sin_port);
      expect(from.sin_addr.s_addr).toBe(S.htonl(INADDR_LOOPBACK));
      expect(msg.msg_controllen).toBe(0);
    } finally {
      S.close(rx);
      S.close(tx);
    }
  });

  it('IP_PKTINFO and SO_TIMESTAMPNS arrive as in_pktinfo and timespec over CMSG_DATA; IPV6_PKTINFO as in6_pktinfo', () => {
    const rx = S.socket(AF_INET, SOCK_DGRAM, 0);
    try {
      const addr = new S.sockaddr_in();
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = S.htonl(INADDR_LOOPBACK);
      S.bind(rx, addr);
      S.getsockname(rx, addr);
      S.setsockopt(rx, S.IPPROTO_IP, S.IP_PKTINFO, 1);
      S.setsockopt(rx, SOL_SOCKET, S.SO_TIMESTAMPNS, 1);
      S.sendto(rx, Buffer.from('p'), 1, 0, addr);
      const msg = new S.msghdr();
      msg.msg_iov = iovOf(Buffer.alloc(4));
      msg.msg_control = new Uint8Array(S.CMSG_SPACE(S.binding.layout.in_pktinfo.size) + S.CMSG_SPACE(S.binding.layout.timespec.size));
      expect(S.recvmsg(rx, msg)).toBe(1);
      const seen: string[] = [];
      for (let c = S.CMSG_FIRSTHDR(msg); c !== null; c = S.CMSG_NXTHDR(msg, c)) {
        if (c.cmsg_level === S.IPPROTO_IP && c.cmsg_type === S.IP_PKTINFO) {
          const pi = new S.in_pktinfo(S.CMSG_DATA(c));
          expect(pi.ipi_addr.s_addr).toBe(S.htonl(INADDR_LOOPBACK));
          expect(pi.ipi_ifindex).toBeGreaterThan(0);
          seen.push('pktinfo');
        } else if (c.cmsg_level === SOL_SOCKET && c.cmsg_type === S.SCM_TIMESTAMPNS) {
          const ts = new S.timespec(0, 0, S.CMSG_DATA(c));
          expect(Math.abs(ts.tv_sec - Date.now() / 1000)).toBeLessThan(60);
          expect(ts.tv_nsec).toBeGreaterThanOrEqual(0);
          expect(ts.tv_nsec).toBeLessThan(1e9);
          seen.push('timestamp');
        }
      }
      expect(seen.sort()).toEqual(['pktinfo', 'timestamp']);
      expect(msg.msg_flags & MSG_CTRUNC).toBe(0);
    } finally {
      S.close(rx);
    }
    const rx6 = S.socket(S.AF_INET6, SOCK_DGRAM, 0);
    try {
      const a6 = new S.sockaddr_in6();
      a6.sin6_family = S.AF_INET6;
      S.inet_pton(S.AF_INET6, '::1', a6.sin6_addr.s6_addr);
      S.bind(rx6, a6);
      S.getsockname(rx6, a6);
      S.setsockopt(rx6, S.IPPROTO_IPV6, S.IPV6_RECVPKTINFO, 1);
      S.sendto(rx6, Buffer.from('q'), 1, 0, a6);
      const msg = new S.msghdr();
      msg.msg_iov = iovOf(Buffer.alloc(4));
      msg.msg_control = new Uint8Array(S.CMSG_SPACE(S.binding.layout.in6_pktinfo.size));
      expect(S.recvmsg(rx6, msg)).toBe(1);
      const c = S.CMSG_FIRSTHDR(msg)!;
      expect([c.cmsg_level, c.cmsg_type]).toEqual([S.IPPROTO_IPV6, S.IPV6_PKTINFO]);
      const pi = new S.in6_pktinfo(S.CMSG_DATA(c));
      expect(S.inet_ntop(S.AF_INET6, pi.ipi6_addr.s6_addr)).toBe('::1');
      expect(pi.ipi6_ifindex).toBeGreaterThan(0);
    } finally {
      S.close(rx6);
    }
  });

  it('SO_PASSCRED: SCM_CREDENTIALS gives this process pid, uid and gid as a ucred', () => {
    const [a, b] = pair(SOCK_DGRAM);
    try {
      S.setsockopt(b, SOL_SOCKET, SO_PASSCRED, 1);
      S.send(a, Buffer.from('c'));
      const msg = new S.msghdr();
      msg.msg_iov = iovOf(Buffer.alloc(4));
      msg.msg_control = new Uint8Array(S.CMSG_SPACE(S.binding.layout.ucred.size));
      expect(S.recvmsg(b, msg)).toBe(1);
      const c = S.CMSG_FIRSTHDR(msg)!;
      expect([c.cmsg_level, c.cmsg_type, c.cmsg_len]).toEqual([SOL_SOCKET, SCM_CREDENTIALS, S.CMSG_LEN(S.binding.layout.ucred.size)]);
      const cred = new S.ucred(undefined, undefined, undefined, S.CMSG_DATA(c));
      expect([cred.pid, cred.uid, cred.gid]).toEqual([process.pid, process.getuid!(), process.getgid!()]);
      expect(S.CMSG_NXTHDR(msg, c)).toBeNull();
    } finally {
      S.close(a);
      S.close(b);
    }
  });
});

describe('SCM_RIGHTS', () => {
  it('an fd passed over a socketpair is a new fd for the same file, close-on-exec', () => {
    const [a, b] = pair();
    const [x, y] = pair();
    try {
      expect(sendFds(a, [x])).toBe(1);
      const { data, fds, msg } = recvFds(b);
      expect(data).toBe('x');
      expect(fds).toHaveLength(1);
      expect(msg.msg_flags & MSG_CTRUNC).toBe(0);
      expect(msg.msg_controllen).toBe(S.CMSG_SPACE(4));
      expect(fds[0]).not.toBe(x);
      expect(S.fcntl(fds[0], F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      S.send(fds[0], Buffer.from('through'));
      const buf = Buffer.alloc(16);
      expect(buf.toString('latin1', 0, S.recv(y, buf))).toBe('through');
      S.close(fds[0]);
    } finally {
      for (const fd of [a, b, x, y]) S.close(fd);
    }
  });

  it('a control buffer too small for every fd: MSG_CTRUNC, and every fd the kernel installed is in the buffer (none leaked)', () => {
    const [a, b] = pair();
    const [x, y] = pair();
    try {
      for (const [space, want] of [[S.CMSG_SPACE(4), 2], [S.CMSG_LEN(0), 0], [8, 0]] as const) {
        sendFds(a, [x, y, x]);
        const before = openFds();
        const { fds, msg } = recvFds(b, space);
        const added = [...openFds()].filter((fd) => !before.has(fd)).sort((p, q) => p - q);
        expect(msg.msg_flags & MSG_CTRUNC, `space ${space}`).toBe(MSG_CTRUNC);
        expect(fds.length, `space ${space}`).toBe(want);
        expect(added).toEqual([...fds].sort((p, q) => p - q));
        for (const fd of fds) {
          expect(S.fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
          S.close(fd);
        }
        expect(openFds()).toEqual(before);
      }
    } finally {
      for (const fd of [a, b, x, y]) S.close(fd);
    }
  });

  it('garbage cmsg data never yields a bogus fd: bounds-checked CMSG_NXTHDR, whole ints only', () => {
    // Built by hand, as a hostile or buggy peer's bytes would arrive.
    const msg = new S.msghdr();
    const control = new Uint8Array(64);
    msg.msg_control = control;
    const dv = new DataView(control.buffer);
    const H = S.CMSG_LEN(0);
    // 1: SCM_RIGHTS with 6 data bytes: one whole int (7) and half of another
    dv.setUint32(0, S.CMSG_LEN(6), true);
    dv.setInt32(8, SOL_SOCKET, true);
    dv.setInt32(12, SCM_RIGHTS, true);
    dv.setInt32(H, 7, true);
    dv.setInt16(H + 4, 0x1234, true);
    let c = S.CMSG_FIRSTHDR(msg)!;
    expect(S.scmRights(c)).toEqual([7]);
    expect(S.CMSG_DATA(c).byteLength).toBe(6);
    // 2: the next header claims a length past the control data: the walk ends
    const next = S.CMSG_SPACE(6);
    dv.setUint32(next, 1e6, true);
    expect(S.CMSG_NXTHDR(msg, c)).toBeNull();
    // a length below a header ends the walk too, and CMSG_DATA of it is empty
    dv.setUint32(0, 3, true);
    c = S.CMSG_FIRSTHDR(msg)!;
    expect(S.CMSG_NXTHDR(msg, c)).toBeNull();
    expect(S.CMSG_DATA(c).byteLength).toBe(0);
    expect(S.scmRights(c)).toEqual([]);
    // a huge cmsg_len: CMSG_DATA stops at the end of the control data
    dv.setUint32(0, 1e6, true);
    expect(S.CMSG_DATA(S.CMSG_FIRSTHDR(msg)!).byteLength).toBe(64 - H);
    // msg_controllen shorter than a header: no first header at all
    msg.msg_controllen = H - 1;
    expect(S.CMSG_FIRSTHDR(msg)).toBeNull();
    // a header from another buffer is not inside this msghdr's control data
    msg.msg_controllen = 64;
    expect(() => S.CMSG_NXTHDR(msg, new S.cmsghdr())).toThrow(RangeError);
    expect(() => S.CMSG_NXTHDR(msg, {} as S.cmsghdr)).toThrow(TypeError);
    expect(() => S.CMSG_DATA(null as never)).toThrow(TypeError);
    expect(() => S.CMSG_FIRSTHDR({} as S.msghdr)).toThrow(TypeError);
  });

  it('the kernel takes only the whole ints of a partial SCM_RIGHTS, and refuses a cmsg_len past the control data', () => {
    const [a, b] = pair();
    const [x, y] = pair();
    try {
      const msg = new S.msghdr();
      msg.msg_iov = iovOf(Buffer.from('p'));
      rightsMsg(msg, [x, y]);
      const c = S.CMSG_FIRSTHDR(msg)!;
      c.cmsg_len = S.CMSG_LEN(6); // 1.5 ints
      expect(S.sendmsg(a, msg)).toBe(1);
      const before = openFds();
      const got = recvFds(b);
      expect(got.fds).toHaveLength(1);
      expect([...openFds()].filter((fd) => !before.has(fd))).toEqual(got.fds);
      S.close(got.fds[0]);
      c.cmsg_len = 1000;
      expect(() => S.sendmsg(a, msg)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'sendmsg' }));
    } finally {
      for (const fd of [a, b, x, y]) S.close(fd);
    }
  });

  it('between two sockfd processes: 3 fds (a socket, a pipe, a file) each way, each used, each close-on-exec', (ctx) => {
    const dir = tmpdir();
    const fifo = join(dir, `sockfd-msg-fifo-${process.pid}-${Date.now()}`);
    const file = join(dir, `sockfd-msg-file-${process.pid}-${Date.now()}`);
    if (spawnSync('mkfifo', [fifo]).status !== 0) ctx.skip('mkfifo failed');
    const [a, b] = pair();
    const [x, y] = pair();
    const pipeFd = openSync(fifo, 'r+'); // a FIFO opened read-write: one pipe, both ends
    const fileFd = openSync(file, 'w+');
    const got: number[] = [];
    try {
      expect(sendFds(a, [y, pipeFd, fileFd], 'f')).toBe(1);
      // node --import tsx runs the TypeScript child in this very process (the tsx CLI would
      // put a second process between, which does not hand fd 3 on).
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'msg-child.ts')], {
        stdio: ['ignore', 'pipe', 'pipe', b],
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout);
      expect(report).toEqual({ n: 1, flags: 0, count: 3, cloexec: [true, true, true] });
      // the child used each fd
      const buf = Buffer.alloc(16);
      expect(buf.toString('latin1', 0, S.recv(x, buf))).toBe('sock');
      expect(buf.toString('latin1', 0, S.read(pipeFd, buf))).toBe('pipe');
      expect(readFileSync(file, 'latin1')).toBe('file');
      // and sent 3 back
      const back = recvFds(a, S.CMSG_SPACE(12));
      expect(back.data).toBe('r');
      got.push(...back.fds);
      expect(got).toHaveLength(3);
      for (const fd of got) expect(S.fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      expect(buf.toString('latin1', 0, S.recv(got[0], buf))).toBe('back');
      S.write(got[1], Buffer.from('again'));
      expect(buf.toString('latin1', 0, S.read(pipeFd, buf))).toBe('again');
      S.write(got[2], Buffer.from('!'));
      expect(readFileSync(file, 'latin1')).toBe('file!');
    } finally {
      for (const fd of got) S.close(fd);
      for (const fd of [a, b, x, y]) S.close(fd);
      closeSync(pipeFd);
      closeSync(fileFd);
      unlinkSync(fifo);
      unlinkSync(file);
    }
  }, 30_000);

  it('with python3 both ways: socket.recv_fds gets ours, socket.send_fds reaches us, CMSG_SPACE agrees', (ctx) => {
    requirePeers(ctx, 'python3');
    const [a, b] = pair();
    const [x, y] = pair();
    const got: number[] = [];
    try {
      expect(sendFds(a, [y], 'n')).toBe(1);
      const py = [
        'import os, socket, sys',
        's = socket.socket(fileno=3)',
        'msg, fds, flags, addr = socket.recv_fds(s, 16, 4)',
        "os.write(fds[0], b'from python')",
        'r, w = os.pipe()',
        "socket.send_fds(s, [b'P'], [r])",
        "os.write(w, b'python pipe')",
        'print(socket.CMSG_SPACE(4), socket.CMSG_LEN(4), socket.CMSG_SPACE(12), len(fds), msg.decode(), flags)',
      ].join('\n');
      const r = spawnSync('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'pipe', b], encoding: 'utf8', timeout: 15_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`${S.CMSG_SPACE(4)} ${S.CMSG_LEN(4)} ${S.CMSG_SPACE(12)} 1 n 0`);
      const buf = Buffer.alloc(32);
      expect(buf.toString('latin1', 0, S.recv(x, buf))).toBe('from python');
      const back = recvFds(a);
      expect(back.data).toBe('P');
      got.push(...back.fds);
      expect(got).toHaveLength(1);
      expect(S.fcntl(got[0], F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      expect(buf.toString('latin1', 0, S.read(got[0], buf))).toBe('python pipe');
    } finally {
      for (const fd of got) S.close(fd);
      for (const fd of [a, b, x, y]) S.close(fd);
    }
  });
});

function loopbackUdp(): [number, S.sockaddr_in] {
  const fd = S.socket(AF_INET, SOCK_DGRAM, 0);
  const a = new S.sockaddr_in();
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = S.htonl(INADDR_LOOPBACK);
  S.bind(fd, a);
  S.getsockname(fd, a);
  return [fd, a];
}

describe('sendmmsg / recvmmsg', () => {
  it('recvmmsg receives 64 datagrams with their sender addresses in one call', () => {
    const [rx] = loopbackUdp();
    const [tx, txAddr] = loopbackUdp();
    const rxAddr = new S.sockaddr_in();
    S.getsockname(rx, rxAddr);
    try {
      // 64 datagrams sent with one sendmmsg
      const out = S.mmsghdr.array(64);
      out.forEach((m, i) => {
        m.msg_hdr.msg_name = rxAddr;
        m.msg_hdr.msg_iov = iovOf(Buffer.from(`dgram ${i}`));
      });
      expect(S.sendmmsg(tx, out, 64, 0)).toBe(64);
      expect(out.map((m) => m.msg_len)).toEqual(out.map((_, i) => `dgram ${i}`.length));
      const vec = S.mmsghdr.array(64);
      const bufs = vec.map(() => Buffer.alloc(16));
      const froms = vec.map(() => new S.sockaddr_in());
      vec.forEach((m, i) => {
        m.msg_hdr.msg_name = froms[i];
        m.msg_hdr.msg_iov = iovOf(bufs[i]);
      });
      expect(S.recvmmsg(rx, vec, 64, 0, new S.timespec(5, 0))).toBe(64);
      for (let i = 0; i < 64; i++) {
        expect(bufs[i].toString('latin1', 0, vec[i].msg_len)).toBe(`dgram ${i}`);
        expect(froms[i].sin_port).toBe(txAddr.sin_port);
        expect(vec[i].msg_hdr.msg_namelen).toBe(S.binding.layout.sockaddr_in.size);
        expect(vec[i].msg_hdr.msg_flags).toBe(0);
      }
      // nothing left: MSG_DONTWAIT reports EAGAIN
      expect(() => S.recvmmsg(rx, vec, 64, MSG_DONTWAIT)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'recvmmsg' }));
    } finally {
      S.close(rx);
      S.close(tx);
    }
  });

  it('MSG_WAITFORONE returns what is queued', () => {
    const [rx, rxAddr] = loopbackUdp();
    try {
      for (let i = 0; i < 3; i++) S.sendto(rx, Buffer.from([i]), 1, 0, rxAddr);
      const vec = S.mmsghdr.array(8);
      vec.forEach((m) => (m.msg_hdr.msg_iov = iovOf(Buffer.alloc(4))));
      expect(S.recvmmsg(rx, vec, 8, S.MSG_WAITFORONE)).toBe(3);
      expect(vec.slice(0, 3).map((m) => m.msg_len)).toEqual([1, 1, 1]);
      expect(vec[3].msg_len).toBe(0);
    } finally {
      S.close(rx);
    }
  });

  it('sendmmsg reports a partial batch exactly: an error on the k-th message', () => {
    const [rx, rxAddr] = loopbackUdp();
    const tx = S.socket(AF_INET, SOCK_DGRAM, 0);
    try {
      const vec = S.mmsghdr.array(4);
      vec.forEach((m, i) => {
        m.msg_hdr.msg_name = rxAddr;
        m.msg_hdr.msg_iov = iovOf(Buffer.from(`m${i}`));
      });
      const bad = new S.sockaddr_in6(); // an IPv6 address on an IPv4 socket
      bad.sin6_family = S.AF_INET6;
      vec[2].msg_hdr.msg_name = bad;
      expect(S.sendmmsg(tx, vec, 4, 0)).toBe(2);
      expect([vec[0].msg_len, vec[1].msg_len, vec[2].msg_len]).toEqual([2, 2, 0]);
      // the failing message alone: the error itself
      expect(() => S.sendmmsg(tx, vec.slice(2), 2, 0)).toThrow(expect.objectContaining({ syscall: 'sendmmsg' }));
      const buf = Buffer.alloc(8);
      expect(buf.toString('latin1', 0, S.recv(rx, buf, 8, MSG_DONTWAIT))).toBe('m0');
      expect(buf.toString('latin1', 0, S.recv(rx, buf, 8, MSG_DONTWAIT))).toBe('m1');
      expect(S.tryRecv(rx, buf, 8, MSG_DONTWAIT)).toBe(-S.EAGAIN);
    } finally {
      S.close(rx);
      S.close(tx);
    }
  });

  it('sendmmsg reports a partial batch exactly: a non-blocking socket whose peer queue fills', () => {
    const [a, b] = pair(SOCK_DGRAM | SOCK_NONBLOCK);
    try {
      const vec = S.mmsghdr.array(1024);
      const payload = Buffer.alloc(1000, 0x61);
      vec.forEach((m) => (m.msg_hdr.msg_iov = iovOf(payload)));
      const sent = S.sendmmsg(a, vec, 1024, 0);
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(1024);
      expect(vec[sent - 1].msg_len).toBe(1000);
      expect(vec[sent].msg_len).toBe(0);
      let got = 0;
      const buf = Buffer.alloc(1000);
      while (S.tryRecv(b, buf, 1000, MSG_DONTWAIT) === 1000 && got < 2048) got++;
      expect(got).toBe(sent);
    } finally {
      S.close(a);
      S.close(b);
    }
  });
});

describe('bad input to the msg calls: TypeError/RangeError before any syscall', () => {
  it('sendmsg/recvmsg/sendmmsg/recvmmsg reject wrong types, holes and lengths past their buffers', () => {
    const [a, b] = pair(SOCK_DGRAM);
    try {
      const ok = new S.msghdr();
      ok.msg_iov = iovOf(Buffer.from('z'));
      expect(() => S.sendmsg(a, {} as S.msghdr)).toThrow(/sendmsg: msg must be a msghdr, got object/);
      expect(() => S.sendmsg(a, ok, '0' as never)).toThrow(TypeError);
      expect(() => S.sendmsg(-1, ok)).toThrow(RangeError);
      expect(() => (S.sendmsg as (...x: unknown[]) => number)(a, ok, 0, 0)).toThrow(expect.objectContaining({ code: 'ERR_TOO_MANY_ARGS' }));
      expect(() => (ok.msg_iov = 'x' as never)).toThrow(TypeError);
      expect(() => (ok.msg_namelen = 1)).toThrow(/msg_namelen 1 exceeds the 0 bytes of msg_name/);
      expect(() => (ok.msg_controllen = 1)).toThrow(RangeError);
      expect(() => (ok.msg_control = new Uint16Array(4) as never)).toThrow(TypeError);
      expect(() => (ok.msg_iovlen = 1025)).toThrow(RangeError);
      // msg_iovlen past msg_iov, and an iov with a hole
      const m = new S.msghdr();
      m.msg_iov = iovOf(Buffer.from('z'));
      m.msg_iovlen = 2;
      expect(() => S.sendmsg(a, m)).toThrow(/sendmsg: msg.msg_iovlen 2 exceeds the 1 entries of msg_iov/);
      const v = S.iovec.array(2);
      v[0].iov_base = Buffer.from('z');
      m.msg_iov = [v[0], , v[1]] as S.iovec[];
      expect(() => S.sendmsg(a, m)).toThrow(/sendmsg: msg.msg_iov\[1\] must be an iovec, got undefined/);
      // a control buffer shorter than a header has no first header; a detached one is a TypeError
      const c = new S.msghdr();
      c.msg_control = new Uint8Array(S.CMSG_LEN(0) - 1);
      expect(S.CMSG_FIRSTHDR(c)).toBeNull();
      const ab = new ArrayBuffer(32);
      c.msg_control = new Uint8Array(ab);
      structuredClone(ab, { transfer: [ab] });
      expect(() => S.recvmsg(b, c)).toThrow(TypeError);
      // mmsg: wrong types, holes, vlen past the array
      expect(() => S.sendmmsg(a, [new S.msghdr() as never], 1, 0)).toThrow(/sendmmsg: msgvec\[0\] must be an mmsghdr/);
      const vec = S.mmsghdr.array(2);
      expect(() => S.sendmmsg(a, vec, 3, 0)).toThrow(/vlen 3 exceeds the 2 entries of msgvec/);
      expect(() => S.recvmmsg(b, [vec[0], , vec[1]] as S.mmsghdr[], 3, 0)).toThrow(/recvmmsg: msgvec\[1\] must be an mmsghdr, got undefined/);
      expect(() => S.recvmmsg(b, vec, 2, 0, new S.timeval() as never)).toThrow(/timeout must be a timespec or null/);
      expect(() => S.recvmmsg(b, 'x' as never, 1, 0)).toThrow(TypeError);
      // nothing reached the peer
      expect(S.tryRecv(b, Buffer.alloc(4), 4, MSG_DONTWAIT)).toBe(-S.EAGAIN);
    } finally {
      S.close(a);
      S.close(b);
    }
  });

  it('the addon checks the packed form itself: lengths past buffers are RangeErrors, never a kernel write outside them', () => {
    const [a, b] = pair(SOCK_DGRAM);
    try {
      S.send(a, Buffer.from('0123456789'));
      const nums = new Uint32Array(5);
      const iovmem = new Uint8Array(16);
      new DataView(iovmem.buffer).setUint32(8, 64, true); // iov_len 64 over a 4-byte buffer
      nums[1] = 1;
      expect(() => S.binding.recvmsg(b, 1, [null, null, iovmem, Buffer.alloc(4)], nums, 0)).toThrow(/iov_len 64 exceeds the 4 bytes/);
      nums[1] = 2; // msg_iovlen past the iovec memory
      expect(() => S.binding.recvmsg(b, 1, [null, null, iovmem, Buffer.alloc(4), Buffer.alloc(4)], nums, 0)).toThrow(/msg_iovlen 2 exceeds the 1 entries/);
      nums[1] = 0;
      nums[0] = 200; // msg_namelen past msg_name
      expect(() => S.binding.recvmsg(b, 1, [new Uint8Array(16), null, null], nums, 0)).toThrow(/msg_namelen 200/);
      nums[0] = 0;
      nums[2] = 100; // msg_controllen past msg_control
      expect(() => S.binding.recvmsg(b, 1, [null, new Uint8Array(8), null], nums, 0)).toThrow(/msg_controllen 100/);
      nums[2] = 0;
      nums[1] = 1025;
      expect(() => S.binding.recvmsg(b, 1, [null, null, null], nums, 0)).toThrow(/above IOV_MAX/);
      expect(() => S.binding.recvmsg(b, 1, [null, null, null], new Uint32Array(2), 0)).toThrow(RangeError);
      expect(() => S.binding.recvmsg(b, 1, 'x' as never, new Uint32Array(5), 0)).toThrow(TypeError);
      // the datagram is still queued: no call reached the kernel
      expect(S.recv(b, Buffer.alloc(16), 16, MSG_DONTWAIT)).toBe(10);
    } finally {
      S.close(a);
      S.close(b);
    }
  });

  it('rule 1: an index getter that detaches a buffer runs before the addon takes any pointer', () => {
    const [a, b] = pair();
    try {
      // through the public call: TypeScript reads the array first
      const ab = new ArrayBuffer(8);
      const v = S.iovec.array(2);
      v[0].iov_base = new Uint8Array(ab);
      v[1].iov_base = Buffer.alloc(1);
      const arr: S.iovec[] = [v[0]];
      Object.defineProperty(arr, 1, { get: () => (structuredClone(ab, { transfer: [ab] }), v[1]), enumerable: true });
      S.send(a, Buffer.from('data'));
      expect(() => S.readv(b, arr)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      // through the raw addon: every element is fetched before the first pointer
      const nameAb = new ArrayBuffer(16);
      const nums = new Uint32Array([16, 1, 0, 0, 0]);
      const iovmem = new Uint8Array(16);
      new DataView(iovmem.buffer).setUint32(8, 4, true);
      const bufs: unknown[] = [new Uint8Array(nameAb), null, iovmem];
      Object.defineProperty(bufs, 3, { get: () => (structuredClone(nameAb, { transfer: [nameAb] }), Buffer.alloc(4)), enumerable: true });
      expect(() => S.binding.recvmsg(b, 1, bufs, nums, 0)).toThrow(TypeError);
      expect(S.recv(b, Buffer.alloc(8), 8, MSG_DONTWAIT)).toBe(4);
    } finally {
      S.close(a);
      S.close(b);
    }
  });
});

describe('sendmsgAsync / recvmsgAsync', () => {
  it('fd passing between two async peers in one process', async () => {
    const [a, b] = pair(SOCK_STREAM | SOCK_NONBLOCK);
    const [x, y] = pair();
    const got: number[] = [];
    try {
      // the receiver waits first: nothing is queued yet
      const rbuf = Buffer.alloc(16);
      const rmsg = new S.msghdr();
      rmsg.msg_iov = iovOf(rbuf);
      rmsg.msg_control = new Uint8Array(S.CMSG_SPACE(8));
      const pending = S.recvmsgAsync(b, rmsg, 0, { timeout: 5000 });
      const smsg = new S.msghdr();
      smsg.msg_iov = iovOf(Buffer.from('async'));
      rightsMsg(smsg, [x, y]);
      await new Promise((r) => setImmediate(r));
      expect(await S.sendmsgAsync(a, smsg)).toBe(5);
      expect(await pending).toBe(5);
      expect(rbuf.toString('latin1', 0, 5)).toBe('async');
      got.push(...S.scmRights(S.CMSG_FIRSTHDR(rmsg)!));
      expect(got).toHaveLength(2);
      for (const fd of got) expect(S.fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      S.send(got[0], Buffer.from('ping'));
      const buf = Buffer.alloc(8);
      expect(buf.toString('latin1', 0, S.recv(got[1], buf))).toBe('ping');
      // bad input rejects before any syscall
      await expect(S.recvmsgAsync(b, {} as S.msghdr)).rejects.toThrow(/recvmsgAsync: msg must be a msghdr/);
      await expect(S.sendmsgAsync(a, smsg, 'x' as never)).rejects.toThrow(TypeError);
      await expect(S.recvmsgAsync(b, rmsg, 0, { timeout: 20 })).rejects.toThrow(expect.objectContaining({ code: 'ETIMEDOUT', syscall: 'recvmsg' }));
    } finally {
      for (const fd of got) S.close(fd);
      for (const fd of [a, b, x, y]) S.close(fd);
    }
  });
});

describe('EINTR and timeouts (native/eintr.h)', () => {
  it('readv and recvmsg on a blocking socket honour SO_RCVTIMEO (EAGAIN on expiry), as recv does', () => {
    const [a, b] = pair();
    try {
      S.setsockopt(b, SOL_SOCKET, S.SO_RCVTIMEO, new S.timeval(0, 100_000));
      let t = Date.now();
      expect(() => S.readv(b, iovOf(Buffer.alloc(4)))).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'readv' }));
      expect(Date.now() - t).toBeGreaterThanOrEqual(80);
      const m = new S.msghdr();
      m.msg_iov = iovOf(Buffer.alloc(4));
      t = Date.now();
      expect(() => S.recvmsg(b, m)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'recvmsg' }));
      expect(Date.now() - t).toBeGreaterThanOrEqual(80);
    } finally {
      S.close(a);
      S.close(b);
    }
  });

  it('readv and recvmsg blocked without a timeout throw EINTR when a signal arrives, so a JS listener can run', async () => {
    for (const call of ['readv', 'recvmsg'] as const) {
      const [a, b] = pair();
      const listener = (): void => {}; // without one, SIGUSR2 would end the process
      process.on('SIGUSR2', listener);
      // A worker signals this process while the main thread blocks; 3 s later it sends
      // data instead, so a broken rule fails the test rather than hanging it.
      const w = new Worker(
        `const { workerData: { fd } } = require('node:worker_threads');
         const S = require('node-gyp-build')(${JSON.stringify(join(__dirname, '..'))});
         setTimeout(() => process.kill(process.pid, 'SIGUSR2'), 150);
         setTimeout(() => S.send(fd, Buffer.from('late')), 3000);`,
        { eval: true, workerData: { fd: a } },
      );
      try {
        const t = Date.now();
        const m = new S.msghdr();
        m.msg_iov = iovOf(Buffer.alloc(8));
        expect(() => (call === 'readv' ? S.readv(b, iovOf(Buffer.alloc(8))) : S.recvmsg(b, m)), call)
          .toThrow(expect.objectContaining({ code: 'EINTR', syscall: call }));
        expect(Date.now() - t).toBeLessThan(2500);
      } finally {
        await w.terminate();
        process.off('SIGUSR2', listener);
        S.close(a);
        S.close(b);
      }
    }
  });
});
