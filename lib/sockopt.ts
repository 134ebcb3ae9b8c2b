// setsockopt, getsockopt, fcntl — man 2 setsockopt, man 7 socket, man 2 fcntl.
import { binding, type Bytes } from './binding';
import { checkArgc, checkFd, invalidType } from './check';
import { Struct, isStruct } from './struct';

// setsockopt and getsockopt check their count, fd and optval here (a struct is passed as
// its bytes); fcntl is the addon's function itself, which checks its arguments.
const OPT_PARAMS = ['fd', 'level', 'optname', 'optval', 'optlen'] as const;

/**
 * setsockopt(fd, level, optname, optval, optlen?) — optval is a number for int options, a
 * struct (linger, timeval) or a buffer for the others; optlen defaults to its size. Returns 0.
 */
export function setsockopt(fd: number, level: number, optname: number, optval: number | Struct | Bytes, optlen?: number): number {
  checkArgc('setsockopt', arguments.length, 4, OPT_PARAMS);
  checkFd('setsockopt', 'fd', fd);
  if (isStruct(optval)) return binding.setsockopt(fd, level, optname, optval.bytes, optlen);
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
  checkArgc('getsockopt', arguments.length, 3, OPT_PARAMS);
  checkFd('getsockopt', 'fd', fd);
  if (optval === undefined) return binding.getsockopt(fd, level, optname);
  if (isStruct(optval)) return binding.getsockopt(fd, level, optname, optval.bytes, optlen);
  if (ArrayBuffer.isView(optval) || optval instanceof ArrayBuffer) {
    return binding.getsockopt(fd, level, optname, optval, optlen);
  }
  throw invalidType('getsockopt', 'optval', 'a struct, an ArrayBufferView or an ArrayBuffer', optval);
}

/** fcntl(fd, cmd, arg?) — F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC. */
export const fcntl: (fd: number, cmd: number, arg?: number) => number = binding.fcntl;
