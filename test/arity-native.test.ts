// Argument counts of the native functions of socket.cc, io.cc and sockopt.cc: too few is a
// TypeError ERR_MISSING_ARGS naming the first missing parameter, too many a TypeError
// ERR_TOO_MANY_ARGS — C would not compile either call. Checked before any syscall.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EAGAIN,
  F_GETFL,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  binding,
  close,
  fcntl,
  getsockopt,
  listen,
  recv,
  send,
  shutdown,
  socket,
  socketpair,
  tryRecv,
} from './helpers/lib';
import { closeAll, isOpen } from './helpers/util';

type Fn = (...args: unknown[]) => unknown;

// name, min, max, parameter names (C's, then sockfd's trailing extensions).
const table: Array<[string, number, number, string[]]> = [
  ['socket', 3, 3, ['domain', 'type', 'protocol']],
  ['socketpair', 4, 4, ['domain', 'type', 'protocol', 'sv']],
  ['bind', 2, 3, ['fd', 'addr', 'addrlen']],
  ['listen', 2, 2, ['fd', 'backlog']],
  ['accept', 1, 4, ['fd', 'addr', 'addrlen', 'flags']],
  ['accept4', 4, 4, ['fd', 'addr', 'addrlen', 'flags']],
  ['tryAccept', 1, 4, ['fd', 'addr', 'addrlen', 'flags']],
  ['tryAccept4', 4, 4, ['fd', 'addr', 'addrlen', 'flags']],
  ['connect', 2, 3, ['fd', 'addr', 'addrlen']],
  ['tryConnect', 2, 3, ['fd', 'addr', 'addrlen']],
  ['shutdown', 2, 2, ['fd', 'how']],
  ['close', 1, 1, ['fd']],
  ['getsockname', 2, 3, ['fd', 'addr', 'addrlen']],
  ['getpeername', 2, 3, ['fd', 'addr', 'addrlen']],
  ['send', 2, 5, ['fd', 'buf', 'len', 'flags', 'offset']],
  ['recv', 2, 5, ['fd', 'buf', 'len', 'flags', 'offset']],
  ['trySend', 2, 5, ['fd', 'buf', 'len', 'flags', 'offset']],
  ['tryRecv', 2, 5, ['fd', 'buf', 'len', 'flags', 'offset']],
  ['read', 2, 4, ['fd', 'buf', 'count', 'offset']],
  ['write', 2, 4, ['fd', 'buf', 'count', 'offset']],
  ['tryRead', 2, 4, ['fd', 'buf', 'count', 'offset']],
  ['tryWrite', 2, 4, ['fd', 'buf', 'count', 'offset']],
  ['sendto', 5, 7, ['fd', 'buf', 'len', 'flags', 'dest_addr', 'addrlen', 'offset']],
  ['trySendto', 5, 7, ['fd', 'buf', 'len', 'flags', 'dest_addr', 'addrlen', 'offset']],
  ['recvfrom', 4, 7, ['fd', 'buf', 'len', 'flags', 'src_addr', 'addrlen', 'offset']],
  ['tryRecvfrom', 4, 7, ['fd', 'buf', 'len', 'flags', 'src_addr', 'addrlen', 'offset']],
  ['setsockopt', 4, 5, ['fd', 'level', 'optname', 'optval', 'optlen']],
  ['getsockopt', 3, 5, ['fd', 'level', 'optname', 'optval', 'optlen']],
  ['fcntl', 2, 3, ['fd', 'cmd', 'arg']],
];

function argError(fn: () => unknown): TypeError & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as TypeError & { code?: string };
  }
  throw new Error('expected a TypeError, but the call returned');
}

describe('native argument counts', () => {
  it.each(table)('%s takes %i to %i arguments', (name, min, max, params) => {
    const f = (binding as unknown as Record<string, Fn>)[name];
    const takes = min === max ? `${max}` : `${min} to ${max}`;
    // Values are placeholders: the count is checked first, before any value or syscall.
    for (let n = 0; n < min; n++) {
      const e = argError(() => f(...new Array(n).fill(-1)));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.code).toBe('ERR_MISSING_ARGS');
      expect(e.message).toBe(`${name}: missing argument '${params[n]}' (takes ${takes} arguments, got ${n})`);
    }
    for (const n of [max + 1, max + 3]) {
      const e = argError(() => f(...new Array(n).fill(-1)));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.code).toBe('ERR_TOO_MANY_ARGS');
      expect(e.message).toBe(`${name}: takes at most ${max} arguments, got ${n}`);
    }
  });

  it('close(fd, \'extra\') is a TypeError and leaves the fd open', () => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    try {
      const e = argError(() => (close as Fn)(fd, 'extra'));
      expect(e.code).toBe('ERR_TOO_MANY_ARGS');
      expect(isOpen(fd)).toBe(true);
    } finally {
      close(fd);
    }
  });

  it('listen(fd, 1, 2) is a TypeError and the socket does not listen', () => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    try {
      const e = argError(() => (listen as Fn)(fd, 1, 2));
      expect(e.code).toBe('ERR_TOO_MANY_ARGS');
      expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(0);
    } finally {
      close(fd);
    }
  });

  it('send() and send(fd) are ERR_MISSING_ARGS; send with 6 arguments sends nothing', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    try {
      expect(argError(() => (send as Fn)()).message).toBe("send: missing argument 'fd' (takes 2 to 5 arguments, got 0)");
      expect(argError(() => (send as Fn)(sv[0])).code).toBe('ERR_MISSING_ARGS');
      expect(argError(() => (send as Fn)(sv[0], new Uint8Array(1), 1, 0, 0, 'x')).code).toBe('ERR_TOO_MANY_ARGS');
      expect(tryRecv(sv[1], new Uint8Array(1))).toBe(-EAGAIN);
      expect(argError(() => (recv as Fn)(sv[1], new Uint8Array(1), 1, 0, 0, 'x')).code).toBe('ERR_TOO_MANY_ARGS');
      expect(argError(() => (shutdown as Fn)(sv[0], 1, 2)).code).toBe('ERR_TOO_MANY_ARGS');
      expect(argError(() => (fcntl as Fn)(sv[0], F_GETFL, 0, 0)).code).toBe('ERR_TOO_MANY_ARGS');
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('accept (the binding) takes no flags: a 4th argument other than 0 is a RangeError', () => {
    const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    try {
      expect(() => binding.accept4(fd, null, null, undefined as unknown as number)).toThrow(TypeError);
      expect(() => (binding.accept as Fn)(fd, null, null, SOCK_NONBLOCK)).toThrow(RangeError);
    } finally {
      close(fd);
    }
  });
});
