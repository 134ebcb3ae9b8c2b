// The netns family: unshare and setns 1:1 (errors as the kernel's errno), the rtnetlink structs
// laid out at the addon's offsets, and NLMSG_* / RTA_* as in C, checked against a real
// NETLINK_ROUTE socket. Nothing here moves the test's own thread: the netlink requests made on
// it only read (RTM_GETLINK), and namespace changes happen in a worker_thread.
import { readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as S from './helpers/lib';
import { requireTestnet } from './helpers/tools';

const L = S.binding.layout;

describe('netns structs: layouts from the addon', () => {
  const cases: Array<[string, () => S.Struct, Record<string, number | null>, number]> = [
    ['nlmsghdr', () => new S.nlmsghdr(), { nlmsg_len: 4, nlmsg_type: 2, nlmsg_flags: 2, nlmsg_seq: 4, nlmsg_pid: 4 }, L.nlmsghdr.size],
    ['rtattr', () => new S.rtattr(), { rta_len: 2, rta_type: 2 }, L.rtattr.size],
    ['ifinfomsg', () => new S.ifinfomsg(), { ifi_family: 1, ifi_type: 2, ifi_index: 4, ifi_flags: 4, ifi_change: 4 }, L.ifinfomsg.size],
    ['ifaddrmsg', () => new S.ifaddrmsg(), { ifa_family: 1, ifa_prefixlen: 1, ifa_flags: 1, ifa_scope: 1, ifa_index: 4 }, L.ifaddrmsg.size],
    ['rtmsg', () => new S.rtmsg(),
      { rtm_family: 1, rtm_dst_len: 1, rtm_src_len: 1, rtm_tos: 1, rtm_table: 1, rtm_protocol: 1, rtm_scope: 1, rtm_type: 1, rtm_flags: 4 }, L.rtmsg.size],
    ['tcmsg', () => new S.tcmsg(), { tcm_family: 1, tcm_ifindex: 4, tcm_handle: 4, tcm_parent: 4, tcm_info: 4 }, L.tcmsg.size],
    ['tc_ratespec', () => new S.tc_ratespec(), { cell_log: 1, linklayer: 1, overhead: 2, cell_align: 2, mpu: 2, rate: 4 }, L.tc_ratespec.size],
    ['tc_tbf_qopt', () => new S.tc_tbf_qopt(), { limit: 4, buffer: 4, mtu: 4 }, L.tc_tbf_qopt.size],
    ['sockaddr_nl', () => new S.sockaddr_nl(), { nl_pid: 4, nl_groups: 4 }, L.sockaddr_nl.size],
  ];
  for (const [name, make, fields, size] of cases) {
    it(`${name}: sizeof is the addon's, each field writes the bytes at its offsetof`, () => {
      const s = make();
      expect(S.sizeof(s)).toBe(size);
      const layout = (L as unknown as Record<string, Record<string, number>>)[name];
      for (const [field, width] of Object.entries(fields)) {
        s.bytes.fill(0);
        (s as unknown as Record<string, number>)[field] = 1;
        const at = s.bytes.indexOf(1);
        expect(at, `${name}.${field}`).toBe(layout[field]); // little-endian: the low byte first
        expect(s.bytes.filter((b) => b !== 0)).toHaveLength(1);
        expect((s as unknown as Record<string, number>)[field]).toBe(1);
        const max = width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff;
        const signed = ['ifi_index', 'tcm_ifindex', 'cell_align'].includes(field);
        const top = signed ? (width === 2 ? 0x7fff : 0x7fffffff) : max;
        expect(() => { (s as unknown as Record<string, number>)[field] = top + 1; }).toThrow(RangeError);
      }
    });
  }
  it('nlmsgerr: error is an int at offsetof(error); msg is the nlmsghdr at offsetof(msg)', () => {
    const e = new S.nlmsgerr();
    expect(S.sizeof(e)).toBe(L.nlmsgerr.size);
    e.error = -S.ENODEV;
    expect(new DataView(e.bytes.buffer).getInt32(L.nlmsgerr.error, true)).toBe(-S.ENODEV);
    e.msg.nlmsg_seq = 0x01020304;
    expect(e.bytes[L.nlmsgerr.msg + L.nlmsghdr.nlmsg_seq]).toBe(4);
  });
  it('tc_tbf_qopt: rate and peakrate are tc_ratespec views at their offsets', () => {
    const q = new S.tc_tbf_qopt();
    q.rate.rate = 0x11223344;
    q.peakrate.rate = 0x55667788;
    const v = new DataView(q.bytes.buffer);
    expect(v.getUint32(L.tc_tbf_qopt.rate + L.tc_ratespec.rate, true)).toBe(0x11223344);
    expect(v.getUint32(L.tc_tbf_qopt.peakrate + L.tc_ratespec.rate, true)).toBe(0x55667788);
  });
  it('a struct accessor on a foreign receiver is a TypeError; a short buffer a RangeError', () => {
    const get = Object.getOwnPropertyDescriptor(S.nlmsghdr.prototype, 'nlmsg_len')!.get!;
    expect(() => get.call(new S.rtattr())).toThrow(TypeError);
    expect(() => new S.nlmsghdr(new Uint8Array(L.nlmsghdr.size - 1))).toThrow(RangeError);
    expect(() => new S.ifinfomsg('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('NLMSG_* and RTA_* as in C', () => {
  it('the arithmetic macros: NLMSG_ALIGN, NLMSG_LENGTH, NLMSG_SPACE, RTA_ALIGN, RTA_LENGTH, RTA_SPACE', () => {
    expect(S.NLMSG_HDRLEN).toBe(16);
    expect([0, 1, 4, 5, 16, 17].map((n) => S.NLMSG_ALIGN(n))).toEqual([0, 4, 4, 8, 16, 20]);
    expect(S.NLMSG_LENGTH(4)).toBe(20);
    expect(S.NLMSG_SPACE(5)).toBe(24);
    expect([0, 1, 3, 4].map((n) => S.RTA_ALIGN(n))).toEqual([0, 4, 4, 4]);
    expect(S.RTA_LENGTH(4)).toBe(8);
    expect(S.RTA_SPACE(5)).toBe(12);
    expect(() => S.NLMSG_ALIGN(-1)).toThrow(RangeError);
    expect(() => S.RTA_LENGTH(1.5)).toThrow(RangeError);
    expect(() => S.NLMSG_OK({} as S.nlmsghdr, 16)).toThrow(TypeError);
    expect(() => S.NLMSG_NEXT(new S.nlmsghdr(), [16] as unknown as Int32Array)).toThrow(TypeError);
  });
  it('walking a buffer: NLMSG_OK/NLMSG_NEXT stop at len, NLMSG_DATA is the payload, NLMSG_NEXT subtracts from len[0]', () => {
    const buf = new Uint8Array(64);
    const h1 = new S.nlmsghdr(buf);
    h1.nlmsg_len = S.NLMSG_LENGTH(3); // 19: the next one starts at NLMSG_ALIGN(19) = 20
    h1.nlmsg_type = 100;
    S.NLMSG_DATA(h1).set([7, 8, 9]);
    const h2 = new S.nlmsghdr(buf.subarray(20));
    h2.nlmsg_len = S.NLMSG_LENGTH(0);
    h2.nlmsg_type = 101;
    const len = new Int32Array([36]);
    const seen: number[] = [];
    for (let nh: S.nlmsghdr | null = new S.nlmsghdr(buf); S.NLMSG_OK(nh, len[0]); nh = S.NLMSG_NEXT(nh!, len)) seen.push(nh!.nlmsg_type);
    expect(seen).toEqual([100, 101]);
    expect(len[0]).toBe(0);
    expect([...S.NLMSG_DATA(h1)]).toEqual([7, 8, 9]);
    expect(S.NLMSG_PAYLOAD(h1, 0)).toBe(3);
    expect(S.NLMSG_OK(null, 100)).toBe(false);
    expect(S.NLMSG_OK(h1, 18)).toBe(false); // the message is longer than what is left
  });
  it('RTA_OK/RTA_NEXT/RTA_DATA/RTA_PAYLOAD walk attributes', () => {
    const buf = new Uint8Array(32);
    const a = new S.rtattr(buf);
    a.rta_len = S.RTA_LENGTH(3);
    a.rta_type = S.IFLA_IFNAME;
    S.RTA_DATA(a).set([0x6c, 0x6f, 0]);
    const b = new S.rtattr(buf.subarray(S.RTA_SPACE(3)));
    b.rta_len = S.RTA_LENGTH(4);
    b.rta_type = S.IFLA_MTU;
    const len = new Int32Array([S.RTA_SPACE(3) + S.RTA_SPACE(4)]);
    const types: number[] = [];
    for (let r: S.rtattr | null = new S.rtattr(buf); S.RTA_OK(r, len[0]); r = S.RTA_NEXT(r!, len)) types.push(r!.rta_type);
    expect(types).toEqual([S.IFLA_IFNAME, S.IFLA_MTU]);
    expect(S.RTA_PAYLOAD(a)).toBe(3);
    expect(Buffer.from(S.RTA_DATA(a)).toString()).toBe('lo\0');
  });
});

/** One rtnetlink request on `fd`; returns the reply messages' bytes (first recv only). */
function ask(fd: number, type: number, body: Uint8Array, attrs: Array<[number, Uint8Array]>): Uint8Array {
  const alen = attrs.reduce((n, [, d]) => n + S.RTA_SPACE(d.length), 0);
  const msg = new Uint8Array(S.NLMSG_SPACE(body.length) + alen);
  const h = new S.nlmsghdr(msg);
  h.nlmsg_len = msg.length;
  h.nlmsg_type = type;
  h.nlmsg_flags = S.NLM_F_REQUEST | S.NLM_F_ACK;
  h.nlmsg_seq = 1;
  msg.set(body, S.NLMSG_HDRLEN);
  let off = S.NLMSG_SPACE(body.length);
  for (const [t, d] of attrs) {
    const r = new S.rtattr(msg.subarray(off));
    r.rta_len = S.RTA_LENGTH(d.length);
    r.rta_type = t;
    S.RTA_DATA(r).set(d);
    off += S.RTA_SPACE(d.length);
  }
  expect(S.sendto(fd, msg, msg.length, 0, new S.sockaddr_nl())).toBe(msg.length);
  const buf = new Uint8Array(16384);
  const n = S.recv(fd, buf, buf.length, S.MSG_DONTWAIT);
  return buf.subarray(0, n);
}

describe('rtnetlink over a sockfd socket (read-only requests in the test\'s own namespace)', () => {
  it('sockaddr_nl: bind assigns a port id, getsockname fills it, sockaddr_storage casts to it', () => {
    const fd = S.socket(S.AF_NETLINK, S.SOCK_RAW | S.SOCK_CLOEXEC, S.NETLINK_ROUTE);
    try {
      expect(S.bind(fd, new S.sockaddr_nl())).toBe(0);
      const me = new S.sockaddr_storage();
      S.getsockname(fd, me);
      const nl = me.cast();
      expect(nl).toBeInstanceOf(S.sockaddr_nl);
      expect((nl as S.sockaddr_nl).nl_family).toBe(S.AF_NETLINK);
      expect((nl as S.sockaddr_nl).nl_pid).toBeGreaterThan(0);
      expect(nl.addrlen).toBe(L.sockaddr_nl.size);
      expect(nl.toString()).toBe(`netlink:${(nl as S.sockaddr_nl).nl_pid}/0`);
    } finally {
      S.close(fd);
    }
  });
  it('RTM_GETLINK for "lo": the reply parses with NLMSG_*, ifinfomsg and RTA_* (IFLA_IFNAME, IFF_LOOPBACK)', () => {
    const fd = S.socket(S.AF_NETLINK, S.SOCK_RAW | S.SOCK_CLOEXEC, S.NETLINK_ROUTE);
    try {
      S.bind(fd, new S.sockaddr_nl());
      const reply = ask(fd, S.RTM_GETLINK, new S.ifinfomsg().bytes, [[S.IFLA_IFNAME, Buffer.from('lo\0')]]);
      const len = new Int32Array([reply.length]);
      let name = '';
      let flags = 0;
      let index = 0;
      let acked = false;
      for (let nh: S.nlmsghdr | null = new S.nlmsghdr(reply); S.NLMSG_OK(nh, len[0]); nh = S.NLMSG_NEXT(nh!, len)) {
        if (nh!.nlmsg_type === S.NLMSG_ERROR) {
          expect(S.nlmsgError(nh!)).toBeNull(); // the ACK
          acked = true;
          continue;
        }
        expect(nh!.nlmsg_type).toBe(S.RTM_NEWLINK);
        const ifi = new S.ifinfomsg(S.NLMSG_DATA(nh!));
        flags = ifi.ifi_flags;
        index = ifi.ifi_index;
        const attrs = S.NLMSG_DATA(nh!).subarray(S.NLMSG_ALIGN(L.ifinfomsg.size));
        const alen = new Int32Array([attrs.length]);
        for (let r: S.rtattr | null = new S.rtattr(attrs); S.RTA_OK(r, alen[0]); r = S.RTA_NEXT(r!, alen)) {
          if (r!.rta_type === S.IFLA_IFNAME) name = Buffer.from(S.RTA_DATA(r!)).toString().replace(/\0.*$/, '');
        }
      }
      expect(name).toBe('lo');
      expect(flags & S.IFF_LOOPBACK).toBe(S.IFF_LOOPBACK);
      expect(index).toBe(S.if_nametoindex('lo'));
      expect(acked || len[0] === 0).toBe(true);
    } finally {
      S.close(fd);
    }
  });
  it('nlmsgError: the kernel\'s NLMSG_ERROR for an unknown interface is ErrnoError ENODEV', () => {
    const fd = S.socket(S.AF_NETLINK, S.SOCK_RAW | S.SOCK_CLOEXEC, S.NETLINK_ROUTE);
    try {
      S.bind(fd, new S.sockaddr_nl());
      const reply = ask(fd, S.RTM_GETLINK, new S.ifinfomsg().bytes, [[S.IFLA_IFNAME, Buffer.from('no-such-if0\0')]]);
      const nh = new S.nlmsghdr(reply);
      expect(nh.nlmsg_type).toBe(S.NLMSG_ERROR);
      expect(new S.nlmsgerr(S.NLMSG_DATA(nh)).error).toBe(-S.ENODEV);
      const err = S.nlmsgError(nh, 'RTM_GETLINK');
      expect(err).toBeInstanceOf(S.ErrnoError);
      expect(err).toMatchObject({ code: 'ENODEV', errno: S.ENODEV, syscall: 'RTM_GETLINK' });
      const other = new S.nlmsghdr();
      other.nlmsg_type = S.RTM_NEWLINK;
      expect(S.nlmsgError(other)).toBeNull();
    } finally {
      S.close(fd);
    }
  });
});

describe('unshare and setns', () => {
  it('argument errors are TypeError/RangeError before any syscall', () => {
    expect(() => S.unshare('0' as unknown as number)).toThrow(TypeError);
    expect(() => S.unshare(2 ** 32)).toThrow(RangeError);
    expect(() => (S.unshare as (...a: unknown[]) => number)()).toThrow(expect.objectContaining({ code: 'ERR_MISSING_ARGS' }));
    expect(() => S.setns(-1, 0)).toThrow(RangeError);
    expect(() => S.setns(0, 1.5)).toThrow(RangeError);
  });
  it('unshare: a flag it does not know is EINVAL; CLONE_NEWUSER in a threaded process is EINVAL; 0 is a no-op', () => {
    expect(() => S.unshare(1)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'unshare' }));
    expect(() => S.unshare(S.CLONE_NEWUSER)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(S.unshare(0)).toBe(0);
  });
  it('setns: a closed fd is EBADF, a socket is EINVAL', () => {
    const fd = S.socket(S.AF_INET, S.SOCK_DGRAM | S.SOCK_CLOEXEC, 0);
    try {
      expect(() => S.setns(fd, S.CLONE_NEWNET)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'setns' }));
    } finally {
      S.close(fd);
    }
    expect(() => S.setns(fd, S.CLONE_NEWNET)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
  it('unshare(CLONE_NEWNET) moves only the calling worker thread; setns brings it back', async (ctx) => {
    requireTestnet(ctx);
    const mine = readlinkSync('/proc/thread-self/ns/net');
    const lib = path.join(__dirname, '..', 'lib', 'index.ts');
    const code = `
      require(${JSON.stringify(require.resolve('tsx/cjs'))});
      const s = require(${JSON.stringify(lib)});
      const { readlinkSync, openSync, closeSync } = require('node:fs');
      const { parentPort } = require('node:worker_threads');
      const home = openSync('/proc/thread-self/ns/net', 'r');
      const before = readlinkSync('/proc/thread-self/ns/net');
      s.unshare(s.CLONE_NEWNET);
      const inside = readlinkSync('/proc/thread-self/ns/net');
      const loIndex = s.if_nametoindex('lo');
      let eth = 'absent';
      try { s.if_nametoindex('eth0'); eth = 'present'; } catch (e) { eth = e.code; }
      s.setns(home, s.CLONE_NEWNET);
      closeSync(home);
      parentPort.postMessage({ before, inside, back: readlinkSync('/proc/thread-self/ns/net'), loIndex, eth });
    `;
    const w = new Worker(code, { eval: true });
    try {
      const r = await new Promise<Record<string, unknown>>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      expect(r.before).toBe(mine);
      expect(r.inside).not.toBe(mine);
      expect(r.back).toBe(mine);
      expect(r.loIndex).toBe(1); // a new namespace has only lo
      expect(r.eth).toBe('ENODEV');
      expect(readlinkSync('/proc/thread-self/ns/net')).toBe(mine); // this thread never moved
    } finally {
      await w.terminate();
    }
  }, 20_000);
});
