// sockopt.cc: setsockopt getsockopt fcntl — man 2 setsockopt, man 7 socket, man 7 tcp,
// man 2 fcntl. Int options, the struct options (linger, timeval), the raw buffer form with
// an explicit optlen, and the fcntl commands the package supports.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EAGAIN,
  FD_CLOEXEC,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  IPPROTO_TCP,
  O_NONBLOCK,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_RCVBUF,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_SNDTIMEO,
  SO_TYPE,
  TCP_NODELAY,
  binding,
  close,
  fcntl,
  getsockopt,
  linger,
  listen,
  bind,
  recv,
  send,
  setsockopt,
  socket,
  timeval,
  tryRecv,
  trySend,
  accept,
  MSG_DONTWAIT,
} from './helpers/lib';
import { closeAll, dec, enc, expectErrno, isOpen, loop4, pair } from './helpers/util';

function withSocket(domain: number, type: number, fn: (fd: number) => void): void {
  const fd = socket(domain, type, 0);
  try {
    fn(fd);
  } finally {
    closeAll(fd);
  }
}

describe('setsockopt and getsockopt: int options', () => {
  it('SO_REUSEADDR: off on a new socket, reads back non-zero after setting 1, 0 after setting 0', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
      expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1)).toBe(0);
      expect(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR)).not.toBe(0);
      expect(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 0)).toBe(0);
      expect(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR)).toBe(0);
    });
  });

  it('SO_RCVBUF: the kernel doubles the value set (man 7 socket)', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 32768)).toBe(0);
      expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).toBe(65536);
    });
  });

  it('TCP_NODELAY: 0 by default on a TCP socket, 1 after setting it', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY)).toBe(0);
      expect(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1)).toBe(0);
      expect(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY)).toBe(1);
    });
  });

  it('SO_TYPE: reports SOCK_STREAM or SOCK_DGRAM without the creation flags', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => expect(getsockopt(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM));
    withSocket(AF_INET, SOCK_DGRAM, (fd) => expect(getsockopt(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_DGRAM));
    withSocket(AF_UNIX, SOCK_DGRAM, (fd) => expect(getsockopt(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_DGRAM));
  });

  it('SO_ERROR: 0 on a fresh socket; SO_ACCEPTCONN: 1 only after listen', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(getsockopt(fd, SOL_SOCKET, SO_ERROR)).toBe(0);
      expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(0);
      bind(fd, loop4(0));
      listen(fd, 4);
      expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(1);
    });
  });

  it('SO_TYPE is read-only: setsockopt throws ENOPROTOOPT; an unknown level throws too', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expectErrno(() => setsockopt(fd, SOL_SOCKET, SO_TYPE, 1), 'ENOPROTOOPT', 'setsockopt');
      expectErrno(() => getsockopt(fd, SOL_SOCKET, 99999), 'ENOPROTOOPT', 'getsockopt');
    });
  });
});

describe('setsockopt and getsockopt: struct options', () => {
  it('SO_LINGER: a linger {1, 5} reads back into a linger struct and returns sizeof(struct linger)', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      const off = new linger();
      expect(getsockopt(fd, SOL_SOCKET, SO_LINGER, off)).toBe(binding.layout.linger.size);
      expect(off.l_onoff).toBe(0);
      const l = new linger();
      l.l_onoff = 1;
      l.l_linger = 5;
      expect(l.bytes.length).toBe(binding.layout.linger.size);
      expect(setsockopt(fd, SOL_SOCKET, SO_LINGER, l)).toBe(0);
      const got = new linger();
      expect(getsockopt(fd, SOL_SOCKET, SO_LINGER, got)).toBe(binding.layout.linger.size);
      expect(got.l_onoff).not.toBe(0);
      expect(got.l_linger).toBe(5);
    });
  });

  it('SO_RCVTIMEO and SO_SNDTIMEO: a timeval reads back as set', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      const tv = new timeval();
      tv.tv_sec = 2;
      tv.tv_usec = 500000;
      expect(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv)).toBe(0);
      expect(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv)).toBe(0);
      for (const opt of [SO_RCVTIMEO, SO_SNDTIMEO]) {
        const got = new timeval();
        expect(getsockopt(fd, SOL_SOCKET, opt, got)).toBe(binding.layout.timeval.size);
        expect(got.tv_sec).toBe(2);
        expect(got.tv_usec).toBe(500000);
      }
    });
  });

  it('SO_RCVTIMEO: a blocking recv with nothing to read throws EAGAIN after about the set time', () => {
    const [a, b] = pair();
    try {
      const tv = new timeval();
      tv.tv_sec = 0;
      tv.tv_usec = 200_000;
      setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, tv);
      const t0 = Date.now();
      const e = expectErrno(() => recv(a, new Uint8Array(4)), 'EAGAIN', 'recv');
      const took = Date.now() - t0;
      expect(e.errno).toBe(EAGAIN);
      expect(took).toBeGreaterThanOrEqual(150);
      expect(took).toBeLessThan(2000);
      // tryRecv takes the same timeout path without an exception.
      expect(tryRecv(a, new Uint8Array(4))).toBe(-EAGAIN);
    } finally {
      closeAll(a, b);
    }
  });

  it('raw form: an Int32Array with an explicit optlen sets an int option; getsockopt fills it and returns the length', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, Int32Array.of(1), 4)).toBe(0);
      expect(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE)).toBe(1);
      const out = new Int32Array(2).fill(-1);
      expect(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, out)).toBe(4);
      expect(out[0]).toBe(1);
      expect(out[1]).toBe(-1); // only optlen bytes written
      // optlen shorter than the buffer: only the first 4 bytes of a larger view are used.
      const wide = new Uint8Array(16);
      new DataView(wide.buffer).setInt32(0, 0, true);
      wide.fill(0xff, 4);
      expect(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, wide, 4)).toBe(0);
      expect(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE)).toBe(0);
    });
  });

  it('raw form: a too-short optlen for an int option throws EINVAL from the kernel', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expectErrno(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, new Uint8Array(4), 2), 'EINVAL', 'setsockopt');
    });
  });
});

