// C's value-result address length (`socklen_t *addrlen`) for accept, getsockname,
// getpeername and recvfrom. Internal: not re-exported from index.ts.
import { type Addrlen, Sockaddr, socklen_t } from './sockaddr';
import { checkInt } from './struct';

/**
 * Prepares `addr` for an output call (accept, getsockname, recvfrom): stores the
 * capacity — `addrlen` if given (checked against the struct), else sizeof — in its socklen box.
 */
export function addrOutBegin(fn: string, addr: Sockaddr, addrlen: Addrlen | null | undefined): void {
  let cap = addr.bytes.length;
  if (addrlen !== undefined && addrlen !== null) {
    const v = addrlen instanceof socklen_t ? addrlen.value : addrlen;
    cap = checkInt(fn, 'addrlen', v, 0, addr.bytes.length);
  }
  addr.addrlenBox[0] = cap;
}

/** After an output call: copies the kernel's length into a socklen_t argument. */
export function addrOutEnd(addr: Sockaddr, addrlen: Addrlen | null | undefined): void {
  if (addrlen instanceof socklen_t) addrlen.value = addr.addrlenBox[0];
}

