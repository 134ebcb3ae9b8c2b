// lib/async.ts + native/watch.cc: readiness waits and the async forms of accept, connect,
// recv, send and epoll_wait, on real kernel sockets in this process.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, test } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  ECANCELED,
  EPOLLIN,
  EPOLL_CTL_ADD,
  ETIMEDOUT,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_SNDBUF,
  ErrnoError,
  acceptAsync,
  bind,
  close,
  connectAsync,
  epollWaitAsync,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  getsockname,
  listen,
  ntohs,
  parseAddress,
  readable,
  recv,
  recvAsync,
  send,
  sendAllAsync,
  sendAsync,
  setsockopt,
  socket,
  socketpair,
  sockaddr_in,
  writable,
} from '../lib';
import { binding } from '../lib/binding';

const opened: number[] = [];
/** Tracks an fd so afterEach closes it even when an assertion fails. */
function track(fd: number): number {
  opened.push(fd);
  return fd;
}
function pair(): [number, number] {
  const sv = new Int32Array(2);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  return [track(sv[0]), track(sv[1])];
}
function closeTracked(fd: number): void {
  const i = opened.indexOf(fd);
  if (i >= 0) opened.splice(i, 1);
  close(fd);
}
afterEach(() => {
  for (const fd of opened.splice(0)) close(fd);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (b: Uint8Array, n: number) => Buffer.from(b.buffer, b.byteOffset, n).toString();

/** A loopback TCP listener on an ephemeral port, non-blocking. */
function listener(): { fd: number; port: number } {
  const fd = track(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  bind(fd, parseAddress('127.0.0.1:0'));
  listen(fd, 16);
  const a = new sockaddr_in();
  getsockname(fd, a);
  return { fd, port: ntohs(a.sin_port) };
}

describe('server and client in one process', () => {
  test('acceptAsync/connectAsync/sendAsync/recvAsync exchange data both ways while a 10 ms interval keeps ticking through a 1 s wait', async () => {
    const l = listener();
    const c = track(socket(AF_INET, SOCK_STREAM, 0));
    const peer = new sockaddr_in();
    const [s, r] = await Promise.all([acceptAsync(l.fd, peer), connectAsync(c, parseAddress(`127.0.0.1:${l.port}`))]);
    track(s);
    expect(r).toBe(0);
    expect(peer.toString()).toMatch(/^127\.0\.0\.1:\d+$/);

    const buf = new Uint8Array(64);
    expect(await sendAllAsync(c, Buffer.from('ping'))).toBe(4);
    let n = await recvAsync(s, buf);
    expect(text(buf, n)).toBe('ping');
    expect(await sendAsync(s, Buffer.from('pong'))).toBe(4);
    n = await recvAsync(c, buf);
    expect(text(buf, n)).toBe('pong');

    // The event loop stays free while a recv waits a full second.
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    setTimeout(() => void sendAsync(s, Buffer.from('late')), 1000);
    try {
      n = await recvAsync(c, buf);
    } finally {
      clearInterval(iv);
    }
    expect(performance.now() - t0).toBeGreaterThanOrEqual(990);
    expect(text(buf, n)).toBe('late');
    expect(ticks).toBeGreaterThanOrEqual(50);

    // EOF: the server closes, the client's pending recv resolves 0.
    const eof = recvAsync(c, buf);
    closeTracked(s);
    expect(await eof).toBe(0);
  });

  test('pending waits occupy no libuv threadpool thread: fs work completes while 8 recvAsync wait', async () => {
    const pending: Promise<unknown>[] = [];
    const fds: number[] = [];
    for (let i = 0; i < 8; i++) {
      const [a] = pair();
      fds.push(a);
      pending.push(recvAsync(a, new Uint8Array(1)).catch((e: unknown) => e));
    }
    const t0 = performance.now();
    // Four threadpool threads by default: eight parked blocking recvs would starve these.
    await Promise.all(Array.from({ length: 8 }, () => readFile(__filename)));
    expect(performance.now() - t0).toBeLessThan(2000);
    for (const fd of fds) closeTracked(fd);
    for (const p of pending) expect(((await p) as ErrnoError).code).toBe('ECANCELED');
  });

  test('connectAsync to a port nobody listens on rejects with ECONNREFUSED from connect', async () => {
    const l = listener();
    const port = l.port;
    closeTracked(l.fd);
    const c = track(socket(AF_INET, SOCK_STREAM, 0));
    const err = await connectAsync(c, parseAddress(`127.0.0.1:${port}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrnoError);
    expect((err as ErrnoError).code).toBe('ECONNREFUSED');
    expect((err as ErrnoError).syscall).toBe('connect');
  });
});

describe('readable / writable', () => {
  test('writable resolves at once on a socket with send-buffer space; readable when the peer writes', async () => {
    const [a, b] = pair();
    await writable(a);
    let done = false;
    const p = readable(a).then(() => (done = true));
    await sleep(30);
    expect(done).toBe(false);
    send(b, Buffer.from('x'));
    await p;
    expect(done).toBe(true);
  });

  test('all waiters on one fd share a single watcher, started with the union of their events', async () => {
    const [a, b] = pair();
    const r1 = readable(a);
    const r2 = readable(a);
    const w1 = writable(a);
    expect(binding.watching(a)).toBe(3); // UV_READABLE | UV_WRITABLE
    await w1;
    expect(binding.watching(a)).toBe(1); // the writer left, readers remain
    send(b, Buffer.from('x'));
    await Promise.all([r1, r2]);
  });

  test('two recvAsync on one fd each take one message', async () => {
    const [a, b] = pair();
    const b1 = new Uint8Array(1);
    const b2 = new Uint8Array(1);
    const p1 = recvAsync(a, b1);
    const p2 = recvAsync(a, b2);
    send(b, Buffer.from('1'));
    await sleep(20);
    send(b, Buffer.from('2'));
    expect(await Promise.all([p1, p2])).toEqual([1, 1]);
    expect([text(b1, 1), text(b2, 1)].sort()).toEqual(['1', '2']);
  });

  test('a wait with { ref: false } still resolves when the fd becomes ready', async () => {
    const [a, b] = pair();
    const p = readable(a, { ref: false });
    setTimeout(() => send(b, Buffer.from('x')), 20);
    await p;
    const buf = new Uint8Array(4);
    expect(await recvAsync(a, buf, undefined, 0, 0, { ref: false })).toBe(1);
  });

  test('bad fds and options are TypeError/RangeError rejections, before any wait', async () => {
    await expect(readable(3.5)).rejects.toThrow(RangeError);
    await expect(readable('3' as unknown as number)).rejects.toThrow(TypeError);
    await expect(writable(-1)).rejects.toThrow(RangeError);
    const [a] = pair();
    await expect(readable(a, { timeout: NaN })).rejects.toThrow(/options.timeout/);
    await expect(readable(a, { ref: 1 as unknown as boolean })).rejects.toThrow(TypeError);
  });
});

describe('abort and timeout', () => {
  test('abort rejects a pending recvAsync with signal.reason and leaves later data in the socket', async () => {
    const [a, b] = pair();
    const ac = new AbortController();
    const buf = new Uint8Array(8);
    const p = recvAsync(a, buf, undefined, 0, 0, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const err = await p.catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    send(b, Buffer.from('kept'));
    const got = new Uint8Array(8);
    expect(recv(a, got)).toBe(4);
    expect(text(got, 4)).toBe('kept');
    expect(buf.every((x) => x === 0)).toBe(true);
  });

  test('an already-aborted signal rejects without consuming data', async () => {
    const [a, b] = pair();
    send(b, Buffer.from('data'));
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(recvAsync(a, new Uint8Array(8), undefined, 0, 0, { signal: ac.signal })).rejects.toThrow('stop');
    expect(recv(a, new Uint8Array(8))).toBe(4);
  });

  test('timeout rejects readable with ErrnoError ETIMEDOUT after the given ms', async () => {
    const [a] = pair();
    const t0 = performance.now();
    const err = await readable(a, { timeout: 50 }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(err).toBeInstanceOf(ErrnoError);
    expect((err as ErrnoError).errno).toBe(ETIMEDOUT);
    expect((err as ErrnoError).syscall).toBe('readable');
    expect(binding.watching(a)).toBe(0); // the watcher is idle: nobody wants readability
  });
});

describe('close while pending', () => {
  test('close() rejects the fd\'s waiters with ECANCELED and removes its watcher before the number is released', async () => {
    const [a, b] = pair();
    const buf = new Uint8Array(8);
    const pr = recvAsync(a, buf);
    const pw = readable(a);
    expect(binding.watching(a)).toBe(1);
    closeTracked(a);
    expect(binding.watching(a)).toBe(-1);
    for (const [p, syscall] of [[pr, 'recv'], [pw, 'readable']] as const) {
      const err = await (p as Promise<unknown>).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ErrnoError);
      expect((err as ErrnoError).errno).toBe(ECANCELED);
      expect((err as ErrnoError).syscall).toBe(syscall);
      expect((err as Error).message).toContain(`fd ${a} was closed while waiting`);
    }
    closeTracked(b);
  });

  test('close() from the continuation of a resolved recvAsync cancels the fd\'s other waiters', async () => {
    const [a, b] = pair();
    const first = new Uint8Array(1);
    const p1 = recvAsync(a, first).then((n) => {
      closeTracked(a); // runs inside the loop callback of a's own watcher
      return n;
    });
    const p2 = recvAsync(a, new Uint8Array(1));
    send(b, Buffer.from('x')); // one byte: one waiter gets it, the other meets EAGAIN
    expect(await p1).toBe(1);
    expect(((await p2.catch((e: unknown) => e)) as ErrnoError).code).toBe('ECANCELED');
    expect(binding.watching(a)).toBe(-1);
  });

  test('a new fd that reuses a closed fd\'s number is never touched by the old waiters', async () => {
    const [a, b] = pair();
    const old = new Uint8Array(8);
    const pending = recvAsync(a, old).catch((e: unknown) => e);
    closeTracked(a);
    closeTracked(b);
    const [c, d] = pair();
    expect([c, d]).toContain(a); // the lowest free number comes back at once
    const reused = c === a ? c : d;
    const other = reused === c ? d : c;
    send(other, Buffer.from('fresh'));
    await sleep(20); // give a stale waiter every chance to fire
    expect(((await pending) as ErrnoError).code).toBe('ECANCELED');
    expect(old.every((x) => x === 0)).toBe(true);
    const got = new Uint8Array(8);
    expect(await recvAsync(reused, got)).toBe(5);
    expect(text(got, 5)).toBe('fresh');
  });
});

describe('send', () => {
  test('sendAsync reports a partial write; a send on a full buffer waits until the peer reads', async () => {
    const [a, b] = pair();
    setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
    const big = new Uint8Array(1 << 20);
    const n = await sendAsync(a, big);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(big.length); // C semantics: what the kernel took
    let sent = -1;
    const p = sendAsync(a, new Uint8Array(1024)).then((k) => (sent = k));
    await sleep(30);
    expect(sent).toBe(-1); // still waiting for space
    const sink = new Uint8Array(1 << 20);
    let drained = 0;
    while (drained < n) drained += await recvAsync(b, sink);
    await p;
    expect(sent).toBeGreaterThan(0);
  });

  test('sendAllAsync sends everything across partial writes', async () => {
    const [a, b] = pair();
    setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    const p = sendAllAsync(a, big);
    const got = new Uint8Array(big.length);
    let n = 0;
    while (n < big.length) n += await recvAsync(b, got, big.length - n, 0, n);
    expect(await p).toBe(big.length);
    expect(Buffer.compare(got, big)).toBe(0);
  });
});

describe('epollWaitAsync', () => {
  test('awaits the epoll fd itself and fills events like epoll_wait', async () => {
    const [a, b] = pair();
    const epfd = track(epoll_create1(0));
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = a;
    epoll_ctl(epfd, EPOLL_CTL_ADD, a, ev);
    const events = epoll_event.array(4);
    setTimeout(() => send(b, Buffer.from('e')), 20);
    const n = await epollWaitAsync(epfd, events, 4, -1);
    expect(n).toBe(1);
    expect(events[0].data.fd).toBe(a);
    expect(events[0].events & EPOLLIN).toBe(EPOLLIN);
  });

  test('resolves 0 when the timeout passes with no event', async () => {
    const [a] = pair();
    const epfd = track(epoll_create1(0));
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = a;
    epoll_ctl(epfd, EPOLL_CTL_ADD, a, ev);
    const t0 = performance.now();
    expect(await epollWaitAsync(epfd, epoll_event.array(2), 2, 40)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
  });
});
