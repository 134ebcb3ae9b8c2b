// io.cc: send recv sendto recvfrom read write and their try* forms — man 2 send, man 2
// recv, man 2 read/write, man 7 socket/tcp/udp. Flags are checked for their documented
// effect on real sockets.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EAGAIN,
  INADDR_LOOPBACK,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  binding,
  bind,
  close,
  connect,
  htonl,
  ntohs,
  read,
  recv,
  recvfrom,
  send,
  sendto,
  socket,
  socketpair,
  sockaddr_in,
  sockaddr_storage,
  tryRead,
  tryRecv,
  tryRecvfrom,
  trySend,
  trySendto,
  tryWrite,
  write,
} from './helpers/lib';
import * as S from './helpers/lib';
import { gypBuild, peer, root } from './helpers/peer';
import { bound, canary, closeAll, dec, enc, expectErrno, localPort, loop4, pair, tcpPair, waitUntil } from './helpers/util';

/** A UDP socket bound to 127.0.0.1 on a kernel-chosen port. */
function udp(): { fd: number; port: number; addr: sockaddr_in } {
  const fd = socket(AF_INET, SOCK_DGRAM, 0);
  bind(fd, loop4(0));
  bound(fd);
  const port = localPort(fd);
  return { fd, port, addr: loop4(port) };
}

