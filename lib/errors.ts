// ErrnoError: the one shape of every failed syscall (DESIGN.md "Errors").
import { binding } from './binding';
import { checkArgc, checkFd, checkInt, invalidType } from './check';

const names = new Map<number, string>();
for (const [name, value] of Object.entries(binding.errnos)) {
  // Aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) come last in the native list; the first
  // name registered for a number is the one strerror-style messages use.
  if (!names.has(value)) names.set(value, name);
}

/** The errno name for a positive errno value (`errnoName(11) === 'EAGAIN'`), or undefined. */
export function errnoName(errno: number): string | undefined {
  checkArgc('errnoName', arguments.length, 1, ['errno']);
  checkInt('errnoName', 'errno', errno, -(2 ** 31), 2 ** 31 - 1);
  return names.get(errno);
}

/**
 * A failed syscall. `code` is the errno name ('EADDRINUSE'), `errno` the positive C value
 * (equal to the exported constant), `syscall` the C function ('bind'); `fd`, `address` and
 * `port` are set where they apply. Message: `bind: EADDRINUSE, Address already in use`.
 */
export class ErrnoError extends Error {
  /** The errno name, e.g. 'ECONNREFUSED'. */
  readonly code: string;
  /** The positive errno value, equal to the exported constant of that name. */
  readonly errno: number;
  /** The C function that failed, e.g. 'connect'. */
  readonly syscall: string;
  /** The fd the call was made on, where one applies. */
  fd?: number;
  /** The address the call used (bind, connect, sendto), as text. */
  address?: string;
  /** The port the call used, in host byte order. */
  port?: number;
  /**
   * Bytes a helper that loops over send (sendAll, sendAllAsync) had already sent when the
   * error came, so the caller can resume from there (for example after EINTR).
   */
  sent?: number;

  constructor(syscall: string, errno: number, code?: string, text?: string, fd?: number) {
    checkArgc('ErrnoError', arguments.length, 2, ['syscall', 'errno', 'code', 'text', 'fd']);
    if (typeof syscall !== 'string') throw invalidType('ErrnoError', 'syscall', 'a string', syscall);
    checkInt('ErrnoError', 'errno', errno, 0, 2 ** 31 - 1);
    if (code !== undefined && typeof code !== 'string') throw invalidType('ErrnoError', 'code', 'a string or undefined', code);
    if (text !== undefined && typeof text !== 'string') throw invalidType('ErrnoError', 'text', 'a string or undefined', text);
    if (fd !== undefined) checkFd('ErrnoError', 'fd', fd);
    const c = code ?? names.get(errno) ?? `E${errno}`;
    super(`${syscall}: ${c}, ${text ?? binding.strerror(errno)}`);
    this.code = c;
    this.errno = errno;
    this.syscall = syscall;
    if (fd !== undefined) this.fd = fd;
  }
}
Object.defineProperty(ErrnoError.prototype, 'name', { value: 'ErrnoError' });

binding.setErrnoError(ErrnoError);

/** strerror(errnum) — man 3 strerror: the C library's text for an errno value. */
export function strerror(errnum: number): string {
  checkArgc('strerror', arguments.length, 1, ['errnum']);
  checkInt('strerror', 'errnum', errnum, -(2 ** 31), 2 ** 31 - 1);
  return binding.strerror(errnum);
}

/**
 * isEINTR(err) — whether `err` is the ErrnoError EINTR: C's `errno == EINTR` after a wait
 * (select, poll, epoll_wait) that a signal interrupted.
 */
export function isEINTR(err: unknown): boolean {
  checkArgc('isEINTR', arguments.length, 1, ['err']);
  return err instanceof ErrnoError && err.code === 'EINTR';
}
