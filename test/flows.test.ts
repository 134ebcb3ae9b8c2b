// The documents' blocking server/client flow (../shared/seed-flows.md), translated call by
// call, over every transport the package supports. The server side runs in the test's own
// thread and blocks in accept(); the client runs in a worker thread (test/helpers/peer.ts).
// Every blocking socket carries SO_RCVTIMEO so a broken build fails instead of hanging.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  INADDR_ANY,
  INADDR_LOOPBACK,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOMAXCONN,
  accept,
  binding,
  bind,
  close,
  connect,
  getpeername,
  getsockname,
  htonl,
  htons,
  inet_ntop,
  inet_pton,
  listen,
  ntohs,
  parseAddress,
  recv,
  send,
  socket,
  socketpair,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
} from './helpers/lib';
import { peer } from './helpers/peer';
import { bindRandomPort, bound, closeAll, dec, enc } from './helpers/util';

/** recv until `n` bytes arrived or the peer closed; returns the text. */
function recvText(fd: number, n: number): string {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = recv(fd, buf, n - got, 0, got);
    if (r === 0) break;
    got += r;
  }
  return dec(buf, got);
}

// The client of every flow: waits so the server is already parked in accept(), connects,
// sends a greeting, reads the reply, closes. Returns its own sockaddr bytes (getsockname).
const CLIENT = `
  sleep(100);
  const fd = b.socket(data.family, b.constants.SOCK_STREAM, 0);
  try {
    rcvtimeo(fd, 5000);
    if (data.self) b.bind(fd, data.self, data.selfLen);
    b.connect(fd, data.addr, data.addrLen);
    const me = new Uint8Array(128);
    const len = new Uint32Array([128]);
    b.getsockname(fd, me, len);
    b.send(fd, enc('hello from client'));
    const buf = new Uint8Array(64);
    let got = '';
    while (got.length < 17) {
      const n = b.recv(fd, buf);
      if (n === 0) break;
      got += dec(buf.subarray(0, n));
    }
    return { me: me.slice(0, len[0]), got };
  } finally {
    b.close(fd);
  }
`;

type ClientResult = { me: Uint8Array; got: string };

/**
 * The server half: accept (blocking) filling `clientAddr`, recv the greeting, send a reply,
 * then recv returning 0 once the client has closed. Returns how long accept blocked.
 */
async function serve(server_fd: number, clientAddr: sockaddr_in | sockaddr_in6 | sockaddr_un, client: Promise<ClientResult>) {
  let new_socket = -1;
  try {
    const t0 = Date.now();
    new_socket = accept(server_fd, clientAddr);
    const blocked = Date.now() - t0;
    bound(new_socket);
    expect(new_socket).toBeGreaterThanOrEqual(0);
    expect(new_socket).not.toBe(server_fd);
    expect(recvText(new_socket, 17)).toBe('hello from client');
    expect(send(new_socket, enc('hello from server'))).toBe(17);
    const r = await client;
    expect(r.got).toBe('hello from server');
    // The client has closed: recv reports end of stream with 0, as the documents say.
    expect(recv(new_socket, new Uint8Array(16))).toBe(0);
    expect(close(new_socket)).toBe(0);
    new_socket = -1;
    return { blocked, me: r.me };
  } finally {
    closeAll(new_socket);
  }
}

