// inet.cc and the byte-order helpers: htons ntohs htonl ntohl inet_pton inet_ntop inet_addr
// — man 3 byteorder, man 3 inet_pton, man 3 inet_ntop, man 3 inet_addr. C semantics.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  INADDR_ANY,
  INADDR_LOOPBACK,
  INADDR_NONE,
  htonl,
  htons,
  inet_addr,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
  sockaddr_in,
  sockaddr_in6,
} from './helpers/lib';
import { canary, expectErrno } from './helpers/util';

// This suite runs on little-endian machines (x86-64, arm64), where hton* swaps bytes.
const little = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

describe('byte order', () => {
  it.runIf(little)('htons swaps the two bytes of a 16-bit value; ntohs undoes it', () => {
    expect(htons(0x1234)).toBe(0x3412);
    expect(htons(8888)).toBe(0xb822);
    expect(ntohs(0xb822)).toBe(8888);
    expect(htons(0)).toBe(0);
    expect(htons(0xffff)).toBe(0xffff);
  });

  it.runIf(little)('htonl swaps four bytes and returns an unsigned 32-bit value', () => {
    expect(htonl(0x7f000001)).toBe(0x0100007f);
    expect(htonl(0x01020304)).toBe(0x04030201);
    expect(htonl(0x000000ff)).toBe(0xff000000); // not negative
    expect(htonl(0xffffffff)).toBe(0xffffffff);
    expect(ntohl(0x0100007f)).toBe(INADDR_LOOPBACK);
  });

  it('ntohs(htons(x)) and ntohl(htonl(x)) are the identity', () => {
    for (const x of [0, 1, 80, 443, 8888, 0x8000, 0xffff]) expect(ntohs(htons(x))).toBe(x);
    for (const x of [0, 1, 0x7f000001, 0x80000000, 0xdeadbeef, 0xffffffff]) expect(ntohl(htonl(x))).toBe(x);
  });

  it('sin_port = htons(8888) stores the bytes 0x22 0xb8 in network order', () => {
    const a = new sockaddr_in();
    a.sin_port = htons(8888);
    const off = 2; // offsetof(struct sockaddr_in, sin_port) on Linux
    expect([a.bytes[off], a.bytes[off + 1]]).toEqual([0x22, 0xb8]);
  });
});

describe('inet_pton', () => {
  it('AF_INET: writes the 4 address bytes in network order and returns 1', () => {
    const a = new sockaddr_in();
    expect(inet_pton(AF_INET, '127.0.0.1', a.sin_addr)).toBe(1);
    expect(a.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    const raw = new Uint8Array(4);
    expect(inet_pton(AF_INET, '192.168.1.20', raw)).toBe(1);
    expect([...raw]).toEqual([192, 168, 1, 20]);
  });

  it('AF_INET6: writes the 16 address bytes and returns 1', () => {
    const raw = new Uint8Array(16);
    expect(inet_pton(AF_INET6, '::1', raw)).toBe(1);
    expect([...raw]).toEqual([...new Array(15).fill(0), 1]);
    expect(inet_pton(AF_INET6, '2001:db8::ff00:42:8329', raw)).toBe(1);
    expect([...raw]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]);
    const a = new sockaddr_in6();
    expect(inet_pton(AF_INET6, '::ffff:10.0.0.1', a.sin6_addr)).toBe(1);
    expect(inet_ntop(AF_INET6, a.sin6_addr)).toBe('::ffff:10.0.0.1');
  });

  it('returns 0 for text that is not an address and leaves dst untouched', () => {
    const bad4 = ['256.1.1.1', '1.2.3', '1.2.3.4.5', '', ' 1.2.3.4', '1.2.3.4 ', '0x7f.0.0.1', 'localhost', '::1', '127.1'];
    for (const s of bad4) {
      const c = canary(4);
      c.view.set([9, 8, 7, 6]);
      expect(inet_pton(AF_INET, s, c.view), JSON.stringify(s)).toBe(0);
      expect([...c.view]).toEqual([9, 8, 7, 6]);
      expect(c.intact()).toBe(true);
    }
    const bad6 = ['1:2:3:4:5:6:7:8:9', ':::', '1::2::3', 'g::1', '127.0.0.1', '[::1]', ''];
    for (const s of bad6) {
      const c = canary(16);
      c.view.fill(0x42);
      expect(inet_pton(AF_INET6, s, c.view), JSON.stringify(s)).toBe(0);
      expect(c.view.every((x) => x === 0x42)).toBe(true);
      expect(c.intact()).toBe(true);
    }
  });

  it('an unsupported address family throws EAFNOSUPPORT (C: returns -1, errno EAFNOSUPPORT)', () => {
    expectErrno(() => inet_pton(12345, '1.2.3.4', new Uint8Array(16)), 'EAFNOSUPPORT', 'inet_pton');
  });
});

