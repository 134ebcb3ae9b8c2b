// socket.cc: socket socketpair bind listen accept accept4 connect shutdown close
// getsockname getpeername — man 2 of each, man 7 tcp/unix/ip. Each kernel error is
// provoked for real and checked for its ErrnoError shape.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  EAGAIN,
  ECONNREFUSED,
  EINPROGRESS,
  ErrnoError,
  F_DUPFD_CLOEXEC,
  F_GETFL,
  INADDR_LOOPBACK,
  IPPROTO_TCP,
  O_NONBLOCK,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SOMAXCONN,
  SO_ERROR,
  SO_LINGER,
  accept,
  accept4,
  binding,
  bind,
  close,
  connect,
  fcntl,
  getpeername,
  getsockname,
  getsockopt,
  htonl,
  inet_pton,
  recvfrom,
  sendto,
  linger,
  listen,
  ntohs,
  recv,
  send,
  setsockopt,
  shutdown,
  socket,
  socketpair,
  sizeof,
  socklen_t,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  sockaddr_un,
  tryAccept,
  tryAccept4,
  tryConnect,
  read,
  write,
} from './helpers/lib';
import {
  bound,
  canary,
  closeAll,
  dec,
  enc,
  expectErrno,
  isOpen,
  listener4,
  localPort,
  loop4,
  pair,
  tcpPair,
  waitUntil,
} from './helpers/util';

/**
 * An fd number that is certainly closed and that nothing else in this process is likely to
 * reuse soon (the kernel hands out the lowest free number, so a number far above the
 * others stays free). Double-close tests must never hit someone else's fd.
 */
function closedHighFd(): number {
  const s = socket(AF_UNIX, SOCK_STREAM, 0);
  const high = fcntl(s, F_DUPFD_CLOEXEC, 4000 + Math.floor(Math.random() * 1000));
  close(s);
  expect(close(high)).toBe(0);
  expect(isOpen(high)).toBe(false);
  return high;
}

