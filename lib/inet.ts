// inet_pton, inet_ntop, inet_addr — man 3 inet_pton, inet_ntop, inet_addr.
import { binding, type Bytes } from './binding';
import { in6_addr, in_addr } from './sockaddr';
import { describe } from './struct';

function addrBytes(fn: string, param: string, v: in_addr | in6_addr | Bytes): Bytes {
  if (v instanceof in_addr || v instanceof in6_addr) return v.bytes;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  throw new TypeError(`${fn}: ${param} must be an in_addr, in6_addr or ArrayBufferView, got ${describe(v)}`);
}

/**
 * inet_pton(af, src, dst): parses `src` into `dst` (an in_addr, in6_addr or bytes). Returns 1,
 * or 0 when `src` is not a valid address of family `af` — `dst` is then left untouched.
 * Throws ErrnoError EAFNOSUPPORT for a family other than AF_INET / AF_INET6.
 */
export function inet_pton(af: number, src: string, dst: in_addr | in6_addr | Bytes): number {
  return binding.inet_pton(af, src, addrBytes('inet_pton', 'dst', dst));
}

/** inet_ntop(af, src): the text form of the address in `src`. Throws EAFNOSUPPORT. */
export function inet_ntop(af: number, src: in_addr | in6_addr | Bytes): string {
  return binding.inet_ntop(af, addrBytes('inet_ntop', 'src', src));
}

/**
 * inet_addr(cp): the IPv4 address in network byte order as an unsigned number, or
 * INADDR_NONE (4294967295) when `cp` is invalid — which "255.255.255.255" also yields, as in C.
 */
export const inet_addr: (cp: string) => number = binding.inet_addr;