describe('fcntl', () => {
  it('F_GETFL/F_SETFL: O_NONBLOCK can be set and cleared; a non-blocking recv then throws EAGAIN', () => {
    const [a, b] = pair();
    try {
      const flags = fcntl(a, F_GETFL);
      expect(flags & O_NONBLOCK).toBe(0);
      expect(fcntl(a, F_SETFL, flags | O_NONBLOCK)).toBe(0);
      expect(fcntl(a, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
      expectErrno(() => recv(a, new Uint8Array(1)), 'EAGAIN', 'recv');
      expect(fcntl(a, F_SETFL, flags)).toBe(0);
      expect(fcntl(a, F_GETFL) & O_NONBLOCK).toBe(0);
    } finally {
      closeAll(a, b);
    }
  });

  it('F_GETFD/F_SETFD: FD_CLOEXEC is set on a new socket; F_SETFD 0 clears it and FD_CLOEXEC sets it back', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(fcntl(fd, F_GETFD)).toBe(FD_CLOEXEC);
      expect(fcntl(fd, F_SETFD, 0)).toBe(0);
      expect(fcntl(fd, F_GETFD)).toBe(0);
      expect(fcntl(fd, F_SETFD, FD_CLOEXEC)).toBe(0);
      expect(fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
    });
  });

  it('F_DUPFD_CLOEXEC: returns the lowest free fd >= arg, close-on-exec, sharing the same socket', () => {
    const [a, b] = pair();
    let d = -1;
    try {
      d = fcntl(a, F_DUPFD_CLOEXEC, 3000);
      expect(d).toBeGreaterThanOrEqual(3000);
      expect(fcntl(d, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      expect(send(d, enc('via dup'))).toBe(7);
      const buf = new Uint8Array(16);
      expect(recv(b, buf)).toBe(7);
      expect(dec(buf, 7)).toBe('via dup');
      // Closing the duplicate leaves the original open.
      expect(close(d)).toBe(0);
      d = -1;
      expect(isOpen(a)).toBe(true);
      expect(send(a, enc('x'))).toBe(1);
    } finally {
      closeAll(d, a, b);
    }
  });

  it('F_DUPFD: duplicates the fd to a number >= arg', () => {
    const [a, b] = pair();
    let d = -1;
    try {
      d = fcntl(a, F_DUPFD, 3100);
      expect(d).toBeGreaterThanOrEqual(3100);
      expect(send(d, enc('y'))).toBe(1);
      expect(recv(b, new Uint8Array(1))).toBe(1);
    } finally {
      closeAll(d, a, b);
    }
  });

  it('fcntl(fd, F_GETFL, 0) and fcntl(fd, F_GETFD, 0) — the common C spelling with an unused arg — work', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(fcntl(fd, F_GETFL, 0)).toBe(fcntl(fd, F_GETFL));
      expect(fcntl(fd, F_GETFD, 0)).toBe(FD_CLOEXEC);
    });
  });

  it('fcntl: a cmd outside the supported set (F_GETLK takes a pointer) is a RangeError naming cmd', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      const F_GETLK = 5; // <fcntl.h> on Linux; deliberately not exported by the package
      expect(() => fcntl(fd, F_GETLK, 0)).toThrow(RangeError);
      expect(() => fcntl(fd, F_GETLK, 0)).toThrow(/^fcntl: .*\bcmd\b/);
    });
  });
});

describe('timeouts', () => {
  it('SO_SNDTIMEO: a blocking send on a full socket throws EAGAIN after about the set time', () => {
    const [a, b] = pair();
    try {
      const chunk = new Uint8Array(65536);
      for (let i = 0; i < 10_000 && trySend(a, chunk, chunk.length, MSG_DONTWAIT) > 0; i++);
      setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, new timeval(0, 200_000));
      const t0 = Date.now();
      expectErrno(() => send(a, chunk), 'EAGAIN', 'send');
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(150);
      expect(took).toBeLessThan(2000);
    } finally {
      closeAll(a, b);
    }
  });

  it('SO_RCVTIMEO also bounds a blocking accept: EAGAIN after about the set time (man 7 socket)', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      bind(fd, loop4(0));
      listen(fd, 1);
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new timeval(0, 200_000));
      const t0 = Date.now();
      expectErrno(() => accept(fd), 'EAGAIN', 'accept');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    });
  });

  it('SO_RCVTIMEO: tv_usec outside 0..999999 throws EDOM from the kernel', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expectErrno(() => setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new timeval(0, 1_000_000)), 'EDOM', 'setsockopt');
      expectErrno(() => setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new timeval(0, -1)), 'EDOM', 'setsockopt');
    });
  });

  it('setsockopt: a struct with an optlen larger than the struct is a RangeError; a shorter one EINVAL', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      const l = new linger(1, 0);
      expect(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, l, binding.layout.linger.size + 1)).toThrow(RangeError);
      expectErrno(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, l, 4), 'EINVAL', 'setsockopt');
      const got = new linger();
      getsockopt(fd, SOL_SOCKET, SO_LINGER, got);
      expect(got.l_onoff).toBe(0);
    });
  });
});