/** A FIFO (a pipe with a name) opened read-write, so opening it never blocks. */
function withFifo(fn: (fd: number) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sockfd-fifo-'));
  try {
    const path = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
    const fd = openSync(path, 'r+');
    try {
      fn(fd);
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True once a non-blocking connect has completed (getpeername stops failing ENOTCONN). */
function connected(fd: number): boolean {
  try {
    getpeername(fd, new sockaddr_storage());
    return true;
  } catch {
    return false;
  }
}

describe('socket', () => {
  it('socket: returns a new fd; SOCK_NONBLOCK in type sets O_NONBLOCK', () => {
    const a = socket(AF_INET, SOCK_STREAM, 0);
    const b = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
    try {
      expect(Number.isInteger(a) && a >= 0).toBe(true);
      expect(b).not.toBe(a);
      expect(fcntl(a, F_GETFL) & O_NONBLOCK).toBe(0);
      expect(fcntl(b, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    } finally {
      closeAll(a, b);
    }
  });

  it('socket: an unknown domain throws EAFNOSUPPORT', () => {
    expectErrno(() => socket(12345, SOCK_STREAM, 0), 'EAFNOSUPPORT', 'socket');
  });

  it('socket: a protocol that does not match the type throws EPROTONOSUPPORT', () => {
    expectErrno(() => socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), 'EPROTONOSUPPORT', 'socket');
  });

  it('socketpair: AF_INET is not supported and throws EOPNOTSUPP', () => {
    const sv = new Int32Array([-7, -7]);
    expectErrno(() => socketpair(AF_INET, SOCK_STREAM, 0, sv), 'EOPNOTSUPP', 'socketpair');
    expect([...sv]).toEqual([-7, -7]);
  });
});

describe('bind', () => {
  it('bind: a second bind on the same port throws EADDRINUSE', () => {
    const l = listener4();
    const s = socket(AF_INET, SOCK_STREAM, 0);
    try {
      const e = expectErrno(() => bind(s, loop4(l.port)), 'EADDRINUSE', 'bind');
      expect(e.message).toMatch(/^bind: EADDRINUSE, Address already in use/);
    } finally {
      closeAll(s, l.fd);
    }
  });

  it('bind: binding an already bound socket throws EINVAL', () => {
    const s = socket(AF_INET, SOCK_STREAM, 0);
    try {
      expect(bind(s, loop4(0))).toBe(0);
      expectErrno(() => bind(s, loop4(0)), 'EINVAL', 'bind');
    } finally {
      closeAll(s);
    }
  });

  it('bind: port 0 lets the kernel pick a port, which getsockname reports', () => {
    const s = socket(AF_INET, SOCK_DGRAM, 0);
    try {
      bind(s, loop4(0));
      const a = new sockaddr_in();
      expect(getsockname(s, a)).toBe(0);
      expect(a.sin_family).toBe(AF_INET);
      expect(a.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
      expect(ntohs(a.sin_port)).toBeGreaterThan(0);
      expect(a.addrlen).toBe(binding.layout.sockaddr_in.size);
    } finally {
      closeAll(s);
    }
  });

  it('bind: an address of the wrong family throws EAFNOSUPPORT or EINVAL', () => {
    const s = socket(AF_INET, SOCK_STREAM, 0);
    try {
      const u = new sockaddr_un();
      u.sun_family = AF_UNIX;
      u.sun_path = '/nonexistent/x';
      const e = (() => {
        try {
          bind(s, u);
        } catch (err) {
          return err as ErrnoError;
        }
        throw new Error('bind of an AF_UNIX address on an AF_INET socket succeeded');
      })();
      expect(e).toBeInstanceOf(ErrnoError);
      expect(e.syscall).toBe('bind');
      expect(['EAFNOSUPPORT', 'EINVAL']).toContain(e.code);
    } finally {
      closeAll(s);
    }
  });
});

describe('listen and accept', () => {
  it('listen: a datagram socket throws EOPNOTSUPP', () => {
    const s = socket(AF_INET, SOCK_DGRAM, 0);
    try {
      expectErrno(() => listen(s, SOMAXCONN), 'EOPNOTSUPP', 'listen');
    } finally {
      closeAll(s);
    }
  });

  it('accept: a socket that is not listening throws EINVAL', () => {
    const s = socket(AF_INET, SOCK_STREAM, 0);
    try {
      expectErrno(() => accept(s), 'EINVAL', 'accept');
    } finally {
      closeAll(s);
    }
  });

  it('accept: on a non-blocking listener with nothing queued throws EAGAIN; tryAccept returns -EAGAIN', () => {
    const l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    try {
      bind(l, loop4(0));
      listen(l, SOMAXCONN);
      expectErrno(() => accept(l), 'EAGAIN', 'accept');
      expect(tryAccept(l)).toBe(-EAGAIN);
      expect(tryAccept(l, new sockaddr_in())).toBe(-EAGAIN);
      expect(tryAccept4(l, null, undefined, SOCK_NONBLOCK)).toBe(-EAGAIN);
    } finally {
      closeAll(l);
    }
  });

  it('accept: returns a connection that was completed into the backlog, with addr optional (null)', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM, 0);
    let s = -1;
    try {
      connect(c, l.addr);
      s = accept(l.fd, null);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(send(c, enc('x'))).toBe(1);
      bound(s);
      expect(recv(s, new Uint8Array(1))).toBe(1);
    } finally {
      closeAll(c, s, l.fd);
    }
  });

  it('tryAccept: returns the new fd when a connection is queued and fills addr', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM, 0);
    let s = -1;
    try {
      connect(c, l.addr);
      const from = new sockaddr_in();
      s = tryAccept(l.fd, from);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(from.sin_family).toBe(AF_INET);
      expect(ntohs(from.sin_port)).toBe(localPort(c));
    } finally {
      closeAll(c, s, l.fd);
    }
  });

  it('accept: a sockaddr_storage out-parameter gets ss_family and the real addrlen', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM, 0);
    let s = -1;
    try {
      connect(c, l.addr);
      const st = new sockaddr_storage();
      s = accept(l.fd, st);
      expect(st.ss_family).toBe(AF_INET);
      expect(st.addrlen).toBe(binding.layout.sockaddr_in.size);
      expect(st.toString()).toBe(`127.0.0.1:${localPort(c)}`);
    } finally {
      closeAll(c, s, l.fd);
    }
  });

  it('accept: an unbound AF_UNIX client is reported with addrlen == sizeof(sa_family_t)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockfd-acc-'));
    const l = socket(AF_UNIX, SOCK_STREAM, 0);
    const c = socket(AF_UNIX, SOCK_STREAM, 0);
    let s = -1;
    try {
      const a = new sockaddr_un();
      a.sun_family = AF_UNIX;
      a.sun_path = join(dir, 's');
      bind(l, a);
      listen(l, 1);
      connect(c, a);
      const from = new sockaddr_un();
      s = accept(l, from);
      expect(from.addrlen).toBe(2);
      expect(from.sun_family).toBe(AF_UNIX);
    } finally {
      closeAll(c, s, l);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accept4: SOCK_NONBLOCK makes the accepted socket non-blocking', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM, 0);
    let s = -1;
    try {
      connect(c, l.addr);
      const from = new sockaddr_in();
      s = accept4(l.fd, from, undefined, SOCK_NONBLOCK);
      expect(fcntl(s, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(from.sin_family).toBe(AF_INET);
      expectErrno(() => recv(s, new Uint8Array(4)), 'EAGAIN', 'recv');
    } finally {
      closeAll(c, s, l.fd);
    }
  });
});

