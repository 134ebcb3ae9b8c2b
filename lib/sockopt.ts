// setsockopt, getsockopt, fcntl — man 2 setsockopt, man 7 socket, man 2 fcntl.
import { binding, type Bytes } from './binding';
import { Struct, describe } from './struct';

/**
 * setsockopt(fd, level, optname, optval, optlen?) — optval is a number for int options, a
 * struct (linger, timeval) or a buffer for the others; optlen defaults to its size. Returns 0.
 */
export function setsockopt(fd: number, level: number, optname: number, optval: number | Struct | Bytes, optlen?: number): number {
  if (optval instanceof Struct) return binding.setsockopt(fd, level, optname, optval.bytes, optlen);
  return binding.setsockopt(fd, level, optname, optval, optlen);
}

/**
 * getsockopt(fd, level, optname) — the value of an int option.
 * getsockopt(fd, level, optname, optval, optlen?) — fills a struct (linger, timeval) or
 * buffer and returns the length the kernel wrote.
 */
export function getsockopt(fd: number, level: number, optname: number): number;
export function getsockopt(fd: number, level: number, optname: number, optval: Struct | Bytes, optlen?: number): number;
export function getsockopt(fd: number, level: number, optname: number, optval?: Struct | Bytes, optlen?: number): number {
  if (optval === undefined) return binding.getsockopt(fd, level, optname);
  if (optval instanceof Struct) return binding.getsockopt(fd, level, optname, optval.bytes, optlen);
  if (ArrayBuffer.isView(optval) || optval instanceof ArrayBuffer) {
    return binding.getsockopt(fd, level, optname, optval, optlen);
  }
  throw new TypeError(`getsockopt: optval must be a struct or an ArrayBufferView, got ${describe(optval)}`);
}

/** fcntl(fd, cmd, arg?) — F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC. */
export const fcntl: (fd: number, cmd: number, arg?: number) => number = binding.fcntl;
