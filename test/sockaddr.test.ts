// sockaddr.cc / lib/sockaddr.ts: the sockaddr_* structs — man 7 ip, man 7 ipv6, man 7 unix.
// Each struct is one buffer laid out exactly as the kernel expects, sized by the addon.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  INADDR_LOOPBACK,
  SOCK_DGRAM,
  binding,
  bind,
  getsockname,
  htonl,
  htons,
  inet_ntop,
  inet_pton,
  ntohs,
  parseAddress,
  socket,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  sockaddr_un,
} from './helpers/lib';
import { closeAll, enc, expectArgError, thrown } from './helpers/util';

const L = binding.layout;

describe('layouts', () => {
  it('each struct is backed by exactly sizeof(struct) bytes as the addon reports them', () => {
    expect(new sockaddr_in().bytes.length).toBe(L.sockaddr_in.size);
    expect(new sockaddr_in6().bytes.length).toBe(L.sockaddr_in6.size);
    expect(new sockaddr_un().bytes.length).toBe(L.sockaddr_un.size);
    expect(new sockaddr_storage().bytes.length).toBe(L.sockaddr_storage.size);
    // Linux x86-64/arm64 values, as a cross-check of the addon itself.
    expect(L.sockaddr_in.size).toBe(16);
    expect(L.sockaddr_in6.size).toBe(28);
    expect(L.sockaddr_un.size).toBe(110);
    expect(L.sockaddr_storage.size).toBe(128);
    expect(L.sockaddr_un.sun_path).toBe(2);
  });

  it('sockaddr_in: fields land at the kernel offsets (family host order, port and address network order)', () => {
    const a = new sockaddr_in();
    a.sin_family = AF_INET;
    a.sin_port = htons(8888);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const v = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
    expect(v.getUint16(L.sockaddr_in.sin_family, true)).toBe(AF_INET);
    expect(v.getUint16(L.sockaddr_in.sin_port, false)).toBe(8888);
    expect([...a.bytes.subarray(L.sockaddr_in.sin_addr, L.sockaddr_in.sin_addr + 4)]).toEqual([127, 0, 0, 1]);
    expect(a.addrlen).toBe(16);
    expect(a.toString()).toBe('127.0.0.1:8888');
    expect(ntohs(a.sin_port)).toBe(8888);
  });

  it('sockaddr_in6: sin6_port, sin6_flowinfo, sin6_addr and sin6_scope_id land at the kernel offsets', () => {
    const a = new sockaddr_in6();
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(443);
    a.sin6_flowinfo = 0x12345;
    a.sin6_scope_id = 7;
    expect(inet_pton(AF_INET6, 'fe80::1', a.sin6_addr)).toBe(1);
    const v = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
    expect(v.getUint16(L.sockaddr_in6.sin6_family, true)).toBe(AF_INET6);
    expect(v.getUint16(L.sockaddr_in6.sin6_port, false)).toBe(443);
    expect(v.getUint32(L.sockaddr_in6.sin6_scope_id, true)).toBe(7);
    expect(a.bytes[L.sockaddr_in6.sin6_addr]).toBe(0xfe);
    expect(a.bytes[L.sockaddr_in6.sin6_addr + 15]).toBe(1);
    expect(a.sin6_scope_id).toBe(7);
    expect(a.addrlen).toBe(28);
    expect(inet_ntop(AF_INET6, a.sin6_addr)).toBe('fe80::1');
  });

  it('sockaddr_un: sun_path is stored NUL-terminated after sun_family', () => {
    const a = new sockaddr_un();
    a.sun_family = AF_UNIX;
    a.sun_path = '/tmp/x.sock';
    const off = L.sockaddr_un.sun_path;
    expect([...a.bytes.subarray(off, off + 12)]).toEqual([...enc('/tmp/x.sock'), 0]);
    expect(a.sun_path).toBe('/tmp/x.sock');
    expect(a.addrlen).toBeGreaterThanOrEqual(off + 11);
    expect(a.addrlen).toBeLessThanOrEqual(L.sockaddr_un.size);
    expect(a.toString()).toBe('/tmp/x.sock');
  });

  it('sockaddr_un: the longest path that fits (sizeof sun_path - 1 bytes) is accepted and binds', () => {
    const dir = mkdtempSync(join(tmpdir(), 's'));
    const fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    try {
      const room = L.sockaddr_un.size - L.sockaddr_un.sun_path - 1; // 107
      const path = (dir + '/' + 'p'.repeat(200)).slice(0, room);
      const a = new sockaddr_un();
      a.sun_family = AF_UNIX;
      a.sun_path = path;
      expect(bind(fd, a)).toBe(0);
      const got = new sockaddr_un();
      getsockname(fd, got);
      expect(got.sun_path).toBe(path);
    } finally {
      closeAll(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sockaddr_un: a path longer than sun_path throws RangeError naming sun_path and writes nothing', () => {
    const a = new sockaddr_un();
    a.sun_family = AF_UNIX;
    a.sun_path = '/ok';
    const before = [...a.bytes];
    expectArgError(() => {
      a.sun_path = '/' + 'x'.repeat(200);
    }, RangeError, 'sockaddr_un', 'sun_path');
    expect([...a.bytes]).toEqual(before);
  });

  it('sockaddr_storage: getsockname fills ss_family for any family', () => {
    const fd = socket(AF_INET6, SOCK_DGRAM, 0);
    try {
      const st = new sockaddr_storage();
      expect(getsockname(fd, st)).toBe(0);
      expect(st.ss_family).toBe(AF_INET6);
      expect(st.addrlen).toBe(L.sockaddr_in6.size);
    } finally {
      closeAll(fd);
    }
  });
});

describe('ports outside 0..65535', () => {
  it('sin_port and sin6_port reject values outside 0..65535 and non-integers with a RangeError', () => {
    for (const bad of [65536, -1, 1.5, NaN, Infinity, 2 ** 32 + 80]) {
      const a = new sockaddr_in();
      a.sin_port = htons(80);
      expectArgError(() => {
        a.sin_port = bad;
      }, RangeError, 'sockaddr_in', 'sin_port');
      expect(ntohs(a.sin_port)).toBe(80);
      const b = new sockaddr_in6();
      expectArgError(() => {
        b.sin6_port = bad;
      }, RangeError, 'sockaddr_in6', 'sin6_port');
    }
  });

  it('sin_port rejects a string with a TypeError instead of coercing it', () => {
    const a = new sockaddr_in();
    expectArgError(() => {
      (a as unknown as { sin_port: unknown }).sin_port = '80';
    }, TypeError, 'sockaddr_in', 'sin_port');
    expect(a.sin_port).toBe(0);
  });

  it('sin_addr.s_addr rejects values outside 0..2**32-1 and non-integers', () => {
    for (const bad of [2 ** 32, 1.5, NaN]) {
      const a = new sockaddr_in();
      const e = thrown(() => {
        a.sin_addr.s_addr = bad;
      });
      expect(e).toBeInstanceOf(RangeError);
      expect(String((e as Error).message)).toMatch(/s_addr/);
      expect(a.sin_addr.s_addr).toBe(0);
    }
  });
});

describe('parseAddress and toString', () => {
  it('parses IPv4, IPv6, path and abstract forms into the matching struct', () => {
    const a = parseAddress('127.0.0.1:8888');
    expect(a).toBeInstanceOf(sockaddr_in);
    expect((a as sockaddr_in).sin_family).toBe(AF_INET);
    expect((a as sockaddr_in).sin_port).toBe(htons(8888));
    expect((a as sockaddr_in).sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
    expect(a.toString()).toBe('127.0.0.1:8888');

    const b = parseAddress('[::1]:8888');
    expect(b).toBeInstanceOf(sockaddr_in6);
    expect((b as sockaddr_in6).sin6_family).toBe(AF_INET6);
    expect(ntohs((b as sockaddr_in6).sin6_port)).toBe(8888);
    expect(b.toString()).toBe('[::1]:8888');

    const c = parseAddress('/run/x.sock');
    expect(c).toBeInstanceOf(sockaddr_un);
    expect((c as sockaddr_un).sun_family).toBe(AF_UNIX);
    expect((c as sockaddr_un).sun_path).toBe('/run/x.sock');
    expect(c.toString()).toBe('/run/x.sock');

    const d = parseAddress('@sockfd-abstract');
    expect(d).toBeInstanceOf(sockaddr_un);
    const off = L.sockaddr_un.sun_path;
    expect(d.addrlen).toBe(off + 1 + 'sockfd-abstract'.length);
    expect([...d.bytes.subarray(off, d.addrlen)]).toEqual([0, ...enc('sockfd-abstract')]);
    expect(d.toString()).toBe('@sockfd-abstract');
  });

  it('invalid text throws an argument error naming parseAddress', () => {
    for (const bad of ['999.1.1.1:80', '127.0.0.1:70000', '127.0.0.1:-1', '127.0.0.1', '[::1]', '::1:80', '', 'host:80', '[::1]:8.5', '/' + 'x'.repeat(200)]) {
      const e = thrown(() => parseAddress(bad)) as Error;
      expect(e instanceof TypeError || e instanceof RangeError, `${JSON.stringify(bad)} -> ${String(e)}`).toBe(true);
      expect(e.message, JSON.stringify(bad)).toMatch(/^parseAddress: /);
    }
  });
});