describe('connect', () => {
  it('connect: a port with no listener throws ECONNREFUSED', () => {
    const holder = socket(AF_INET, SOCK_STREAM, 0); // bound, never listening
    const c = socket(AF_INET, SOCK_STREAM, 0);
    try {
      bind(holder, loop4(0));
      const port = localPort(holder);
      const e = expectErrno(() => connect(c, loop4(port)), 'ECONNREFUSED', 'connect');
      expect(e.errno).toBe(ECONNREFUSED);
    } finally {
      closeAll(c, holder);
    }
  });

  it('connect: a non-blocking socket throws EINPROGRESS, then SO_ERROR is 0 once connected', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    try {
      expectErrno(() => connect(c, l.addr), 'EINPROGRESS', 'connect');
      expect(waitUntil(() => connected(c))).toBe(true);
      expect(getsockopt(c, SOL_SOCKET, SO_ERROR)).toBe(0);
      // As in C: the next connect reports the completed attempt (0), the one after EISCONN.
      expect(connect(c, l.addr)).toBe(0);
      expectErrno(() => connect(c, l.addr), 'EISCONN', 'connect');
    } finally {
      closeAll(c, l.fd);
    }
  });

  it('tryConnect: returns -EINPROGRESS instead of throwing; a second connect reports the outcome (0) or EALREADY/EISCONN', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    try {
      expect(tryConnect(c, l.addr)).toBe(-EINPROGRESS);
      const again = (() => {
        try {
          return tryConnect(c, l.addr);
        } catch (e) {
          return (e as ErrnoError).code;
        }
      })();
      expect([0, 'EALREADY', 'EISCONN']).toContain(again);
      expect(waitUntil(() => connected(c))).toBe(true);
      expect(getsockopt(c, SOL_SOCKET, SO_ERROR)).toBe(0);
    } finally {
      closeAll(c, l.fd);
    }
  });

  it('tryConnect: returns 0 when a blocking connect succeeds and still throws other errors', () => {
    const l = listener4();
    const holder = socket(AF_INET, SOCK_STREAM, 0);
    const c = socket(AF_INET, SOCK_STREAM, 0);
    const d = socket(AF_INET, SOCK_STREAM, 0);
    try {
      expect(tryConnect(c, l.addr)).toBe(0);
      bind(holder, loop4(0));
      expectErrno(() => tryConnect(d, loop4(localPort(holder))), 'ECONNREFUSED', 'connect');
    } finally {
      closeAll(c, d, holder, l.fd);
    }
  });

  it('connect: a refused non-blocking connect reports ECONNREFUSED through SO_ERROR once, then 0', () => {
    const holder = socket(AF_INET, SOCK_STREAM, 0);
    const c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    try {
      bind(holder, loop4(0));
      const r = tryConnect(c, loop4(localPort(holder)));
      expect(r).toBe(-EINPROGRESS);
      let err = 0;
      expect(waitUntil(() => (err = getsockopt(c, SOL_SOCKET, SO_ERROR)) !== 0)).toBe(true);
      expect(err).toBe(ECONNREFUSED);
      expect(getsockopt(c, SOL_SOCKET, SO_ERROR)).toBe(0);
    } finally {
      closeAll(c, holder);
    }
  });
});

