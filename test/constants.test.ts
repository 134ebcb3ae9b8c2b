import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sockfd from '../lib';
import { binding } from '../lib/binding';

describe('constants', () => {
  it('lib/constants.ts exports exactly the native X-macro list, with the native values', () => {
    const native = binding.constants;
    expect([...sockfd.constantNames].sort()).toEqual(Object.keys(native).sort());
    const exported = sockfd as unknown as Record<string, unknown>;
    for (const name of Object.keys(native)) expect(exported[name], name).toBe(native[name]);
  });

  it('every name in native/constants.h reaches the addon', () => {
    const header = readFileSync(join(__dirname, '..', 'native', 'constants.h'), 'utf8');
    const listed = [...header.matchAll(/^SOCKFD_(?:CONST|ERRNO|ERRNO_ALIAS)\((\w+)\)/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(300);
    // A name may be absent only where the list guards it with #ifdef (SOL_UDP on glibc).
    const optional = new Set([...header.matchAll(/^#ifdef (\w+)$/gm)].map((m) => m[1]));
    const required = listed.filter((n) => !optional.has(n));
    for (const n of required) expect(binding.constants, n).toHaveProperty(n);
    for (const n of Object.keys(binding.constants)) expect(listed, n).toContain(n);
  });

  it('has the C values of well-known constants on Linux', () => {
    expect(sockfd.AF_INET).toBe(2);
    expect(sockfd.AF_INET6).toBe(10);
    expect(sockfd.AF_UNIX).toBe(1);
    expect(sockfd.SOCK_STREAM).toBe(1);
    expect(sockfd.SOCK_CLOEXEC).toBe(0o2000000);
    expect(sockfd.EPOLLET).toBe(2 ** 31);
    expect(sockfd.INADDR_NONE).toBe(0xffffffff);
    expect(sockfd.INADDR_LOOPBACK).toBe(0x7f000001);
    expect(sockfd.EWOULDBLOCK).toBe(sockfd.EAGAIN);
    expect(sockfd.FD_SETSIZE).toBe(1024);
  });

  it('ErrnoError names errno values and carries strerror text', () => {
    const e = new sockfd.ErrnoError('bind', sockfd.EADDRINUSE);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('EADDRINUSE');
    expect(e.errno).toBe(sockfd.EADDRINUSE);
    expect(e.syscall).toBe('bind');
    expect(e.message).toBe('bind: EADDRINUSE, Address already in use');
    expect(sockfd.errnoName(sockfd.EAGAIN)).toBe('EAGAIN');
  });
});
