// netif.cc: ioctl (FIONREAD = SIOCINQ, SIOCOUTQ, FIONBIO), if_nametoindex, if_indextoname —
// man 2 ioctl, man 7 socket, man 3 if_nametoindex. Real sockets; the only interface named
// is the loopback interface "lo".
import { describe, expect, it } from 'vitest';
import * as S from './helpers/lib';
import { closeAll, expectArgError, expectErrno, pair, tcpPair, thrown, waitUntil } from './helpers/util';

describe('ioctl', () => {
  it('FIONREAD after sending k bytes is k (stream socketpair, TCP, and a datagram’s size for UDP)', () => {
    const [a, b] = pair();
    const p = tcpPair();
    try {
      const n = new Int32Array([-1]);
      expect(S.ioctl(b, S.FIONREAD, n)).toBe(0);
      expect(n[0]).toBe(0);
      S.send(a, new Uint8Array(37));
      S.ioctl(b, S.FIONREAD, n);
      expect(n[0]).toBe(37);
      expect(S.SIOCINQ).toBe(S.FIONREAD);
      S.send(p.client, new Uint8Array(1000));
      waitUntil(() => (S.ioctl(p.server, S.SIOCINQ, n), n[0] === 1000));
      expect(n[0]).toBe(1000);
    } finally {
      closeAll(a, b);
      p.close();
    }
  });

  it('SIOCOUTQ: bytes still queued on the sender until the peer takes them', () => {
    const [a, b] = pair();
    try {
      const q = new Int32Array([-1]);
      S.ioctl(a, S.SIOCOUTQ, q);
      expect(q[0]).toBe(0);
      S.send(a, new Uint8Array(500));
      S.ioctl(a, S.SIOCOUTQ, q);
      // AF_UNIX counts the queued buffers' memory: at least the bytes written.
      expect(q[0]).toBeGreaterThanOrEqual(500);
      S.recv(b, new Uint8Array(500));
      S.ioctl(a, S.SIOCOUTQ, q);
      expect(q[0]).toBe(0);
    } finally {
      closeAll(a, b);
    }
    const p = tcpPair();
    try {
      const q = new Int32Array([-1]);
      S.send(p.client, new Uint8Array(2000));
      // TCP counts bytes not yet acknowledged: 0 once the peer's ACK arrives.
      expect(waitUntil(() => (S.ioctl(p.client, S.SIOCOUTQ, q), q[0] === 0))).toBe(true);
    } finally {
      p.close();
    }
  });

  it('FIONBIO sets and clears O_NONBLOCK (as fcntl sees it)', () => {
    const [a, b] = pair();
    try {
      expect(S.fcntl(a, S.F_GETFL) & S.O_NONBLOCK).toBe(0);
      S.ioctl(a, S.FIONBIO, new Int32Array([1]));
      expect(S.fcntl(a, S.F_GETFL) & S.O_NONBLOCK).toBe(S.O_NONBLOCK);
      expect((thrown(() => S.recv(a, new Uint8Array(1))) as S.ErrnoError).code).toBe('EAGAIN');
      S.ioctl(a, S.FIONBIO, new Int32Array([0]));
      expect(S.fcntl(a, S.F_GETFL) & S.O_NONBLOCK).toBe(0);
    } finally {
      closeAll(a, b);
    }
  });

  it('unknown requests are a RangeError; argp must be an Int32Array of at least one int', () => {
    const [a, b] = pair();
    try {
      const n = new Int32Array([12345]);
      const SIOCGIFINDEX = 0x8933; // takes a struct ifreq *: never accepted
      for (const req of [SIOCGIFINDEX, 0, 0x5401 /* TCGETS */, -1]) {
        expectArgError(() => S.ioctl(a, req, n), RangeError, 'ioctl', 'request');
      }
      expect(n[0]).toBe(12345);
      expectArgError(() => S.ioctl(a, S.FIONREAD, new Uint32Array(1) as never), TypeError, 'ioctl', 'argp');
      expectArgError(() => S.ioctl(a, S.FIONREAD, new Uint8Array(4) as never), TypeError, 'ioctl', 'argp');
      expectArgError(() => S.ioctl(a, S.FIONREAD, 0x1000 as never), TypeError, 'ioctl', 'argp');
      expectArgError(() => S.ioctl(a, S.FIONREAD, null as never), TypeError, 'ioctl', 'argp');
      expectArgError(() => S.ioctl(a, S.FIONREAD, new Int32Array(0)), RangeError, 'ioctl', 'argp');
      const gone = new Int32Array(1);
      structuredClone(gone.buffer, { transfer: [gone.buffer] });
      expectArgError(() => S.ioctl(a, S.FIONREAD, gone), TypeError, 'ioctl', 'argp');
      expectArgError(() => S.ioctl(-1, S.FIONREAD, n), RangeError, 'ioctl', 'fd');
      expectArgError(() => S.ioctl(a, 1.5, n), RangeError, 'ioctl', 'request');
      expectArgError(() => S.ioctl(a, '21531' as never, n), TypeError, 'ioctl', 'request');
      expect((thrown(() => (S.ioctl as (...x: unknown[]) => number)(a, S.FIONREAD)) as { code: string }).code).toBe('ERR_MISSING_ARGS');
      expect((thrown(() => (S.ioctl as (...x: unknown[]) => number)(a, S.FIONREAD, n, 0)) as { code: string }).code).toBe('ERR_TOO_MANY_ARGS');
    } finally {
      closeAll(a, b);
    }
  });

  it('a closed fd is the kernel’s EBADF', () => {
    const [a, b] = pair();
    closeAll(a, b);
    expectErrno(() => S.ioctl(a, S.FIONREAD, new Int32Array(1)), 'EBADF', 'ioctl');
  });
});

