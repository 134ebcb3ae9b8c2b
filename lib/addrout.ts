// C's value-result address length (`socklen_t *addrlen`) for accept, getsockname,
// getpeername and recvfrom — the one place an output address is prepared and finished.
// Internal: not re-exported from index.ts.
import { checkInt, invalidType } from './check';
import { type Addrlen, Sockaddr, socklen_t } from './sockaddr';

/**
 * Prepares `addr` for an output call (accept, getsockname, recvfrom): stores the capacity —
 * `addrlen` if given (checked against the struct), else sizeof — in its socklen box, and
 * returns it. A socklen_t's `value` must be a writable data property: it is read without
 * running a getter, and the write-back after the call then cannot fail (an accept that
 * threw after the kernel made the fd would leak it).
 */
export function addrOutBegin(fn: string, addr: Sockaddr, addrlen: Addrlen | null | undefined): number {
  let cap = addr.bytes.length;
  if (addrlen !== undefined && addrlen !== null) {
    let v: unknown = addrlen;
    if (addrlen instanceof socklen_t) {
      const d = Object.getOwnPropertyDescriptor(addrlen, 'value');
      if (d === undefined || !('value' in d) || d.writable !== true) {
        throw invalidType(fn, 'addrlen', 'a socklen_t with a writable value', addrlen);
      }
      v = d.value;
    }
    cap = checkInt(fn, 'addrlen', v, 0, addr.bytes.length);
  }
  addr.addrlenBox[0] = cap;
  return cap;
}

/**
 * After a successful output call: zeroes the bytes of the capacity `cap` past the length the
 * kernel reported, so no byte of an earlier address survives a shorter one — an addrlen of 0
 * (recvfrom on a stream, an unnamed AF_UNIX sender) leaves the struct all zero, family
 * included. Bytes past a caller-given capacity are the caller's and stay untouched, as in C.
 * Then copies the kernel's length into a socklen_t argument.
 */
export function addrOutEnd(addr: Sockaddr, addrlen: Addrlen | null | undefined, cap: number): void {
  const n = addr.addrlenBox[0];
  if (n < cap) addr.bytes.fill(0, n, cap);
  if (addrlen instanceof socklen_t) addrlen.value = n;
}

/**
 * C's NULL address: with no `addr`, the length pointer must be NULL too (accept, recvfrom).
 * A value there is a mistake the C compiler would let through and the kernel would ignore;
 * sockfd names it instead.
 */
export function noAddrlen(fn: string, addrlen: unknown): void {
  if (addrlen !== undefined && addrlen !== null) {
    throw invalidType(fn, 'addrlen', 'null or undefined when addr is null', addrlen);
  }
}
