// lib/msg.ts keeps what a message call hands the addon (its buffers, as JS objects) cached on
// the msghdr / msgvec array between calls, and the addon takes every pointer and length
// afresh on each call. These tests fail if that cache ever outlives what it describes: every
// assignment of a buffer field, every replaced array element, is honoured by the next call,
// and a buffer detached or shrunk since the last call is refused — with the datagram still
// queued, so no byte reached memory the caller no longer names.
import { describe, expect, it } from 'vitest';
import * as S from './helpers/lib';

const { AF_INET, AF_UNIX, INADDR_LOOPBACK, MSG_DONTWAIT, SCM_RIGHTS, SOCK_DGRAM, SOL_SOCKET } = S;

function dgramPair(): [number, number] {
  const sv = new Int32Array(2);
  S.socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  return [sv[0], sv[1]];
}

function loopbackUdp(): [number, S.sockaddr_in] {
  const fd = S.socket(AF_INET, SOCK_DGRAM, 0);
  const a = new S.sockaddr_in();
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = S.htonl(INADDR_LOOPBACK);
  S.bind(fd, a);
  S.getsockname(fd, a);
  return [fd, a];
}

/** The datagram `data` is still queued on `fd` (no call consumed it). */
function stillQueued(fd: number, data: string): void {
  const b = Buffer.alloc(64);
  expect(b.toString('latin1', 0, S.recv(fd, b, 64, MSG_DONTWAIT))).toBe(data);
}

