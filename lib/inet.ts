// inet_pton, inet_ntop, inet_addr — man 3 inet_pton, inet_ntop, inet_addr.
import { binding, type Bytes } from './binding';
import { checkArgc, checkInt, invalidType } from './check';
import { type in6_addr, type in_addr, isIn6Addr, isInAddr } from './sockaddr';

// inet_pton and inet_ntop check their count and af here and pass an address struct as its
// bytes (the addon checks the text and the buffer); inet_addr is the addon's function.

function addrBytes(fn: string, param: string, v: in_addr | in6_addr | Bytes): Bytes {
  if (isInAddr(v) || isIn6Addr(v)) return v.bytes;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  throw invalidType(fn, param, 'an in_addr, in6_addr, ArrayBufferView or ArrayBuffer', v);
}

/**
 * inet_pton(af, src, dst): parses `src` into `dst` (an in_addr, in6_addr or bytes). Returns 1,
 * or 0 when `src` is not a valid address of family `af` — `dst` is then left untouched.
 * Throws ErrnoError EAFNOSUPPORT for a family other than AF_INET / AF_INET6.
 */
export function inet_pton(af: number, src: string, dst: in_addr | in6_addr | Bytes): number {
  checkArgc('inet_pton', arguments.length, 3, ['af', 'src', 'dst']);
  checkInt('inet_pton', 'af', af, -(2 ** 31), 2 ** 31 - 1);
  return binding.inet_pton(af, src, addrBytes('inet_pton', 'dst', dst));
}

/** inet_ntop(af, src): the text form of the address in `src`. Throws EAFNOSUPPORT. */
export function inet_ntop(af: number, src: in_addr | in6_addr | Bytes): string {
  checkArgc('inet_ntop', arguments.length, 2, ['af', 'src']);
  checkInt('inet_ntop', 'af', af, -(2 ** 31), 2 ** 31 - 1);
  return binding.inet_ntop(af, addrBytes('inet_ntop', 'src', src));
}

/**
 * inet_addr(cp): the IPv4 address in network byte order as an unsigned number, or
 * INADDR_NONE (4294967295) when `cp` is invalid — which "255.255.255.255" also yields, as in C.
 */
export const inet_addr: (cp: string) => number = binding.inet_addr;