describe('send and recv', () => {
  it('send returns the byte count; recv returns what arrived and fills only len bytes at offset', () => {
    const [a, b] = pair();
    try {
      const src = enc('0123456789');
      expect(send(a, src, 4, 0, 3)).toBe(4); // bytes 3..6: "3456"
      const c = canary(16);
      expect(recv(b, c.view, 8, 0, 2)).toBe(4);
      expect(dec(c.view.subarray(2, 6))).toBe('3456');
      expect([...c.view.subarray(0, 2)]).toEqual([0, 0]);
      expect([...c.view.subarray(6)]).toEqual(new Array(10).fill(0));
      expect(c.intact()).toBe(true);
    } finally {
      closeAll(a, b);
    }
  });

  it('send and recv take any ArrayBufferView or ArrayBuffer; len counts bytes, not elements', () => {
    const [a, b] = pair();
    try {
      const words = new Uint32Array([0x01020304, 0x05060708]);
      expect(send(a, words)).toBe(8);
      expect(send(a, new DataView(new Uint8Array([9, 9, 9]).buffer), 2)).toBe(2);
      expect(send(a, new Uint8Array([7]).buffer)).toBe(1);
      const out = new Uint16Array(8);
      expect(recv(b, out, 11)).toBe(11);
      const bytes = new Uint8Array(out.buffer);
      expect([...bytes.subarray(0, 4)]).toEqual([...new Uint8Array(words.buffer, 0, 4)]);
      expect([...bytes.subarray(8, 11)]).toEqual([9, 9, 7]);
      // A view that starts inside its buffer: the bytes are the view's, not the buffer's.
      const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
      expect(send(a, new Int16Array(backing.buffer, 2, 2))).toBe(4);
      const into = new Uint8Array(8);
      expect(recv(b, into.subarray(3, 7))).toBe(4);
      expect([...into]).toEqual([0, 0, 0, 3, 4, 5, 6, 0]);
    } finally {
      closeAll(a, b);
    }
  });

  it('read and write move bytes on a socket like recv and send without flags', () => {
    const [a, b] = pair();
    try {
      expect(write(a, enc('abcdef'), 3, 1)).toBe(3);
      const buf = new Uint8Array(8);
      expect(read(b, buf, 8, 0)).toBe(3);
      expect(dec(buf, 3)).toBe('bcd');
      expect(tryWrite(b, enc('z'))).toBe(1);
      expect(tryRead(a, buf)).toBe(1);
      close(b);
      expect(read(a, buf)).toBe(0);
    } finally {
      closeAll(a, b);
    }
  });

  it('read and write on an fd that is not a socket are the plain calls; a 0-byte read of an empty socket returns 0 at once', () => {
    // On a socket they are made as recv/send (docs/api.md "EINTR in blocking calls"); recv
    // reports ENOTSOCK for anything else, and read(2) must then still work.
    const zero = openSync('/dev/zero', 'r');
    const nul = openSync('/dev/null', 'w');
    const [a, b] = pair();
    try {
      const buf = new Uint8Array(8).fill(7);
      expect(read(zero, buf)).toBe(8);
      expect(buf.every((x) => x === 0)).toBe(true);
      expect(write(nul, buf, 5)).toBe(5);
      expectErrno(() => read(nul, buf), 'EBADF', 'read');
      // read(2) of 0 bytes does not wait for data (recv of 0 bytes on a stream would).
      const t0 = Date.now();
      expect(read(a, buf, 0)).toBe(0);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      closeSync(zero);
      closeSync(nul);
      closeAll(a, b);
    }
  });

  it('recv: MSG_PEEK returns the data and leaves it queued for the next recv', () => {
    const [a, b] = pair();
    try {
      send(a, enc('peekaboo'));
      const buf = new Uint8Array(16);
      expect(recv(b, buf, 4, MSG_PEEK)).toBe(4);
      expect(dec(buf, 4)).toBe('peek');
      expect(recv(b, buf, 16, MSG_PEEK)).toBe(8);
      expect(recv(b, buf)).toBe(8);
      expect(dec(buf, 8)).toBe('peekaboo');
      expect(tryRecv(b, buf, 16, MSG_DONTWAIT)).toBe(-EAGAIN);
    } finally {
      closeAll(a, b);
    }
  });

  it('recv: MSG_WAITALL waits until the full length has arrived from two separate sends', async () => {
    const [a, b] = pair();
    try {
      const writer = peer(
        `b.send(data.fd, enc('hello')); sleep(150); b.send(data.fd, enc(' world')); return 0;`,
        { fd: a },
      );
      const buf = new Uint8Array(11);
      // Wait until the first part is there, so a plain recv would return 5.
      expect(waitUntil(() => tryRecv(b, buf, 11, MSG_PEEK | MSG_DONTWAIT) === 5)).toBe(true);
      const t0 = Date.now();
      expect(recv(b, buf, 11, MSG_WAITALL)).toBe(11);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
      expect(dec(buf)).toBe('hello world');
      await writer.done;
    } finally {
      closeAll(a, b);
    }
  });

  it('recv: without MSG_WAITALL a blocking recv returns as soon as some data is there', async () => {
    const [a, b] = pair();
    try {
      const writer = peer(`sleep(60); b.send(data.fd, enc('hey')); return 0;`, { fd: a });
      const buf = new Uint8Array(64);
      expect(recv(b, buf)).toBe(3);
      await writer.done;
    } finally {
      closeAll(a, b);
    }
  });

  it('recv: MSG_DONTWAIT on a blocking socket throws EAGAIN when empty and returns data when present', () => {
    const [a, b] = pair();
    try {
      const buf = new Uint8Array(8);
      const t0 = Date.now();
      expectErrno(() => recv(b, buf, 8, MSG_DONTWAIT), 'EAGAIN', 'recv');
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(send(a, enc('now'), 3, MSG_DONTWAIT)).toBe(3);
      expect(recv(b, buf, 8, MSG_DONTWAIT)).toBe(3);
    } finally {
      closeAll(a, b);
    }
  });

  it('recv: an empty non-blocking socket throws EAGAIN; tryRecv returns -EAGAIN without throwing', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    try {
      const c = canary(8);
      const e = expectErrno(() => recv(sv[0], c.view), 'EAGAIN', 'recv');
      expect(e.errno).toBe(EAGAIN);
      expect(tryRecv(sv[0], c.view)).toBe(-EAGAIN);
      expect(tryRead(sv[0], c.view)).toBe(-EAGAIN);
      expect([...c.view]).toEqual(new Array(8).fill(0));
      expect(c.intact()).toBe(true);
      send(sv[1], enc('ok'));
      expect(tryRecv(sv[0], c.view)).toBe(2);
      expect(tryRecv(sv[0], c.view)).toBe(-EAGAIN);
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('trySend: returns -EAGAIN once the socket buffer is full; other errors still throw', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    try {
      const chunk = new Uint8Array(65536);
      let r = 0;
      let total = 0;
      for (let i = 0; i < 10_000 && (r = trySend(sv[0], chunk)) > 0; i++) total += r;
      expect(r).toBe(-EAGAIN);
      expect(total).toBeGreaterThan(0);
      expect(tryWrite(sv[0], chunk)).toBe(-EAGAIN);
      expectErrno(() => send(sv[0], chunk), 'EAGAIN', 'send');
      close(sv[1]);
      expectErrno(() => trySend(sv[0], chunk), 'EPIPE', 'send');
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('send: MSG_OOB sends one urgent byte that recv(MSG_OOB) reads apart from the stream', () => {
    const p = tcpPair();
    try {
      expect(send(p.client, enc('ab'))).toBe(2);
      expect(send(p.client, enc('!'), 1, MSG_OOB)).toBe(1);
      expect(send(p.client, enc('cd'))).toBe(2);
      const one = new Uint8Array(1);
      let r = -1;
      expect(
        waitUntil(() => {
          try {
            r = recv(p.server, one, 1, MSG_OOB | MSG_DONTWAIT);
            return true;
          } catch {
            return false;
          }
        }),
      ).toBe(true);
      expect(r).toBe(1);
      expect(dec(one)).toBe('!');
      const buf = new Uint8Array(16);
      let got = '';
      expect(waitUntil(() => {
        const n = tryRecv(p.server, buf, 16, MSG_DONTWAIT);
        if (n > 0) got += dec(buf, n);
        return got.length >= 4;
      })).toBe(true);
      expect(got).toBe('abcd');
    } finally {
      p.close();
    }
  });
});

describe('datagrams', () => {
  it('recv: MSG_TRUNC on a UDP datagram returns the real length and writes only the buffer\'s bytes', () => {
    const a = udp();
    const b = udp();
    try {
      const big = new Uint8Array(100).map((_, i) => i + 1);
      expect(sendto(a.fd, big, 100, 0, b.addr)).toBe(100);
      const c = canary(10);
      expect(recv(b.fd, c.view, 10, MSG_TRUNC)).toBe(100);
      expect([...c.view]).toEqual([...big.subarray(0, 10)]);
      expect(c.intact()).toBe(true);
      // The rest of that datagram is gone, as for any short datagram read.
      expect(tryRecv(b.fd, c.view, 10, MSG_DONTWAIT)).toBe(-EAGAIN);
    } finally {
      closeAll(a.fd, b.fd);
    }
  });

  it('recv: MSG_TRUNC with a window inside a bigger buffer (offset) touches nothing outside it', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    try {
      const msg = new Uint8Array(64).fill(0x5a);
      send(sv[0], msg);
      const c = canary(32);
      c.view.fill(0x11);
      expect(recv(sv[1], c.view, 4, MSG_TRUNC, 8)).toBe(64);
      expect([...c.view.subarray(8, 12)]).toEqual([0x5a, 0x5a, 0x5a, 0x5a]);
      expect([...c.view.subarray(0, 8)]).toEqual(new Array(8).fill(0x11));
      expect([...c.view.subarray(12)]).toEqual(new Array(20).fill(0x11));
      expect(c.intact()).toBe(true);
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('recv: a datagram longer than the buffer is cut to the buffer without MSG_TRUNC', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    try {
      send(sv[0], enc('0123456789'));
      send(sv[0], enc('next'));
      const c = canary(4);
      expect(recv(sv[1], c.view)).toBe(4);
      expect(dec(c.view)).toBe('0123');
      expect(c.intact()).toBe(true);
      expect(recv(sv[1], c.view)).toBe(4);
      expect(dec(c.view)).toBe('next');
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('recvfrom: fills the source address of a UDP datagram (family, port, 127.0.0.1) and addrlen', () => {
    const a = udp();
    const b = udp();
    try {
      expect(sendto(a.fd, enc('dgram'), 5, 0, b.addr)).toBe(5);
      const from = new sockaddr_in();
      const buf = new Uint8Array(16);
      expect(recvfrom(b.fd, buf, 16, 0, from)).toBe(5);
      expect(dec(buf, 5)).toBe('dgram');
      expect(from.sin_family).toBe(AF_INET);
      expect(ntohs(from.sin_port)).toBe(a.port);
      expect(from.sin_addr.s_addr).toBe(htonl(INADDR_LOOPBACK));
      expect(from.addrlen).toBe(binding.layout.sockaddr_in.size);
      // Into a sockaddr_storage, and with null when the caller does not want it.
      sendto(a.fd, enc('again'), 5, 0, b.addr);
      sendto(a.fd, enc('third'), 5, 0, b.addr);
      const st = new sockaddr_storage();
      expect(recvfrom(b.fd, buf, 16, 0, st)).toBe(5);
      expect(st.ss_family).toBe(AF_INET);
      expect(st.toString()).toBe(`127.0.0.1:${a.port}`);
      expect(recvfrom(b.fd, buf, 16, 0, null)).toBe(5);
      expect(dec(buf, 5)).toBe('third');
    } finally {
      closeAll(a.fd, b.fd);
    }
  });

  it('sendto: with a null address on a connected UDP socket sends to the connected peer', () => {
    const a = udp();
    const b = udp();
    try {
      connect(a.fd, b.addr);
      expect(sendto(a.fd, enc('conn'), 4, 0, null)).toBe(4);
      expect(trySendto(a.fd, enc('more'), 4, 0, null)).toBe(4);
      const buf = new Uint8Array(8);
      expect(recv(b.fd, buf)).toBe(4);
      expect(dec(buf, 4)).toBe('conn');
      const from = new sockaddr_in();
      expect(tryRecvfrom(b.fd, buf, 8, 0, from)).toBe(4);
      expect(ntohs(from.sin_port)).toBe(a.port);
      expect(tryRecvfrom(b.fd, buf, 8, MSG_DONTWAIT, from)).toBe(-EAGAIN);
    } finally {
      closeAll(a.fd, b.fd);
    }
  });

  it('sendto: an unconnected UDP socket with no address throws EDESTADDRREQ', () => {
    const a = udp();
    try {
      expectErrno(() => sendto(a.fd, enc('x'), 1, 0, null), 'EDESTADDRREQ', 'sendto');
      expectErrno(() => send(a.fd, enc('x')), 'EDESTADDRREQ', 'send');
    } finally {
      closeAll(a.fd);
    }
  });

  it('recv: a zero-length datagram is received as 0 bytes on SOCK_DGRAM', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    try {
      expect(send(sv[0], new Uint8Array(0))).toBe(0);
      expect(recv(sv[1], new Uint8Array(4), 4, MSG_DONTWAIT)).toBe(0);
      expect(tryRecv(sv[1], new Uint8Array(4), 4, MSG_DONTWAIT)).toBe(-EAGAIN);
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });
});

it('send: writing to a socketpair whose peer is closed throws EPIPE (write too)', () => {
  const [a, b] = pair();
  close(b);
  try {
    expectErrno(() => send(a, enc('x')), 'EPIPE', 'send');
    expectErrno(() => sendto(a, enc('x'), 1, 0, null), 'EPIPE', 'sendto');
    expectErrno(() => write(a, enc('x')), 'EPIPE', 'write');
  } finally {
    closeAll(a);
  }
});

it('send-like calls pass MSG_NOSIGNAL: no SIGPIPE reaches a process that handles it, while plain write(2) raises one', () => {
  // Node ignores SIGPIPE, so this runs in a child that installs a SIGPIPE listener and
  // counts deliveries. write() is the control: it has no flags, so the kernel signals.
  const code = `
    const b = require(${JSON.stringify(gypBuild)})(${JSON.stringify(root)});
    let pipes = 0;
    process.on('SIGPIPE', () => pipes++);
    const sv = new Int32Array(2);
    b.socketpair(b.constants.AF_UNIX, b.constants.SOCK_STREAM, 0, sv);
    b.close(sv[1]);
    const codes = [];
    const x = new Uint8Array([1]);
    for (const f of [() => b.send(sv[0], x), () => b.trySend(sv[0], x), () => b.sendto(sv[0], x, 1, 0, null)]) {
      try { f(); codes.push('ok'); } catch (e) { codes.push(e.code); }
    }
    setTimeout(() => {
      const afterSend = pipes;
      try { b.write(sv[0], x); } catch (e) { codes.push(e.code); }
      setTimeout(() => {
        b.close(sv[0]);
        console.log(JSON.stringify({ codes, afterSend, afterWrite: pipes }));
      }, 100);
    }, 100);
  `;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 10_000 });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { codes: string[]; afterSend: number; afterWrite: number };
  expect(out.codes).toEqual(['EPIPE', 'EPIPE', 'EPIPE', 'EPIPE']);
  expect(out.afterSend).toBe(0);
  expect(out.afterWrite).toBe(1);
});

describe('buffers', () => {
  it('send and recv work on views of a SharedArrayBuffer', () => {
    const [a, b] = pair();
    try {
      const shared = new Uint8Array(new SharedArrayBuffer(8));
      shared.set(enc('shared!!'));
      expect(send(a, shared)).toBe(8);
      const into = new Uint8Array(new SharedArrayBuffer(8));
      expect(recv(b, into)).toBe(8);
      expect(dec(into)).toBe('shared!!');
    } finally {
      closeAll(a, b);
    }
  });

  it('a detached buffer is a TypeError (never 0 bytes read as EOF), with or without len, and nothing is consumed', () => {
    const [a, b] = pair();
    try {
      send(a, enc('keep'));
      const ab = new ArrayBuffer(16);
      const view = new Uint8Array(ab);
      structuredClone(ab, { transfer: [ab] });
      expect(ab.byteLength).toBe(0);
      for (const call of [() => recv(b, view, 4), () => recv(b, view), () => recv(b, ab), () => send(b, view, 4), () => send(b, view)]) {
        expect(call).toThrow(TypeError);
        expect(call).toThrow(/got a detached buffer/);
      }
      const buf = new Uint8Array(8);
      expect(recv(b, buf, 8, MSG_DONTWAIT)).toBe(4);
      expect(dec(buf, 4)).toBe('keep');
    } finally {
      closeAll(a, b);
    }
  });

  it('recv with len 0 returns 0 and leaves queued data in place', () => {
    const [a, b] = pair();
    try {
      send(a, enc('abc'));
      expect(recv(b, new Uint8Array(8), 0)).toBe(0);
      expect(recv(b, new Uint8Array(8), 8, MSG_DONTWAIT)).toBe(3);
    } finally {
      closeAll(a, b);
    }
  });

  it('recv: MSG_WAITALL returns the shorter count when the peer closes before the full length', () => {
    const [a, b] = pair();
    try {
      send(a, enc('short'));
      close(a);
      const buf = new Uint8Array(64);
      expect(recv(b, buf, 64, MSG_WAITALL)).toBe(5);
      expect(recv(b, buf, 64, MSG_WAITALL)).toBe(0);
    } finally {
      closeAll(a, b);
    }
  });

  it('recvfrom and tryRecv: MSG_TRUNC reports the datagram length and never writes past the buffer', () => {
    const a = udp();
    const b = udp();
    try {
      const big = new Uint8Array(300).fill(0x77);
      sendto(a.fd, big, 300, 0, b.addr);
      sendto(a.fd, big, 300, 0, b.addr);
      const c = canary(7);
      const from = new sockaddr_in();
      expect(recvfrom(b.fd, c.view, 7, MSG_TRUNC, from)).toBe(300);
      expect(ntohs(from.sin_port)).toBe(a.port);
      expect(c.view.every((x) => x === 0x77)).toBe(true);
      expect(c.intact()).toBe(true);
      const d = canary(7);
      expect(tryRecv(b.fd, d.view, 7, MSG_TRUNC | MSG_DONTWAIT)).toBe(300);
      expect(d.intact()).toBe(true);
    } finally {
      closeAll(a.fd, b.fd);
    }
  });
});

it('recv with SO_RCVTIMEO is not retried on EINTR: a handled signal surfaces as ErrnoError EINTR, as in C', () => {
  // In a child: its main thread blocks in recv on a socket with SO_RCVTIMEO (with a timeout
  // set, the kernel returns EINTR even under SA_RESTART, man 7 signal), a worker sends it
  // SIGUSR2 (handled), then sends data. recv must throw EINTR at the signal, as C's recv
  // fails with -1/EINTR; retrying would restart the 5 s timeout (test/eintr.test.ts).
  const code = `
    const { Worker } = require('node:worker_threads');
    const b = require(${JSON.stringify(gypBuild)})(${JSON.stringify(root)});
    let signals = 0;
    process.on('SIGUSR2', () => signals++);
    const sv = new Int32Array(2);
    b.socketpair(b.constants.AF_UNIX, b.constants.SOCK_STREAM, 0, sv);
    const L = b.layout.timeval;
    const tv = new DataView(new ArrayBuffer(L.size));
    tv.setBigInt64(L.tv_sec, 5n, true);
    b.setsockopt(sv[0], b.constants.SOL_SOCKET, b.constants.SO_RCVTIMEO, tv);
    new Worker(\`
      const { workerData } = require('node:worker_threads');
      const b = require(workerData.gyp)(workerData.root);
      const cell = new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(cell, 0, 0, 150);
      process.kill(process.pid, 'SIGUSR2');
      Atomics.wait(cell, 0, 0, 150);
      b.send(workerData.fd, new TextEncoder().encode('data'));
    \`, { eval: true, workerData: { gyp: ${JSON.stringify(gypBuild)}, root: ${JSON.stringify(root)}, fd: sv[1] } });
    const t0 = Date.now();
    let result;
    try { result = b.recv(sv[0], new Uint8Array(8)); } catch (e) { result = e.code; }
    const took = Date.now() - t0;
    setTimeout(() => {
      b.close(sv[0]); b.close(sv[1]);
      console.log(JSON.stringify({ result, took, signals }));
      process.exit(0);
    }, 50);
  `;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 15_000 });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { result: number | string; took: number; signals: number };
  expect(out.signals).toBe(1);
  expect(out.result).toBe('EINTR');
  expect(out.took).toBeGreaterThanOrEqual(100);
  expect(out.took).toBeLessThan(1000);
});


describe('sendAll', () => {
  it('sendAll: an error after a partial send carries err.sent, the bytes already sent', () => {
    const [a, b] = pair();
    try {
      // 100 ms SO_SNDTIMEO and a peer that never reads: the kernel takes what fits, then the
      // next send times out with EAGAIN (exactly C's blocking send with a timeout).
      S.setsockopt(a, S.SOL_SOCKET, S.SO_SNDTIMEO, new S.timeval(0, 100_000).bytes);
      const big = new Uint8Array(8 << 20);
      let err: unknown;
      try {
        S.sendAll(a, big);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(S.ErrnoError);
      const e = err as InstanceType<typeof S.ErrnoError>;
      expect(e.code).toBe('EAGAIN');
      expect(e.sent).toBeGreaterThan(0);
      expect(e.sent).toBeLessThan(big.length);
      // Everything sendAll reports as sent is queued at the peer.
      let got = 0;
      const sink = new Uint8Array(1 << 16);
      for (;;) {
        const n = S.tryRecv(b, sink, undefined, S.MSG_DONTWAIT);
        if (n < 0) break;
        got += n;
      }
      expect(got).toBe(e.sent);
    } finally {
      closeAll(a, b);
    }
  });
});
