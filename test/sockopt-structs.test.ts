// sockopt.ts typed options: ucred (SO_PEERCRED, lib/ucred.ts), tcp_info (TCP_INFO),
// ip_mreqn (IP_ADD_MEMBERSHIP, IP_MULTICAST_IF) and ipv6_mreq (IPV6_JOIN_GROUP), and
// getsockopt's optlen as a socklen_t — man 7 unix, man 7 tcp, man 7 ip, man 7 ipv6.
// Real sockets only: socketpairs, TCP over 127.0.0.1, multicast on the loopback interface
// with IP_MULTICAST_TTL 0 (nothing is ever sent to another interface).
import { describe, expect, it } from 'vitest';
import * as S from './helpers/lib';
import { closeAll, expectArgError, loop4, pair, tcpPair, thrown, waitUntil } from './helpers/util';

describe('ucred: SO_PEERCRED', () => {
  it('getsockopt fills a ucred with this process’s pid, uid and gid over a socketpair', () => {
    const [a, b] = pair();
    try {
      const cred = new S.ucred();
      const n = S.getsockopt(a, S.SOL_SOCKET, S.SO_PEERCRED, cred);
      expect(n).toBe(S.binding.layout.ucred.size);
      expect(cred.pid).toBe(process.pid);
      expect(cred.uid).toBe(process.getuid!());
      expect(cred.gid).toBe(process.getgid!());
      // The fields sit at the addon's offsets in the one buffer.
      const v = new DataView(cred.bytes.buffer, cred.bytes.byteOffset);
      expect(v.getInt32(S.binding.layout.ucred.pid, true)).toBe(process.pid);
    } finally {
      closeAll(a, b);
    }
  });

  it('is sizeof(struct ucred) with the C field order; fields are checked', () => {
    const c = new S.ucred(1, 2, 3);
    expect(S.sizeof(c)).toBe(S.binding.layout.ucred.size);
    expect([c.pid, c.uid, c.gid]).toEqual([1, 2, 3]);
    expectArgError(() => new S.ucred(1.5), RangeError, 'ucred', 'pid');
    expectArgError(() => { c.uid = -1; }, RangeError, 'ucred', 'uid');
    expectArgError(() => { c.gid = 2 ** 32; }, RangeError, 'ucred', 'gid');
    expectArgError(() => new S.ucred(0, 0, 0, new Uint8Array(4)), RangeError, 'ucred', 'bytes');
    // Over a caller's bytes: given fields are written, missing ones left as they are; a bad
    // field is refused before any byte changes.
    const mem = new Uint8Array(S.binding.layout.ucred.size).fill(0xff);
    const over = new S.ucred(undefined, 7, undefined, mem);
    expect([over.pid, over.uid, over.gid]).toEqual([-1, 7, 0xffffffff]);
    expectArgError(() => new S.ucred(1, Symbol() as never, 0, mem), TypeError, 'ucred', 'uid');
    expect(over.pid).toBe(-1);
    const get = Object.getOwnPropertyDescriptor(S.ucred.prototype, 'pid')!.get!;
    expectArgError(() => get.call(new S.linger()), TypeError, 'ucred.pid', 'this');
  });
});

