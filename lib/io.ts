// send, recv, sendto, recvfrom, read, write — man 2 send, recv, read, write.
// The buffer calls are the addon's functions themselves: no wrapper between JS and the
// syscall (the overhead benchmark measures them against C), and the addon checks their
// arguments. sendto/recvfrom and sendAll check their count, fd and structs here. `offset` is a trailing
// extension to C's argument list: the call uses buf[offset, offset + len).
import { binding, type Bytes } from './binding';
import { ErrnoError } from './errors';
import { addrOutBegin, addrOutEnd, noAddrlen } from './addrout';
import { checkArgc, checkBytes, checkFd, checkFlags, invalidType } from './check';
import { type Addrlen, Sockaddr, isSockaddr } from './sockaddr';

type BufCall = (fd: number, buf: Bytes, len?: number, flags?: number, offset?: number) => number;
type RwCall = (fd: number, buf: Bytes, count?: number, offset?: number) => number;

/** send(fd, buf, len?, flags?, offset?) — bytes sent. MSG_NOSIGNAL is always added. */
export const send: BufCall = binding.send;
/** recv(fd, buf, len?, flags?, offset?) — bytes received; 0 when the peer has closed. */
export const recv: BufCall = binding.recv;
/** read(fd, buf, count?, offset?) — bytes read; 0 at end of file. */
export const read: RwCall = binding.read;
/** write(fd, buf, count?, offset?) — bytes written. */
export const write: RwCall = binding.write;
/** As send, but returns -EAGAIN instead of throwing when the call would block. */
export const trySend: BufCall = binding.trySend;
/** As recv, but returns -EAGAIN instead of throwing when no data is ready. */
export const tryRecv: BufCall = binding.tryRecv;
/** As read, but returns -EAGAIN instead of throwing when no data is ready. */
export const tryRead: RwCall = binding.tryRead;
/** As write, but returns -EAGAIN instead of throwing when the call would block. */
export const tryWrite: RwCall = binding.tryWrite;

const SENDTO_PARAMS = ['fd', 'buf', 'len', 'flags', 'dest_addr', 'addrlen', 'offset'] as const;
const RECVFROM_PARAMS = ['fd', 'buf', 'len', 'flags', 'src_addr', 'addrlen', 'offset'] as const;

function optAddr(fn: string, param: string, addr: unknown): Sockaddr | null {
  if (addr === undefined || addr === null) return null;
  if (isSockaddr(addr)) return addr;
  throw invalidType(fn, param, 'a sockaddr struct or null', addr);
}

/**
 * sendto(fd, buf, len, flags, dest_addr, addrlen = dest_addr.addrlen, offset?) — bytes sent.
 * dest_addr may be null on a connected socket. MSG_NOSIGNAL is always added.
 */
export function sendto(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, dest_addr: Sockaddr | null, addrlen?: number, offset?: number): number {
  checkArgc('sendto', arguments.length, 5, SENDTO_PARAMS);
  checkFd('sendto', 'fd', fd);
  const a = optAddr('sendto', 'dest_addr', dest_addr);
  return binding.sendto(fd, buf, len, flags, a?.bytes, a === null ? undefined : (addrlen ?? a.addrlen), offset);
}

/** As sendto, but returns -EAGAIN instead of throwing when the call would block. */
export function trySendto(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, dest_addr: Sockaddr | null, addrlen?: number, offset?: number): number {
  checkArgc('sendto', arguments.length, 5, SENDTO_PARAMS);
  checkFd('sendto', 'fd', fd);
  const a = optAddr('sendto', 'dest_addr', dest_addr);
  return binding.trySendto(fd, buf, len, flags, a?.bytes, a === null ? undefined : (addrlen ?? a.addrlen), offset);
}

type RecvfromCall = (fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, addr: Bytes | null, addrlen: Uint32Array | null, offset?: number) => number;

function recvfromInto(call: RecvfromCall, argc: number, fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, src_addr: Sockaddr | null | undefined, addrlen: Addrlen | null | undefined, offset: number | undefined): number {
  checkArgc('recvfrom', argc, 4, RECVFROM_PARAMS);
  checkFd('recvfrom', 'fd', fd);
  const a = optAddr('recvfrom', 'src_addr', src_addr);
  if (a === null) {
    noAddrlen('recvfrom', addrlen);
    return call(fd, buf, len, flags, null, null, offset);
  }
  const cap = addrOutBegin('recvfrom', a, addrlen);
  const r = call(fd, buf, len, flags, a.bytes, a.addrlenBox, offset);
  if (r >= 0) addrOutEnd(a, addrlen, cap);
  return r;
}

/**
 * recvfrom(fd, buf, len, flags, src_addr?, addrlen?, offset?) — bytes received; the sender's
 * address is stored in src_addr and its length in src_addr.addrlen (and a socklen_t addrlen).
 * Bytes of src_addr past the reported length are zeroed: a length of 0 (a stream socket, an
 * unnamed AF_UNIX sender) leaves an all-zero address.
 */
export function recvfrom(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, src_addr?: Sockaddr | null, addrlen?: Addrlen | null, offset?: number): number {
  return recvfromInto(binding.recvfrom, arguments.length, fd, buf, len, flags, src_addr, addrlen, offset);
}

/** As recvfrom, but returns -EAGAIN instead of throwing when no data is ready. */
export function tryRecvfrom(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, src_addr?: Sockaddr | null, addrlen?: Addrlen | null, offset?: number): number {
  return recvfromInto(binding.tryRecvfrom, arguments.length, fd, buf, len, flags, src_addr, addrlen, offset);
}

/**
 * sendAll(fd, buf, flags?) — friendly helper: calls send until every byte of `buf` is sent
 * (a blocking socket), returning the total. Checks its arguments as send does; throws what
 * send throws, with `err.sent` set to the bytes already sent (a signal interrupts a blocked
 * send with EINTR: docs/api.md "EINTR in blocking calls"; resume from `err.sent`).
 */
export function sendAll(fd: number, buf: Bytes, flags = 0): number {
  checkArgc('sendAll', arguments.length, 2, ['fd', 'buf', 'flags']);
  checkFd('sendAll', 'fd', fd);
  checkBytes('sendAll', 'buf', buf);
  checkFlags('sendAll', 'flags', flags);
  const total = buf.byteLength;
  let off = 0;
  try {
    while (off < total) off += binding.send(fd, buf, total - off, flags, off);
  } catch (e) {
    if (e instanceof ErrnoError) e.sent = off;
    throw e;
  }
  return total;
}
