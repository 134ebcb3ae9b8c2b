// C's out-parameters, done exactly: the fds a call made never leak when storing them fails,
// an address struct keeps no byte of an earlier address past the length the kernel reported,
// and an empty sun_path is C's empty name (bind autobinds).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as S from './helpers/lib';
import { AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM } from './helpers/lib';
import { closeAll, enc, listener4, loop4, pair, tcpPair, thrown } from './helpers/util';

const UN = S.binding.layout.sockaddr_un;

/** The number of open fds of this process. */
function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('socketpair: the two new fds never leak', () => {
  it('socketpair: a frozen sv is a TypeError before the syscall; no fd is made', () => {
    const before = fdCount();
    const sv = Object.freeze([0, 0]);
    const e = thrown(() => S.socketpair(AF_UNIX, SOCK_STREAM, 0, sv as number[])) as Error & { code?: string };
    expect(e).toBeInstanceOf(TypeError);
    expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(e.message).toBe('socketpair: sv must be an Int32Array or a writable array, got array');
    expect([...sv]).toEqual([0, 0]);
    expect(fdCount()).toBe(before);
  });

  it('socketpair: an sv whose element is a throwing setter, or a sealed empty array, is refused before the syscall', () => {
    const before = fdCount();
    const withSetter: number[] = [0, 0];
    Object.defineProperty(withSetter, 1, {
      get: () => 0,
      set: () => {
        throw new Error('setter ran');
      },
    });
    for (const sv of [withSetter, Object.seal([] as number[]), Object.preventExtensions([7] as number[])]) {
      const e = thrown(() => S.socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) as Error & { code?: string };
      expect(e).toBeInstanceOf(TypeError);
      expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
    }
    expect(fdCount()).toBe(before);
  });

  it('socketpair: a Proxy sv whose set trap throws gets its error, and both new fds are closed first', () => {
    const before = fdCount();
    const boom = new Error('set trap');
    const sv = new Proxy([0, 0], {
      set: () => {
        throw boom;
      },
    });
    expect(thrown(() => S.socketpair(AF_UNIX, SOCK_STREAM, 0, sv))).toBe(boom);
    expect(fdCount()).toBe(before);
  });

  it('socketpair: a plain array still receives both fds', () => {
    const sv: number[] = [];
    expect(S.socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
    try {
      expect(sv.length).toBe(2);
      expect(S.send(sv[0], enc('x'))).toBe(1);
    } finally {
      closeAll(...sv);
    }
  });
});

describe('accept: the new fd never leaks', () => {
  it('accept: a frozen socklen_t is a TypeError before the syscall; the connection stays queued', () => {
    const l = listener4();
    const c = S.socket(AF_INET, SOCK_STREAM, 0);
    let fd = -1;
    try {
      S.connect(c, l.addr);
      const before = fdCount();
      const len = Object.freeze(new S.socklen_t(16));
      for (const call of [
        () => S.accept(l.fd, new S.sockaddr_in(), len),
        () => S.accept4(l.fd, new S.sockaddr_in(), len, 0),
        () => S.tryAccept(l.fd, new S.sockaddr_in(), len),
      ]) {
        const e = thrown(call) as Error & { code?: string };
        expect(e).toBeInstanceOf(TypeError);
        expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
        expect(e.message).toMatch(/^accept4?: addrlen must be a socklen_t with a writable value, got object$/);
      }
      expect(fdCount()).toBe(before);
      fd = S.accept(l.fd); // still there: nothing was accepted and dropped
      expect(fd).toBeGreaterThanOrEqual(0);
    } finally {
      closeAll(c, fd, l.fd);
    }
  });

  it('accept and accept4: a socklen_t Proxy whose set trap throws gets its error, and the accepted fd is closed', () => {
    const l = listener4();
    const clients: number[] = [];
    try {
      for (const call of [
        (len: S.socklen_t) => S.accept(l.fd, new S.sockaddr_in(), len),
        (len: S.socklen_t) => S.accept4(l.fd, new S.sockaddr_in(), len, 0),
      ]) {
        const c = S.socket(AF_INET, SOCK_STREAM, 0);
        clients.push(c);
        S.connect(c, l.addr);
        const before = fdCount();
        const boom = new Error('set trap');
        const len = new Proxy(new S.socklen_t(16), {
          set: () => {
            throw boom;
          },
        });
        expect(thrown(() => call(len))).toBe(boom);
        expect(fdCount()).toBe(before);
      }
    } finally {
      closeAll(...clients, l.fd);
    }
  });
});

describe('output addresses keep no stale bytes', () => {
  it('recvfrom: an unnamed AF_UNIX sender (addrlen 0) leaves a used sockaddr_storage all zero', () => {
    const a = S.socket(AF_INET, SOCK_DGRAM, 0);
    const b = S.socket(AF_INET, SOCK_DGRAM, 0);
    const [x, y] = pair(SOCK_DGRAM);
    try {
      S.bind(a, loop4(0));
      S.bind(b, loop4(0));
      const to = new S.sockaddr_in();
      S.getsockname(b, to);
      S.sendto(a, enc('one'), 3, 0, to);
      const from = new S.sockaddr_storage();
      const buf = new Uint8Array(8);
      expect(S.recvfrom(b, buf, 8, 0, from)).toBe(3);
      expect(from.ss_family).toBe(AF_INET);
      // Now a datagram whose sender has no name: the kernel reports length 0.
      S.send(x, enc('two'));
      const len = new S.socklen_t(S.sizeof(from));
      expect(S.recvfrom(y, buf, 8, 0, from, len)).toBe(3);
      expect(len.value).toBe(0);
      expect(from.addrlen).toBe(0);
      expect(from.ss_family).toBe(0);
      expect(from.bytes.every((v) => v === 0)).toBe(true);
    } finally {
      closeAll(a, b, x, y);
    }
  });

  it('recvfrom on a TCP stream (addrlen 0) clears an address left from an earlier call', () => {
    const p = tcpPair();
    try {
      const from = new S.sockaddr_in();
      S.getpeername(p.server, from);
      expect(from.sin_port).not.toBe(0);
      S.send(p.client, enc('hi'));
      expect(S.recvfrom(p.server, new Uint8Array(4), 4, 0, from)).toBe(2);
      expect(from.addrlen).toBe(0);
      expect(from.bytes.every((v) => v === 0)).toBe(true);
    } finally {
      p.close();
    }
  });

  it('getsockname: a shorter name (an unbound AF_UNIX socket: the family only) zeroes the rest of the struct', () => {
    const l = listener4();
    const [x, y] = pair();
    try {
      const name = new S.sockaddr_storage();
      S.getsockname(l.fd, name);
      expect(name.ss_family).toBe(AF_INET);
      S.getsockname(x, name);
      expect(name.addrlen).toBe(UN.sun_path);
      expect(name.ss_family).toBe(AF_UNIX);
      expect(name.bytes.subarray(UN.sun_path).every((v) => v === 0)).toBe(true);
    } finally {
      closeAll(l.fd, x, y);
    }
  });

  it('accept: the peer address replaces an earlier, longer one completely', () => {
    const l = listener4();
    const c = S.socket(AF_INET, SOCK_STREAM, 0);
    let fd = -1;
    try {
      S.connect(c, l.addr);
      const peer = new S.sockaddr_storage();
      peer.bytes.fill(0xee);
      fd = S.accept(l.fd, peer);
      expect(peer.addrlen).toBe(S.binding.layout.sockaddr_in.size);
      expect(peer.bytes.subarray(peer.addrlen).every((v) => v === 0)).toBe(true);
    } finally {
      closeAll(c, fd, l.fd);
    }
  });
});

describe("sun_path = '': C's empty name", () => {
  it("sockaddr_un: sun_path = '' sets addrlen to sizeof(sa_family_t)", () => {
    const u = new S.sockaddr_un();
    u.sun_path = '/tmp/x';
    u.sun_path = '';
    expect(u.addrlen).toBe(UN.sun_path);
    expect(u.sun_path).toBe('');
    expect(u.bytes.subarray(UN.sun_path).every((v) => v === 0)).toBe(true);
  });

  it("bind: sun_path = '' autobinds a fresh abstract name (man 7 unix), every time", () => {
    const fds = [S.socket(AF_UNIX, SOCK_STREAM, 0), S.socket(AF_UNIX, SOCK_STREAM, 0)];
    try {
      const names: string[] = [];
      for (const fd of fds) {
        const u = new S.sockaddr_un();
        u.sun_path = '';
        expect(S.bind(fd, u)).toBe(0);
        const got = new S.sockaddr_un();
        S.getsockname(fd, got);
        // Autobind: a NUL and 5 hex digits (kernel >= 2.6.21), never the 1-byte name "\0".
        expect(got.addrlen).toBe(UN.sun_path + 6);
        expect(got.sun_path).toMatch(/^\0[0-9a-f]{5}$/);
        names.push(got.sun_path);
      }
      expect(names[0]).not.toBe(names[1]);
    } finally {
      closeAll(...fds);
    }
  });
});