describe('inet_ntop', () => {
  it('AF_INET: formats 4 bytes as dotted decimal', () => {
    expect(inet_ntop(AF_INET, new Uint8Array([192, 168, 1, 2]))).toBe('192.168.1.2');
    const a = new sockaddr_in();
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    expect(inet_ntop(AF_INET, a.sin_addr)).toBe('127.0.0.1');
    a.sin_addr.s_addr = INADDR_ANY;
    expect(inet_ntop(AF_INET, a.sin_addr)).toBe('0.0.0.0');
  });

  it('AF_INET6: formats 16 bytes in the compressed form', () => {
    const raw = new Uint8Array(16);
    expect(inet_ntop(AF_INET6, raw)).toBe('::');
    raw[15] = 1;
    expect(inet_ntop(AF_INET6, raw)).toBe('::1');
    raw.set([0x20, 0x01, 0x0d, 0xb8]);
    expect(inet_ntop(AF_INET6, raw)).toBe('2001:db8::1');
  });

  it('round-trips with inet_pton', () => {
    for (const s of ['0.0.0.0', '10.20.30.40', '255.255.255.255']) {
      const b = new Uint8Array(4);
      inet_pton(AF_INET, s, b);
      expect(inet_ntop(AF_INET, b)).toBe(s);
    }
    for (const s of ['::', '::1', 'fe80::1', '2001:db8:0:1:1:1:1:1', '::ffff:1.2.3.4']) {
      const b = new Uint8Array(16);
      inet_pton(AF_INET6, s, b);
      expect(inet_ntop(AF_INET6, b)).toBe(s);
    }
  });

  it('an unsupported address family throws EAFNOSUPPORT', () => {
    expectErrno(() => inet_ntop(12345, new Uint8Array(16)), 'EAFNOSUPPORT', 'inet_ntop');
  });
});

describe('inet_addr', () => {
  it('returns the address in network byte order, as sin_addr.s_addr expects', () => {
    expect(inet_addr('127.0.0.1')).toBe(htonl(INADDR_LOOPBACK));
    expect(inet_addr('0.0.0.0')).toBe(INADDR_ANY);
    const a = new sockaddr_in();
    a.sin_addr.s_addr = inet_addr('10.1.2.3');
    expect(inet_ntop(AF_INET, a.sin_addr)).toBe('10.1.2.3');
  });

  it('accepts the inet_aton shorthand forms (127.1, hex, octal) like C', () => {
    expect(inet_addr('127.1')).toBe(htonl(INADDR_LOOPBACK));
    expect(inet_addr('0x7f.0.0.1')).toBe(htonl(INADDR_LOOPBACK));
    expect(inet_addr('0177.0.0.1')).toBe(htonl(INADDR_LOOPBACK));
  });

  it('returns INADDR_NONE for invalid text (and for 255.255.255.255, the documented ambiguity)', () => {
    expect(inet_addr('not an address')).toBe(INADDR_NONE);
    expect(inet_addr('256.0.0.1')).toBe(INADDR_NONE);
    expect(inet_addr('')).toBe(INADDR_NONE);
    expect(inet_addr('255.255.255.255')).toBe(INADDR_NONE);
  });
});