describe('msghdr: the cached plan follows every assignment', () => {
  it('recvmsg: a reassigned iov_base, a replaced msg_iov element, a new msg_iov and a lowered msg_iovlen are each honoured by the next call', () => {
    const [a, b] = dgramPair();
    try {
      const first = Buffer.alloc(8);
      const second = Buffer.alloc(8);
      const other = new S.iovec(); // made now: assigning its iov_base later would itself be a setter
      const third = Buffer.alloc(8);
      other.iov_base = third;
      const msg = new S.msghdr();
      const iov = S.iovec.array(1);
      iov[0].iov_base = first;
      msg.msg_iov = iov;
      S.send(a, Buffer.from('one'));
      expect(S.recvmsg(b, msg)).toBe(3);
      expect(first.toString('latin1', 0, 3)).toBe('one');

      iov[0].iov_base = second; // a setter: the plan is rebuilt
      S.send(a, Buffer.from('two'));
      expect(S.recvmsg(b, msg)).toBe(3);
      expect(second.toString('latin1', 0, 3)).toBe('two');
      expect(first.toString('latin1', 0, 3)).toBe('one');

      S.send(a, Buffer.from('two'));
      expect(S.recvmsg(b, msg)).toBe(3); // (a call with the plan rebuilt, so the next reuses it)
      (iov as S.iovec[])[0] = other; // an element replaced: no setter runs
      S.send(a, Buffer.from('three'));
      expect(S.recvmsg(b, msg)).toBe(5);
      expect(third.toString('latin1', 0, 5)).toBe('three');
      expect(second.toString('latin1', 0, 3)).toBe('two');

      const fourth = Buffer.alloc(8);
      const iov2 = S.iovec.array(2);
      iov2[0].iov_base = fourth.subarray(0, 2);
      iov2[1].iov_base = fourth.subarray(2);
      msg.msg_iov = iov2;
      S.send(a, Buffer.from('four'));
      expect(S.recvmsg(b, msg)).toBe(4);
      expect(fourth.toString('latin1', 0, 4)).toBe('four');

      msg.msg_iovlen = 1; // only the first 2 bytes now
      fourth.fill(0);
      S.send(a, Buffer.from('five'));
      expect(S.recvmsg(b, msg)).toBe(2);
      expect(fourth.toString('latin1', 0, 4)).toBe('fi\0\0');

      iov2[0].iov_len = 1; // iov_len lives in the iovec array's own memory: read per call
      S.send(a, Buffer.from('six'));
      expect(S.recvmsg(b, msg)).toBe(1);
    } finally {
      S.close(a);
      S.close(b);
    }
  });

  it('recvmsg: a reassigned msg_name and msg_control receive the next sender and the next fds', () => {
    const [rx] = loopbackUdp();
    const [tx1, addr1] = loopbackUdp();
    const [tx2, addr2] = loopbackUdp();
    const [a, b] = dgramPair();
    const got: number[] = [];
    try {
      const rxAddr = new S.sockaddr_in();
      S.getsockname(rx, rxAddr);
      const msg = new S.msghdr();
      const iov = S.iovec.array(1);
      iov[0].iov_base = Buffer.alloc(8);
      msg.msg_iov = iov;
      const name1 = new S.sockaddr_in();
      const name2 = new S.sockaddr_in();
      msg.msg_name = name1;
      S.sendto(tx1, Buffer.from('x'), 1, 0, rxAddr);
      expect(S.recvmsg(rx, msg)).toBe(1);
      expect(name1.sin_port).toBe(addr1.sin_port);
      msg.msg_name = name2;
      S.sendto(tx2, Buffer.from('y'), 1, 0, rxAddr);
      expect(S.recvmsg(rx, msg)).toBe(1);
      expect(name2.sin_port).toBe(addr2.sin_port);
      expect(name1.sin_port).toBe(addr1.sin_port); // untouched by the second call

      // control: two SCM_RIGHTS messages, the second received into a new msg_control
      const send = new S.msghdr();
      send.msg_iov = iov;
      const sc = new Uint8Array(S.CMSG_SPACE(4));
      send.msg_control = sc;
      const h = S.CMSG_FIRSTHDR(send)!;
      h.cmsg_level = SOL_SOCKET;
      h.cmsg_type = SCM_RIGHTS;
      h.cmsg_len = S.CMSG_LEN(4);
      new DataView(sc.buffer).setInt32(S.CMSG_LEN(0), rx, true);
      const rmsg = new S.msghdr();
      rmsg.msg_iov = iov;
      const c1 = new Uint8Array(S.CMSG_SPACE(4));
      const c2 = new Uint8Array(S.CMSG_SPACE(4));
      rmsg.msg_control = c1;
      S.sendmsg(a, send);
      S.recvmsg(b, rmsg);
      got.push(...S.scmRights(S.CMSG_FIRSTHDR(rmsg)!));
      rmsg.msg_control = c2;
      const before = c1.slice();
      S.sendmsg(a, send);
      S.recvmsg(b, rmsg);
      got.push(...S.scmRights(S.CMSG_FIRSTHDR(rmsg)!));
      expect(got).toHaveLength(2);
      expect(c1).toEqual(before); // the second fd went into c2 only
    } finally {
      for (const fd of [rx, tx1, tx2, a, b, ...got]) S.close(fd);
    }
  });

  it('a buffer detached or shrunk since the last call is refused, not read: iov_base, the iovec array, msg_control, msg_name', () => {
    const [a, b] = dgramPair();
    try {
      const msg = new S.msghdr();
      const iov = S.iovec.array(1);
      let ab = new ArrayBuffer(8);
      iov[0].iov_base = new Uint8Array(ab);
      msg.msg_iov = iov;
      S.send(a, Buffer.from('ok'));
      expect(S.recvmsg(b, msg)).toBe(2);
      structuredClone(ab, { transfer: [ab] }); // detach iov_base's memory
      S.send(a, Buffer.from('q1'));
      expect(() => S.recvmsg(b, msg)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      stillQueued(b, 'q1');

      // a length-tracking view over a resizable buffer, shrunk below iov_len
      const rab = new ArrayBuffer(8, { maxByteLength: 16 });
      iov[0].iov_base = new Uint8Array(rab);
      S.send(a, Buffer.from('ok'));
      expect(S.recvmsg(b, msg)).toBe(2);
      rab.resize(2);
      S.send(a, Buffer.from('q2'));
      expect(() => S.recvmsg(b, msg)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
      stillQueued(b, 'q2');

      // the iovec array's own struct iovec[] memory
      ab = new ArrayBuffer(8);
      iov[0].iov_base = new Uint8Array(ab);
      S.send(a, Buffer.from('ok'));
      expect(S.recvmsg(b, msg)).toBe(2);
      const mem = iov[0].bytes.buffer;
      structuredClone(mem, { transfer: [mem] });
      S.send(a, Buffer.from('q3'));
      expect(() => S.recvmsg(b, msg)).toThrow(TypeError);
      stillQueued(b, 'q3');

      // msg_control and msg_name
      const m2 = new S.msghdr();
      const iov2 = S.iovec.array(1);
      iov2[0].iov_base = Buffer.alloc(8);
      m2.msg_iov = iov2;
      const control = new Uint8Array(S.CMSG_SPACE(4));
      m2.msg_control = control;
      S.send(a, Buffer.from('ok'));
      expect(S.recvmsg(b, m2)).toBe(2);
      m2.msg_controllen = control.byteLength;
      structuredClone(control.buffer, { transfer: [control.buffer] });
      S.send(a, Buffer.from('q4'));
      expect(() => S.recvmsg(b, m2)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
      stillQueued(b, 'q4');
      m2.msg_control = null;
      const name = new S.sockaddr_un();
      m2.msg_name = name;
      S.send(a, Buffer.from('ok'));
      expect(S.recvmsg(b, m2)).toBe(2);
      m2.msg_namelen = name.bytes.length;
      structuredClone(name.bytes.buffer, { transfer: [name.bytes.buffer] });
      S.send(a, Buffer.from('q5'));
      expect(() => S.recvmsg(b, m2)).toThrow(TypeError);
      stillQueued(b, 'q5');
    } finally {
      S.close(a);
      S.close(b);
    }
  });
});

describe('mmsghdr arrays: the cached plan follows every assignment', () => {
  it('recvmmsg: a replaced msgvec entry, a reassigned iov_base and msg_name are honoured; msg_len, msg_namelen and the sockaddr addrlen are written back', () => {
    const [rx] = loopbackUdp();
    const [tx, txAddr] = loopbackUdp();
    try {
      const rxAddr = new S.sockaddr_in();
      S.getsockname(rx, rxAddr);
      const vec = S.mmsghdr.array(4);
      const bufs = vec.map(() => Buffer.alloc(8));
      vec.forEach((m, i) => {
        const iov = S.iovec.array(1);
        iov[0].iov_base = bufs[i];
        m.msg_hdr.msg_iov = iov;
        m.msg_hdr.msg_name = new S.sockaddr_in();
      });
      const sendAll = (tag: string) => {
        for (let i = 0; i < 4; i++) S.sendto(tx, Buffer.from(`${tag}${i}`), 2, 0, rxAddr);
      };
      // made now: its setters must not be what invalidates the plan below
      const lone = new S.mmsghdr();
      const loneBuf = Buffer.alloc(8);
      const loneIov = S.iovec.array(1);
      loneIov[0].iov_base = loneBuf;
      lone.msg_hdr.msg_iov = loneIov;
      const loneName = new S.sockaddr_in();
      lone.msg_hdr.msg_name = loneName;
      for (const tag of ['a', 'a']) { // twice: the second call runs on the cached plan
        sendAll(tag);
        expect(S.recvmmsg(rx, vec, 4, 0)).toBe(4);
      }
      expect(bufs.map((x) => x.toString('latin1', 0, 2))).toEqual(['a0', 'a1', 'a2', 'a3']);
      expect(vec.map((m) => m.msg_len)).toEqual([2, 2, 2, 2]);

      // a replaced entry (a standalone mmsghdr: its numbers are no longer in the array's block)
      const saved = vec[2];
      vec[2] = lone;
      sendAll('b');
      expect(S.recvmmsg(rx, vec, 4, 0)).toBe(4);
      expect(loneBuf.toString('latin1', 0, 2)).toBe('b2');
      expect(bufs[2].toString('latin1', 0, 2)).toBe('a2');
      expect(lone.msg_len).toBe(2);
      expect(lone.msg_hdr.msg_namelen).toBe(S.binding.layout.sockaddr_in.size);
      expect(loneName.sin_port).toBe(txAddr.sin_port);
      expect(loneName.addrlen).toBe(S.binding.layout.sockaddr_in.size);

      // back, then an iov_base and a msg_name reassigned inside the array
      vec[2] = saved;
      const fresh = Buffer.alloc(8);
      (vec[1].msg_hdr.msg_iov as S.iovec[])[0].iov_base = fresh;
      const name3 = new S.sockaddr_in();
      vec[3].msg_hdr.msg_name = name3;
      sendAll('c');
      expect(S.recvmmsg(rx, vec, 4, 0)).toBe(4);
      expect(fresh.toString('latin1', 0, 2)).toBe('c1');
      expect(bufs[1].toString('latin1', 0, 2)).toBe('b1');
      expect(bufs[2].toString('latin1', 0, 2)).toBe('c2');
      expect(name3.sin_port).toBe(txAddr.sin_port);
      expect(vec.map((m) => m.msg_len)).toEqual([2, 2, 2, 2]);

      // a shorter vlen on the same array, then a detached iov_base: refused, nothing read
      sendAll('d');
      expect(S.recvmmsg(rx, vec, 2, 0)).toBe(2);
      expect(S.recvmmsg(rx, vec, 2, 0)).toBe(2);
      expect(bufs[0].toString('latin1', 0, 2)).toBe('d2');
      structuredClone(fresh.buffer, { transfer: [fresh.buffer] });
      sendAll('e');
      expect(() => S.recvmmsg(rx, vec, 4, MSG_DONTWAIT)).toThrow(TypeError);
      stillQueued(rx, 'e0');
    } finally {
      S.close(rx);
      S.close(tx);
    }
  });

  it('sendmmsg over a plain array of mmsghdr (numbers copied in and out) sets each msg_len and leaves the inputs alone', () => {
    const [a, b] = dgramPair();
    try {
      const vec = [new S.mmsghdr(), new S.mmsghdr()];
      vec.forEach((m, i) => {
        const iov = S.iovec.array(1);
        iov[0].iov_base = Buffer.from('x'.repeat(i + 1));
        m.msg_hdr.msg_iov = iov;
      });
      for (let round = 0; round < 3; round++) {
        expect(S.sendmmsg(a, vec, 2, 0)).toBe(2);
        expect(vec.map((m) => m.msg_len)).toEqual([1, 2]);
        expect(vec.map((m) => m.msg_hdr.msg_iovlen)).toEqual([1, 1]);
        stillQueued(b, 'x');
        stillQueued(b, 'xx');
      }
    } finally {
      S.close(a);
      S.close(b);
    }
  });
});

describe('binding.msgPlan: the native form of a plan', () => {
  it('a call reads a plan as it reads the array it was made from; a short plan, a non-plan and a non-array are refused before any syscall', () => {
    const [a, b] = dgramPair();
    try {
      const buf = Buffer.alloc(8);
      const iovmem = new Uint8Array(16);
      new DataView(iovmem.buffer).setUint32(8, 8, true);
      const nums = new Uint32Array([0, 1, 0, 0, 0]);
      const plan = S.binding.msgPlan([null, null, iovmem, buf]);
      S.send(a, Buffer.from('plan'));
      expect(S.binding.recvmsg(b, 1, plan, nums, 0)).toBe(4);
      expect(buf.toString('latin1', 0, 4)).toBe('plan');
      expect(nums[4]).toBe(4);
      S.send(a, Buffer.from('kept'));
      nums[1] = 2; // two iovecs wanted, the plan holds one
      expect(() => S.binding.recvmsg(b, 1, plan, nums, 0)).toThrow(/bufs has 4 entries, needs 5/);
      nums[1] = 1;
      expect(() => S.binding.msgPlan('x' as never)).toThrow(TypeError);
      expect(() => S.binding.msgPlan([1] as never)).toThrow(TypeError);
      expect(() => S.binding.recvmsg(b, 1, {} as never, nums, 0)).toThrow(TypeError);
      stillQueued(b, 'kept');
    } finally {
      S.close(a);
      S.close(b);
    }
  });
});