describe('close and EBADF', () => {
  it('close: returns 0, and closing the same fd again throws EBADF', () => {
    const s = socket(AF_INET, SOCK_STREAM, 0);
    const high = fcntl(s, F_DUPFD_CLOEXEC, 4000 + Math.floor(Math.random() * 1000));
    close(s);
    expect(close(high)).toBe(0);
    expect(isOpen(high)).toBe(false);
    const e = expectErrno(() => close(high), 'EBADF', 'close');
    expect(e.message).toContain('Bad file descriptor');
  });

  it('every call on a closed fd throws EBADF naming its syscall', () => {
    const fd = closedHighFd();
    const buf = new Uint8Array(4);
    expectErrno(() => bind(fd, loop4(0)), 'EBADF', 'bind');
    expectErrno(() => listen(fd, 1), 'EBADF', 'listen');
    expectErrno(() => accept(fd), 'EBADF', 'accept');
    expectErrno(() => connect(fd, loop4(1)), 'EBADF', 'connect');
    expectErrno(() => shutdown(fd, SHUT_RDWR), 'EBADF', 'shutdown');
    expectErrno(() => getsockname(fd, new sockaddr_in()), 'EBADF', 'getsockname');
    expectErrno(() => getpeername(fd, new sockaddr_in()), 'EBADF', 'getpeername');
    expectErrno(() => send(fd, buf), 'EBADF', 'send');
    expectErrno(() => recv(fd, buf), 'EBADF', 'recv');
    expectErrno(() => read(fd, buf), 'EBADF', 'read');
    expectErrno(() => write(fd, buf), 'EBADF', 'write');
    expectErrno(() => getsockopt(fd, SOL_SOCKET, SO_ERROR), 'EBADF', 'getsockopt');
    expectErrno(() => setsockopt(fd, SOL_SOCKET, SO_ERROR, 1), 'EBADF', 'setsockopt');
    expectErrno(() => fcntl(fd, F_GETFL), 'EBADF', 'fcntl');
    expect(isOpen(fd)).toBe(false);
  });
});

describe('ENOTSOCK', () => {
  it('socket calls on a pipe throw ENOTSOCK, while read and write work on it', () => {
    withFifo((fd) => {
      const buf = new Uint8Array(4);
      expectErrno(() => bind(fd, loop4(0)), 'ENOTSOCK', 'bind');
      expectErrno(() => listen(fd, 1), 'ENOTSOCK', 'listen');
      expectErrno(() => accept(fd), 'ENOTSOCK', 'accept');
      expectErrno(() => connect(fd, loop4(1)), 'ENOTSOCK', 'connect');
      expectErrno(() => shutdown(fd, SHUT_RDWR), 'ENOTSOCK', 'shutdown');
      expectErrno(() => getsockname(fd, new sockaddr_in()), 'ENOTSOCK', 'getsockname');
      expectErrno(() => getpeername(fd, new sockaddr_in()), 'ENOTSOCK', 'getpeername');
      expectErrno(() => send(fd, buf), 'ENOTSOCK', 'send');
      expectErrno(() => recv(fd, buf), 'ENOTSOCK', 'recv');
      expectErrno(() => getsockopt(fd, SOL_SOCKET, SO_ERROR), 'ENOTSOCK', 'getsockopt');
      expectErrno(() => setsockopt(fd, SOL_SOCKET, SO_ERROR, 1), 'ENOTSOCK', 'setsockopt');
      expect(write(fd, enc('pipe'))).toBe(4);
      expect(read(fd, buf)).toBe(4);
      expect(dec(buf)).toBe('pipe');
    });
  });
});