describe('tcp_info: TCP_INFO', () => {
  // Linux counts the connecting side's SYN in tcpi_bytes_acked (snd_una moves past it), so
  // the client starts at 1 before any data: the test reads that baseline first and asserts
  // the transfer added exactly N.
  it('after a loopback transfer of N bytes: ESTABLISHED, bytes_acked grew by exactly N = peer’s bytes_received', () => {
    const p = tcpPair();
    try {
      const before = new S.tcp_info();
      S.getsockopt(p.client, S.IPPROTO_TCP, S.TCP_INFO, before);
      const base = before.tcpi_bytes_acked!;
      expect(base).toBe(1n); // the SYN
      const N = 100_000;
      const data = new Uint8Array(N).fill(7);
      let sent = 0;
      while (sent < N) sent += S.send(p.client, data.subarray(sent));
      const buf = new Uint8Array(65536);
      let got = 0;
      for (let i = 0; i < 10_000 && got < N; i++) got += S.recv(p.server, buf);
      expect(got).toBe(N);
      const info = new S.tcp_info();
      // The ACK of the last segment may still be on its way: wait for it, bounded.
      const acked = waitUntil(() => {
        S.getsockopt(p.client, S.IPPROTO_TCP, S.TCP_INFO, info);
        return info.tcpi_bytes_acked === base + BigInt(N);
      }, 2000);
      expect(info.tcpi_bytes_acked! - base).toBe(BigInt(N));
      expect(acked).toBe(true);
      expect(info.optlen).toBe(Math.min(S.binding.layout.tcp_info.size, info.optlen));
      expect(info.optlen).toBeGreaterThan(S.binding.layout.tcp_info.tcpi_bytes_sent);
      expect(info.tcpi_state).toBe(S.TCP_ESTABLISHED);
      expect(info.tcpi_bytes_sent! >= BigInt(N)).toBe(true);
      expect(info.tcpi_unacked).toBe(0);
      expect(info.tcpi_snd_cwnd).toBeGreaterThan(0);
      expect(info.tcpi_rto).toBeGreaterThan(0);
      expect(typeof info.tcpi_rtt).toBe('number');
      expect(typeof info.tcpi_rttvar).toBe('number');
      expect(info.tcpi_total_retrans).toBe(0);
      expect(info.tcpi_retransmits).toBe(0);
      expect(info.tcpi_lost).toBe(0);
      const peer = new S.tcp_info();
      S.getsockopt(p.server, S.IPPROTO_TCP, S.TCP_INFO, peer);
      expect(peer.tcpi_state).toBe(S.TCP_ESTABLISHED);
      expect(peer.tcpi_bytes_received).toBe(BigInt(N));
    } finally {
      p.close();
    }
  });

  it('a listening socket reports TCP_LISTEN', () => {
    const fd = S.socket(S.AF_INET, S.SOCK_STREAM, 0);
    try {
      S.bind(fd, loop4(0));
      S.listen(fd, 1);
      const info = new S.tcp_info();
      S.getsockopt(fd, S.IPPROTO_TCP, S.TCP_INFO, info);
      expect(info.tcpi_state).toBe(S.TCP_LISTEN);
    } finally {
      closeAll(fd);
    }
  });

  it('fields past the length the kernel returned read undefined; a socklen_t gets that length', () => {
    const p = tcpPair();
    try {
      const info = new S.tcp_info();
      expect(info.optlen).toBe(0);
      expect(info.tcpi_state).toBeUndefined(); // nothing filled yet
      const L = S.binding.layout.tcp_info;
      const len = new S.socklen_t(L.tcpi_rto + 4); // room up to and including tcpi_rto
      const n = S.getsockopt(p.client, S.IPPROTO_TCP, S.TCP_INFO, info, len);
      expect(n).toBe(L.tcpi_rto + 4);
      expect(len.value).toBe(n);
      expect(info.optlen).toBe(n);
      expect(info.tcpi_state).toBe(S.TCP_ESTABLISHED);
      expect(info.tcpi_rto).toBeGreaterThan(0);
      expect(info.tcpi_ato).toBeUndefined();
      expect(info.tcpi_bytes_acked).toBeUndefined();
      expect(info.tcpi_bytes_sent).toBeUndefined();
      // The bytes past the capacity were not written by the kernel.
      expect(info.bytes.subarray(n).every((x) => x === 0)).toBe(true);
      // A raw fill into a buffer, then a view: optlen is sizeof unless set.
      const raw = new Uint8Array(L.size);
      const m = S.getsockopt(p.client, S.IPPROTO_TCP, S.TCP_INFO, raw);
      const view = new S.tcp_info(raw);
      view.optlen = m;
      expect(view.tcpi_state).toBe(S.TCP_ESTABLISHED);
    } finally {
      p.close();
    }
  });

  it('bad input is a TypeError/RangeError before any syscall', () => {
    const info = new S.tcp_info();
    expectArgError(() => { info.optlen = info.bytes.length + 1; }, RangeError, 'tcp_info', 'optlen');
    expectArgError(() => { info.optlen = -1; }, RangeError, 'tcp_info', 'optlen');
    expectArgError(() => new S.tcp_info(new Uint8Array(8)), RangeError, 'tcp_info', 'bytes');
    // optlen larger than the struct: refused, nothing written.
    const [a, b] = pair();
    try {
      expectArgError(() => S.getsockopt(a, S.IPPROTO_TCP, S.TCP_INFO, info, new S.socklen_t(info.bytes.length + 1)), RangeError, 'getsockopt', 'optlen');
      const odd = new S.socklen_t(4);
      Object.defineProperty(odd, 'value', { get: () => 4 });
      expectArgError(() => S.getsockopt(a, S.SOL_SOCKET, S.SO_PEERCRED, new S.ucred(), odd), TypeError, 'getsockopt', 'optlen');
      expectArgError(() => S.getsockopt(a, S.SOL_SOCKET, S.SO_TYPE, undefined as never, 4), TypeError, 'getsockopt', 'optlen');
      // TCP_INFO on an AF_UNIX socket is the kernel's error, reported as ErrnoError.
      expect(thrown(() => S.getsockopt(a, S.IPPROTO_TCP, S.TCP_INFO, info))).toBeInstanceOf(S.ErrnoError);
    } finally {
      closeAll(a, b);
    }
    const get = Object.getOwnPropertyDescriptor(S.tcp_info.prototype, 'tcpi_state')!.get!;
    expectArgError(() => get.call({}), TypeError, 'tcp_info.tcpi_state', 'this');
  });
});