describe('the documents\' blocking flow', () => {
  it('over 127.0.0.1: bind(INADDR_ANY, htons(port)), listen(SOMAXCONN), accept blocks and fills the client sockaddr_in', async () => {
    const server_fd = socket(AF_INET, SOCK_STREAM, 0);
    try {
      const port = bindRandomPort(server_fd, (p) => {
        const address = new sockaddr_in();
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = INADDR_ANY;
        address.sin_port = htons(p);
        return address;
      });
      expect(listen(server_fd, SOMAXCONN)).toBe(0);
      bound(server_fd);

      const server_address = new sockaddr_in();
      server_address.sin_family = AF_INET;
      server_address.sin_port = htons(port);
      expect(inet_pton(AF_INET, '127.0.0.1', server_address.sin_addr)).toBe(1);
      const client = peer<ClientResult>(CLIENT, {
        family: AF_INET,
        addr: server_address.bytes,
        addrLen: server_address.addrlen,
      });

      const clientAddr = new sockaddr_in();
      const { blocked, me } = await serve(server_fd, clientAddr, client.done);
      expect(blocked).toBeGreaterThanOrEqual(50);
      expect(clientAddr.sin_family).toBe(AF_INET);
      expect(clientAddr.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
      expect(clientAddr.addrlen).toBe(binding.layout.sockaddr_in.size);
      // The port accept reported is the one the client's own getsockname saw.
      const mine = new sockaddr_in();
      mine.bytes.set(me.subarray(0, mine.bytes.length));
      expect(clientAddr.sin_port).toBe(mine.sin_port);
      expect(ntohs(clientAddr.sin_port)).toBeGreaterThan(0);
      expect(clientAddr.toString()).toBe(`127.0.0.1:${ntohs(mine.sin_port)}`);
      expect(close(server_fd)).toBe(0);
    } finally {
      closeAll(server_fd);
    }
  });

  it('over ::1 (AF_INET6): accept fills sin6_family, sin6_port and sin6_addr == ::1', async () => {
    const server_fd = socket(AF_INET6, SOCK_STREAM, 0);
    try {
      const port = bindRandomPort(server_fd, (p) => {
        const address = new sockaddr_in6();
        address.sin6_family = AF_INET6;
        address.sin6_port = htons(p); // sin6_addr stays all-zero: in6addr_any
        return address;
      });
      expect(listen(server_fd, SOMAXCONN)).toBe(0);
      bound(server_fd);

      const server_address = new sockaddr_in6();
      server_address.sin6_family = AF_INET6;
      server_address.sin6_port = htons(port);
      expect(inet_pton(AF_INET6, '::1', server_address.sin6_addr)).toBe(1);
      const client = peer<ClientResult>(CLIENT, {
        family: AF_INET6,
        addr: server_address.bytes,
        addrLen: server_address.addrlen,
      });

      const clientAddr = new sockaddr_in6();
      const { blocked, me } = await serve(server_fd, clientAddr, client.done);
      expect(blocked).toBeGreaterThanOrEqual(50);
      expect(clientAddr.sin6_family).toBe(AF_INET6);
      expect(inet_ntop(AF_INET6, clientAddr.sin6_addr)).toBe('::1');
      expect(clientAddr.addrlen).toBe(binding.layout.sockaddr_in6.size);
      const mine = new sockaddr_in6();
      mine.bytes.set(me.subarray(0, mine.bytes.length));
      expect(clientAddr.sin6_port).toBe(mine.sin6_port);
      expect(clientAddr.toString()).toBe(`[::1]:${ntohs(mine.sin6_port)}`);
    } finally {
      closeAll(server_fd);
    }
  });

  it('over an AF_UNIX path: bind creates the socket file and accept fills the client\'s sun_path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockfd-flow-'));
    const server_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    try {
      const address = new sockaddr_un();
      address.sun_family = AF_UNIX;
      address.sun_path = join(dir, 'server.sock');
      expect(bind(server_fd, address)).toBe(0);
      expect(statSync(join(dir, 'server.sock')).isSocket()).toBe(true);
      expect(listen(server_fd, SOMAXCONN)).toBe(0);
      bound(server_fd);

      const self = new sockaddr_un();
      self.sun_family = AF_UNIX;
      self.sun_path = join(dir, 'client.sock');
      const client = peer<ClientResult>(CLIENT, {
        family: AF_UNIX,
        addr: address.bytes,
        addrLen: address.addrlen,
        self: self.bytes,
        selfLen: self.addrlen,
      });

      const clientAddr = new sockaddr_un();
      const { blocked } = await serve(server_fd, clientAddr, client.done);
      expect(blocked).toBeGreaterThanOrEqual(50);
      expect(clientAddr.sun_family).toBe(AF_UNIX);
      expect(clientAddr.sun_path).toBe(join(dir, 'client.sock'));
      const name = new sockaddr_un();
      expect(getsockname(server_fd, name)).toBe(0);
      expect(name.sun_path).toBe(join(dir, 'server.sock'));
    } finally {
      closeAll(server_fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('over an abstract AF_UNIX name with embedded NULs: getsockname returns exactly its bytes', async () => {
    const name = `\0sockfd\0flow\0${process.pid}-${Math.random().toString(36).slice(2)}`;
    const server_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    try {
      const address = parseAddress(`@${name.slice(1)}`) as sockaddr_un;
      expect(address).toBeInstanceOf(sockaddr_un);
      const off = binding.layout.sockaddr_un.sun_path;
      expect(address.addrlen).toBe(off + name.length);
      expect(bind(server_fd, address)).toBe(0);
      expect(listen(server_fd, SOMAXCONN)).toBe(0);
      bound(server_fd);

      const got = new sockaddr_un();
      expect(getsockname(server_fd, got)).toBe(0);
      expect(got.addrlen).toBe(off + name.length);
      expect([...got.bytes.subarray(off, got.addrlen)]).toEqual([...enc(name)]);
      expect(got.toString()).toBe(`@${name.slice(1)}`);

      const client = peer<ClientResult>(CLIENT, { family: AF_UNIX, addr: address.bytes, addrLen: address.addrlen });
      const { blocked } = await serve(server_fd, new sockaddr_un(), client.done);
      expect(blocked).toBeGreaterThanOrEqual(50);
    } finally {
      closeAll(server_fd);
    }
  });

  it('over socketpair: both ends carry data both ways and recv returns 0 after one end closes', async () => {
    for (const type of [SOCK_STREAM, SOCK_SEQPACKET]) {
      const sv = new Int32Array([-1, -1]);
      expect(socketpair(AF_UNIX, type, 0, sv)).toBe(0);
      try {
        expect(sv[0]).toBeGreaterThanOrEqual(0);
        expect(sv[1]).toBeGreaterThanOrEqual(0);
        expect(sv[0]).not.toBe(sv[1]);
        bound(sv[0]);
        bound(sv[1]);
        // A blocking recv waits for the worker's send.
        const writer = peer(`sleep(80); b.send(data.fd, enc('ping')); return 0;`, { fd: sv[1] });
        const t0 = Date.now();
        expect(recvText(sv[0], 4)).toBe('ping');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
        await writer.done;
        expect(send(sv[0], enc('pong'))).toBe(4);
        expect(recvText(sv[1], 4)).toBe('pong');
        expect(close(sv[1])).toBe(0);
        expect(recv(sv[0], new Uint8Array(8))).toBe(0);
      } finally {
        closeAll(sv[0], sv[1]);
      }
    }
  });

  it('socketpair accepts a plain number[] for sv and fills it', () => {
    const sv = [-1, -1];
    expect(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)).toBe(0);
    try {
      expect(Number.isInteger(sv[0]) && sv[0] >= 0).toBe(true);
      expect(Number.isInteger(sv[1]) && sv[1] >= 0).toBe(true);
      expect(send(sv[0], enc('d'))).toBe(1);
      expect(recv(sv[1], new Uint8Array(4))).toBe(1);
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('getpeername on the client names the server; the accepted socket has the listener\'s local port', () => {
    // Kept synchronous: connect completes into the backlog before accept runs.
    const l = socket(AF_INET, SOCK_STREAM, 0);
    let c = -1;
    let s = -1;
    try {
      const a = new sockaddr_in();
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bind(l, a);
      listen(l, 5);
      bound(l);
      const me = new sockaddr_in();
      getsockname(l, me);
      expect(ntohs(me.sin_port)).toBeGreaterThan(0);
      c = socket(AF_INET, SOCK_STREAM, 0);
      expect(connect(c, me)).toBe(0);
      const from = new sockaddr_in();
      s = accept(l, from);
      const peerName = new sockaddr_in();
      expect(getpeername(c, peerName)).toBe(0);
      expect(peerName.toString()).toBe(me.toString());
      const local = new sockaddr_in();
      getsockname(s, local);
      expect(local.sin_port).toBe(me.sin_port);
      const cp = new sockaddr_in();
      getsockname(c, cp);
      expect(from.sin_port).toBe(cp.sin_port);
    } finally {
      closeAll(c, s, l);
    }
  });
});