describe('shutdown and resets', () => {
  it('shutdown(SHUT_WR): the peer reads EOF (0) while data still flows the other way', () => {
    const p = tcpPair();
    try {
      expect(send(p.client, enc('last'))).toBe(4);
      expect(shutdown(p.client, SHUT_WR)).toBe(0);
      const buf = new Uint8Array(16);
      expect(recv(p.server, buf)).toBe(4);
      expect(dec(buf, 4)).toBe('last');
      expect(recv(p.server, buf)).toBe(0);
      expect(recv(p.server, buf)).toBe(0);
      // The other direction is still open.
      expect(send(p.server, enc('reply'))).toBe(5);
      expect(recv(p.client, buf)).toBe(5);
      expect(dec(buf, 5)).toBe('reply');
      // Writing on the shut-down side is EPIPE, and MSG_NOSIGNAL keeps SIGPIPE away.
      expectErrno(() => send(p.client, enc('x')), 'EPIPE', 'send');
    } finally {
      p.close();
    }
  });

  it('shutdown(SHUT_RD) on a socketpair end makes its recv return 0 at once', () => {
    const [a, b] = pair();
    try {
      expect(shutdown(a, SHUT_RD)).toBe(0);
      expect(recv(a, new Uint8Array(4))).toBe(0);
      expect(send(a, enc('ok'))).toBe(2);
      expect(recv(b, new Uint8Array(4))).toBe(2);
    } finally {
      closeAll(a, b);
    }
  });

  it('shutdown: an unconnected TCP socket throws ENOTCONN', () => {
    const s = socket(AF_INET, SOCK_STREAM, 0);
    try {
      expectErrno(() => shutdown(s, SHUT_RDWR), 'ENOTCONN', 'shutdown');
      expectErrno(() => getpeername(s, new sockaddr_in()), 'ENOTCONN', 'getpeername');
    } finally {
      closeAll(s);
    }
  });

  it('close with SO_LINGER {1, 0} sends RST: the peer\'s recv throws ECONNRESET', () => {
    const p = tcpPair();
    try {
      const l = new linger();
      l.l_onoff = 1;
      l.l_linger = 0;
      expect(setsockopt(p.client, SOL_SOCKET, SO_LINGER, l)).toBe(0);
      expect(close(p.client)).toBe(0);
      expectErrno(() => recv(p.server, new Uint8Array(8)), 'ECONNRESET', 'recv');
      // The error is reported once; the connection is then simply closed.
      expect(recv(p.server, new Uint8Array(8))).toBe(0);
    } finally {
      p.close();
    }
  });

  it('send after the peer reset the connection throws EPIPE or ECONNRESET, never SIGPIPE', () => {
    const p = tcpPair();
    try {
      const l = new linger();
      l.l_onoff = 1;
      l.l_linger = 0;
      setsockopt(p.server, SOL_SOCKET, SO_LINGER, l);
      close(p.server);
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) {
        try {
          send(p.client, enc('x'));
        } catch (e) {
          codes.push((e as ErrnoError).code);
        }
      }
      expect(codes.length).toBeGreaterThan(0);
      for (const c of codes) expect(['EPIPE', 'ECONNRESET']).toContain(c);
    } finally {
      p.close();
    }
  });
});

it('AF_INET6 sockets exist and report their domain through getsockname', () => {
  const s = socket(AF_INET6, SOCK_DGRAM, 0);
  try {
    const st = new sockaddr_storage();
    getsockname(s, st);
    expect(st.ss_family).toBe(AF_INET6);
  } finally {
    closeAll(s);
  }
});