describe('ip_mreqn / ipv6_mreq: multicast membership on the loopback interface', () => {
  it('has the kernel’s layout and checked fields', () => {
    const m = new S.ip_mreqn();
    expect(S.sizeof(m)).toBe(S.binding.layout.ip_mreqn.size);
    S.inet_pton(S.AF_INET, '239.1.2.3', m.imr_multiaddr);
    m.imr_ifindex = 5;
    expect(Array.from(m.bytes.subarray(S.binding.layout.ip_mreqn.imr_multiaddr, S.binding.layout.ip_mreqn.imr_multiaddr + 4))).toEqual([239, 1, 2, 3]);
    expect(new DataView(m.bytes.buffer).getInt32(S.binding.layout.ip_mreqn.imr_ifindex, true)).toBe(5);
    expectArgError(() => { m.imr_ifindex = 2 ** 31; }, RangeError, 'ip_mreqn', 'imr_ifindex');
    const m6 = new S.ipv6_mreq();
    expect(S.sizeof(m6)).toBe(S.binding.layout.ipv6_mreq.size);
    expectArgError(() => { m6.ipv6mr_interface = -1; }, RangeError, 'ipv6_mreq', 'ipv6mr_interface');
    expectArgError(() => new S.ipv6_mreq(new Uint8Array(3)), RangeError, 'ipv6_mreq', 'bytes');
  });

  // lo on this machine may lack the MULTICAST flag; Linux still joins groups and loops
  // multicast back on it, so delivery is asserted. Everything goes out lo (IP_MULTICAST_IF)
  // with TTL 0, so no datagram can leave the host.
  it('IP_ADD_MEMBERSHIP on lo, then a datagram to the group arrives via IP_MULTICAST_LOOP; IP_DROP_MEMBERSHIP', () => {
    const lo = S.if_nametoindex('lo');
    const r = S.socket(S.AF_INET, S.SOCK_DGRAM, 0);
    const s = S.socket(S.AF_INET, S.SOCK_DGRAM, 0);
    try {
      const group = new S.sockaddr_in();
      S.inet_pton(S.AF_INET, '239.255.77.1', group.sin_addr);
      S.bind(r, group); // port 0: the kernel picks one
      S.getsockname(r, group);
      const m = new S.ip_mreqn();
      S.inet_pton(S.AF_INET, '239.255.77.1', m.imr_multiaddr);
      m.imr_address.s_addr = S.htonl(S.INADDR_LOOPBACK);
      m.imr_ifindex = lo;
      expect(S.setsockopt(r, S.IPPROTO_IP, S.IP_ADD_MEMBERSHIP, m)).toBe(0);
      // Joining twice is the kernel's EADDRINUSE: the struct reached it intact.
      expect((thrown(() => S.setsockopt(r, S.IPPROTO_IP, S.IP_ADD_MEMBERSHIP, m)) as S.ErrnoError).code).toBe('EADDRINUSE');

      const out = new S.ip_mreqn();
      out.imr_address.s_addr = S.htonl(S.INADDR_LOOPBACK);
      out.imr_ifindex = lo;
      S.setsockopt(s, S.IPPROTO_IP, S.IP_MULTICAST_IF, out);
      S.setsockopt(s, S.IPPROTO_IP, S.IP_MULTICAST_TTL, 0);
      S.setsockopt(s, S.IPPROTO_IP, S.IP_MULTICAST_LOOP, 1);
      expect(S.sendto(s, new Uint8Array([1, 2, 3]), 3, 0, group)).toBe(3);
      const buf = new Uint8Array(16);
      let n = -1;
      waitUntil(() => (n = S.tryRecv(r, buf, 16, 0)) >= 0, 2000);
      expect(n).toBe(3);
      expect(Array.from(buf.subarray(0, 3))).toEqual([1, 2, 3]);

      expect(S.setsockopt(r, S.IPPROTO_IP, S.IP_DROP_MEMBERSHIP, m)).toBe(0);
      expect((thrown(() => S.setsockopt(r, S.IPPROTO_IP, S.IP_DROP_MEMBERSHIP, m)) as S.ErrnoError).code).toBe('EADDRNOTAVAIL');
    } finally {
      closeAll(r, s);
    }
  });

  // IPv6: join and leave only (no IPv6 datagram is sent).
  it('IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP with ipv6_mreq on lo', () => {
    const fd = S.socket(S.AF_INET6, S.SOCK_DGRAM, 0);
    try {
      const m = new S.ipv6_mreq();
      S.inet_pton(S.AF_INET6, 'ff02::1:7701', m.ipv6mr_multiaddr);
      m.ipv6mr_interface = S.if_nametoindex('lo');
      expect(S.setsockopt(fd, S.IPPROTO_IPV6, S.IPV6_JOIN_GROUP, m)).toBe(0);
      expect((thrown(() => S.setsockopt(fd, S.IPPROTO_IPV6, S.IPV6_JOIN_GROUP, m)) as S.ErrnoError).code).toBe('EADDRINUSE');
      expect(S.setsockopt(fd, S.IPPROTO_IPV6, S.IPV6_LEAVE_GROUP, m)).toBe(0);
      expect((thrown(() => S.setsockopt(fd, S.IPPROTO_IPV6, S.IPV6_LEAVE_GROUP, m)) as S.ErrnoError).code).toBe('EADDRNOTAVAIL');
    } finally {
      closeAll(fd);
    }
  });
});

describe('struct bytes argument', () => {
  // Found by the fuzz suite at 400 runs: `bytes instanceof Uint8Array` on a revoked Proxy
  // threw V8's uncoded TypeError from getPrototypeOf.
  it('a revoked Proxy as `bytes` is a coded TypeError naming the parameter', () => {
    const { proxy, revoke } = Proxy.revocable(new Uint8Array(64), {});
    revoke();
    for (const make of [() => new S.ucred(0, 0, 0, proxy), () => new S.tcp_info(proxy), () => new S.ip_mreqn(proxy),
      () => new S.ipv6_mreq(proxy), () => new S.linger(0, 0, proxy)]) {
      const e = thrown(make) as TypeError & { code?: string };
      expect(e).toBeInstanceOf(TypeError);
      expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
      expect(e.message).toMatch(/\bbytes\b/);
    }
  });
});