describe('if_nametoindex / if_indextoname', () => {
  it('"lo" has an index >= 1 whose name is "lo"', () => {
    const i = S.if_nametoindex('lo');
    expect(Number.isInteger(i) && i >= 1).toBe(true);
    expect(S.if_indextoname(i)).toBe('lo');
  });

  it('an unknown name is ENODEV, an unknown index ENXIO', () => {
    expectErrno(() => S.if_nametoindex('nosuchif0'), 'ENODEV', 'if_nametoindex');
    expectErrno(() => S.if_nametoindex(''), 'ENODEV', 'if_nametoindex');
    expectErrno(() => S.if_indextoname(0x7fffffff), 'ENXIO', 'if_indextoname');
    expectErrno(() => S.if_indextoname(0), 'ENXIO', 'if_indextoname');
  });

  it('bad input is a TypeError/RangeError before any syscall', () => {
    expectArgError(() => S.if_nametoindex('a'.repeat(S.IF_NAMESIZE)), RangeError, 'if_nametoindex', 'ifname');
    expectArgError(() => S.if_nametoindex('lo\0x'), RangeError, 'if_nametoindex', 'ifname');
    expectArgError(() => S.if_nametoindex(1 as never), TypeError, 'if_nametoindex', 'ifname');
    expectArgError(() => S.if_nametoindex(new String('lo') as never), TypeError, 'if_nametoindex', 'ifname');
    expectArgError(() => S.if_indextoname(-1), RangeError, 'if_indextoname', 'ifindex');
    expectArgError(() => S.if_indextoname(2 ** 32), RangeError, 'if_indextoname', 'ifindex');
    expectArgError(() => S.if_indextoname(1.5), RangeError, 'if_indextoname', 'ifindex');
    expectArgError(() => S.if_indextoname('1' as never), TypeError, 'if_indextoname', 'ifindex');
    expect((thrown(() => (S.if_indextoname as (...x: unknown[]) => string)()) as { code: string }).code).toBe('ERR_MISSING_ARGS');
    expect((thrown(() => (S.if_nametoindex as (...x: unknown[]) => number)('lo', 1)) as { code: string }).code).toBe('ERR_TOO_MANY_ARGS');
  });
});