describe('address out-parameters that are too small (C truncation semantics)', () => {
  /** A sockaddr_in placed inside a canary buffer: the kernel may write 16 bytes, no more. */
  function boxedIn(): { a: sockaddr_in; c: ReturnType<typeof canary> } {
    const c = canary(binding.layout.sockaddr_in.size);
    return { a: new sockaddr_in(c.view), c };
  }

  it('getsockname: an AF_INET6 name into a sockaddr_in is truncated to 16 bytes and addrlen reports the real 28', () => {
    const fd = socket(AF_INET6, SOCK_DGRAM, 0);
    try {
      const { a, c } = boxedIn();
      expect(getsockname(fd, a)).toBe(0);
      expect(a.addrlen).toBe(binding.layout.sockaddr_in6.size);
      expect(a.sin_family).toBe(AF_INET6);
      expect(c.intact()).toBe(true);
    } finally {
      closeAll(fd);
    }
  });

  it('accept: an IPv6 peer into a sockaddr_in writes only sizeof(sockaddr_in) bytes', () => {
    const l = socket(AF_INET6, SOCK_STREAM, 0);
    const c6 = socket(AF_INET6, SOCK_STREAM, 0);
    let s = -1;
    try {
      const me = new sockaddr_in6();
      inet_pton(AF_INET6, '::1', me.sin6_addr);
      bind(l, me);
      listen(l, 1);
      getsockname(l, me);
      connect(c6, me);
      const { a, c } = boxedIn();
      s = accept(l, a);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(a.addrlen).toBe(binding.layout.sockaddr_in6.size);
      expect(c.intact()).toBe(true);
    } finally {
      closeAll(s, c6, l);
    }
  });

  it('recvfrom: an IPv6 sender into a sockaddr_in writes only sizeof(sockaddr_in) bytes', () => {
    const a6 = socket(AF_INET6, SOCK_DGRAM, 0);
    const b6 = socket(AF_INET6, SOCK_DGRAM, 0);
    try {
      const to = new sockaddr_in6();
      inet_pton(AF_INET6, '::1', to.sin6_addr);
      bind(b6, to);
      getsockname(b6, to);
      sendto(a6, enc('v6'), 2, 0, to);
      const { a, c } = boxedIn();
      expect(recvfrom(b6, new Uint8Array(8), 8, 0, a)).toBe(2);
      expect(a.addrlen).toBe(binding.layout.sockaddr_in6.size);
      expect(c.intact()).toBe(true);
    } finally {
      closeAll(a6, b6);
    }
  });

  it('bind: an explicit addrlen shorter than the family needs throws EINVAL from the kernel', () => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    try {
      expectErrno(() => bind(fd, loop4(0), 8), 'EINVAL', 'bind');
      expectErrno(() => connect(fd, loop4(1), 0), 'EINVAL', 'connect');
    } finally {
      closeAll(fd);
    }
  });
});

describe('AF_UNIX names', () => {
  it('an abstract name given as bytes keeps its embedded NULs through bind, getsockname and accept', () => {
    const name = Uint8Array.of(0, ...enc(`sockfd-${process.pid}`), 0, 1, 0, ...enc('end'));
    const l = socket(AF_UNIX, SOCK_STREAM, 0);
    const c = socket(AF_UNIX, SOCK_STREAM, 0);
    let s = -1;
    try {
      const a = new sockaddr_un();
      a.sun_path = name;
      expect(a.addrlen).toBe(binding.layout.sockaddr_un.sun_path + name.length);
      bind(l, a);
      listen(l, 1);
      const got = new sockaddr_un();
      getsockname(l, got);
      expect([...got.pathBytes()]).toEqual([...name]);
      // The client binds its own abstract name; accept reports it byte for byte.
      const mine = Uint8Array.of(0, ...enc('client'), 0, 0, 7);
      const ca = new sockaddr_un();
      ca.sun_path = mine;
      bind(c, ca);
      connect(c, a);
      const from = new sockaddr_un();
      s = accept(l, from);
      expect(from.addrlen).toBe(binding.layout.sockaddr_un.sun_path + mine.length);
      expect([...from.pathBytes()]).toEqual([...mine]);
      const peerName = new sockaddr_un();
      getpeername(c, peerName);
      expect([...peerName.pathBytes()]).toEqual([...name]);
    } finally {
      closeAll(s, c, l);
    }
  });

  it('binding a path that already exists throws EADDRINUSE; a missing directory ENOENT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockfd-un-'));
    const a = socket(AF_UNIX, SOCK_DGRAM, 0);
    const b = socket(AF_UNIX, SOCK_DGRAM, 0);
    try {
      const addr = new sockaddr_un();
      addr.sun_path = join(dir, 'x');
      bind(a, addr);
      expectErrno(() => bind(b, addr), 'EADDRINUSE', 'bind');
      const missing = new sockaddr_un();
      missing.sun_path = join(dir, 'no', 'such');
      expectErrno(() => bind(b, missing), 'ENOENT', 'bind');
      expectErrno(() => connect(b, missing), 'ENOENT', 'connect');
    } finally {
      closeAll(a, b);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('ErrnoError from connect carries the address and port it used', () => {
  const holder = socket(AF_INET, SOCK_STREAM, 0);
  const c = socket(AF_INET, SOCK_STREAM, 0);
  try {
    bind(holder, loop4(0));
    const port = localPort(holder);
    const e = expectErrno(() => connect(c, loop4(port)), 'ECONNREFUSED', 'connect');
    expect(e.address).toBe('127.0.0.1');
    expect(e.port).toBe(port);
  } finally {
    closeAll(c, holder);
  }
});

describe('value-result addrlen (socklen_t), as in C', () => {
  it('accept(fd, addr, len): len = sizeof(addr) going in, the kernel\'s length coming out', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM, 0);
    let s = -1;
    try {
      connect(c, l.addr);
      const addr = new sockaddr_in();
      const len = new socklen_t(sizeof(addr));
      s = accept(l.fd, addr, len);
      expect(len.value).toBe(binding.layout.sockaddr_in.size);
      expect(addr.addrlen).toBe(len.value);
      expect(ntohs(addr.sin_port)).toBe(localPort(c));
    } finally {
      closeAll(c, s, l.fd);
    }
  });

  it('accept: a capacity smaller than the address limits what the kernel writes; len reports the full length', () => {
    const l = listener4();
    const c = socket(AF_INET, SOCK_STREAM, 0);
    let s = -1;
    try {
      connect(c, l.addr);
      const box = canary(binding.layout.sockaddr_in.size);
      box.view.fill(0xee);
      const addr = new sockaddr_in(box.view);
      const len = new socklen_t(4); // room for sin_family and sin_port only
      s = accept(l.fd, addr, len);
      expect(len.value).toBe(binding.layout.sockaddr_in.size);
      expect(addr.sin_family).toBe(AF_INET);
      expect(ntohs(addr.sin_port)).toBe(localPort(c));
      expect([...box.view.subarray(4)]).toEqual(new Array(box.view.length - 4).fill(0xee));
      expect(box.intact()).toBe(true);
    } finally {
      closeAll(c, s, l.fd);
    }
  });

  it('getsockname and recvfrom store the kernel\'s length in a socklen_t', () => {
    const a = socket(AF_INET, SOCK_DGRAM, 0);
    const b = socket(AF_INET, SOCK_DGRAM, 0);
    try {
      bind(a, loop4(0));
      bind(b, loop4(0));
      const name = new sockaddr_storage();
      const len = new socklen_t(sizeof(name));
      expect(getsockname(b, name, len)).toBe(0);
      expect(len.value).toBe(binding.layout.sockaddr_in.size);
      sendto(a, enc('hi'), 2, 0, name.cast());
      const from = new sockaddr_in();
      const flen = new socklen_t(sizeof(from));
      expect(recvfrom(b, new Uint8Array(4), 4, 0, from, flen)).toBe(2);
      expect(flen.value).toBe(binding.layout.sockaddr_in.size);
      expect(ntohs(from.sin_port)).toBe(localPort(a));
    } finally {
      closeAll(a, b);
    }
  });

  it('an addrlen capacity larger than the struct is a RangeError naming addrlen, before any syscall', () => {
    const l = listener4();
    try {
      const addr = new sockaddr_in();
      for (const bad of [17, new socklen_t(1000)]) {
        expect(() => accept(l.fd, addr, bad)).toThrow(RangeError);
        expect(() => accept(l.fd, addr, bad)).toThrow(/^accept: .*\baddrlen\b/);
        expect(() => getsockname(l.fd, addr, bad)).toThrow(/^getsockname: .*\baddrlen\b/);
      }
    } finally {
      closeAll(l.fd);
    }
  });
});
