// lib/async.ts + native/watch.cc: "a watcher is bound to a file, not a number". fds closed
// outside sockfd (fs.closeSync, net.Socket, another thread) and numbers reused at once must
// never hang a wait, abort the process or hand one file's data to another file's waiter.
// Also: the O_NONBLOCK policy (the async calls never change the fd's mode), argument checks
// of every async helper, and sendAllAsync's monotonic deadline.
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  ECANCELED,
  EPOLLIN,
  EPOLL_CTL_ADD,
  F_GETFL,
  O_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_SNDBUF,
  ErrnoError,
  MSG_DONTWAIT,
  tryRecv,
  acceptAsync,
  accept4Async,
  bind,
  close,
  connectAsync,
  epollWaitAsync,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  fcntl,
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

const root = join(__dirname, '..');
const fixtures = join(__dirname, 'fixtures');
const register = join(root, 'scripts', 'ts-register.cjs');
const lib = join(root, 'lib');

const opened: number[] = [];
function track(fd: number): number {
  opened.push(fd);
  return fd;
}
/** Forgets an fd that something other than close() has closed. */
function untrack(fd: number): void {
  const i = opened.indexOf(fd);
  if (i >= 0) opened.splice(i, 1);
}
function pair(): [number, number] {
  const sv = new Int32Array(2);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  return [track(sv[0]), track(sv[1])];
}
afterEach(() => {
  for (const fd of opened.splice(0)) close(fd);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));
const text = (b: Uint8Array, n: number) => Buffer.from(b.buffer, b.byteOffset, n).toString();
/** The promise's outcome, or 'pending' if it has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | Error | 'pending'> {
  return Promise.race([
    p.catch((e: unknown) => e as Error),
    sleep(ms).then(() => 'pending' as const),
  ]);
}

/** A pair whose ends are `fd` (the reused number) and its peer, after `fd` was closed elsewhere. */
function reusePair(fd: number): { reused: number; peer: number } {
  const [c, d] = pair();
  expect([c, d]).toContain(fd); // the lowest free number comes back at once
  return c === fd ? { reused: c, peer: d } : { reused: d, peer: c };
}

describe('an fd closed outside sockfd and its number reused', () => {
  test('await readable(a), fs.closeSync(a), a new socket reuses the number: readable() on it resolves', async () => {
    const [a, b] = pair();
    send(b, Buffer.from('x'));
    await readable(a);
    recv(a, new Uint8Array(1)); // the watcher is left idle, the socket drained
    untrack(a);
    closeSync(a);
    const { reused, peer } = reusePair(a);
    send(peer, Buffer.from('new'));
    await readable(reused, { timeout: 1000 }); // before: ETIMEDOUT with data queued
    const got = new Uint8Array(8);
    expect(recv(reused, got)).toBe(3);
    expect(text(got, 3)).toBe('new');
  });

  test('a pending recvAsync whose fd is closed by fs.closeSync and reused: a wait on the new file rejects it with ECANCELED, and the new data stays for the new file', async () => {
    const [a, b] = pair();
    const old = new Uint8Array(8);
    const pending = recvAsync(a, old).catch((e: unknown) => e as Error);
    untrack(a);
    closeSync(a);
    const { reused, peer } = reusePair(a);
    send(peer, Buffer.from('NEW'));
    await writable(reused, { timeout: 1000 }); // arms the number: finds another file
    const err = await within(pending, 1000);
    expect(err).toBeInstanceOf(ErrnoError);
    expect((err as ErrnoError).code).toBe('ECANCELED');
    expect((err as ErrnoError).syscall).toBe('recv');
    expect((err as Error).message).toBe(`recv: ECANCELED, fd ${a} was closed while waiting and now refers to another file`);
    expect(old.every((x) => x === 0)).toBe(true);
    const got = new Uint8Array(8);
    expect(await recvAsync(reused, got)).toBe(3);
    expect(text(got, 3)).toBe('NEW');
    void b;
  });

  test('a pending wait on an fd closed by fs.closeSync (number left free) rejects with ECANCELED instead of hanging', async () => {
    const [a] = pair();
    const pending = readable(a).catch((e: unknown) => e as Error);
    await tick(); // the watcher reaches epoll; the close below drops the registration
    untrack(a);
    closeSync(a);
    const err = await within(pending, 2000);
    expect(err).toBeInstanceOf(ErrnoError);
    expect((err as ErrnoError).errno).toBe(ECANCELED);
    expect(binding.watching(a)).toBe(-1);
  });

  test('a wait armed and then closed by fs.closeSync in the same tick rejects (libuv would abort on the epoll ADD)', async () => {
    const r = await new Promise<{ code: number | null; signal: string | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', register, join(fixtures, 'async-close-outside.cjs'), lib], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, out });
      });
    });
    expect(r.signal).toBe(null);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ECANCELED readable: ECANCELED, fd \d+ was closed while waiting/);
  }, 60_000);

  test('net.Socket over an fd that was awaited: destroy() closes it, the number is reused, readable() on the new file resolves', async () => {
    const [a, b] = pair();
    send(b, Buffer.from('x'));
    await readable(a);
    recv(a, new Uint8Array(1));
    await tick(); // an idle watcher is retired when the poll phase ends
    expect(binding.watching(a)).toBe(-1);
    untrack(a);
    const sock = new Socket({ fd: a }); // before: EEXIST, the idle watcher held the number
    await new Promise<void>((resolve) => {
      sock.once('close', () => resolve());
      sock.destroy();
    });
    const { reused, peer } = reusePair(a);
    send(peer, Buffer.from('new'));
    await readable(reused, { timeout: 1000 });
    expect(recv(reused, new Uint8Array(8))).toBe(3);
  });

  test('an idle watcher is retired before setImmediate callbacks run', async () => {
    const [a, b] = pair();
    const p = recvAsync(a, new Uint8Array(4));
    expect(binding.watching(a)).toBe(1);
    send(b, Buffer.from('x'));
    expect(await p).toBe(1);
    expect(binding.watching(a)).toBe(0); // idle: nobody waits
    await tick();
    expect(binding.watching(a)).toBe(-1); // retired when the poll phase ended without a waiter
  });
});

describe('a worker thread closes the fd and reuses the number', { timeout: 60_000 }, () => {
  function runWorker(fd: number, how: 'close' | 'fs'): Promise<{ fds: number[]; reused: number }> {
    const w = new Worker(join(fixtures, 'async-reuse-worker.cjs'), { workerData: { register, lib, fd, how } });
    return new Promise((resolve, reject) => {
      w.once('error', reject);
      w.once('message', (m: { fds: number[]; reused: number }) => resolve(m));
    }).finally(() => w.terminate()) as Promise<{ fds: number[]; reused: number }>;
  }

  test('sockfd close() in the worker: the main thread\'s pending recvAsync never gets the new socket\'s data', async () => {
    const [a] = pair();
    const old = new Uint8Array(8);
    const pending = recvAsync(a, old).catch((e: unknown) => e as Error);
    untrack(a);
    const m = await runWorker(a, 'close');
    m.fds.forEach(track);
    expect(m.reused).toBe(a);
    // Main-thread activity on the number (a new wait) finds the other file at once.
    await writable(a, { timeout: 1000 });
    const err = await within(pending, 1000);
    expect(err).toBeInstanceOf(ErrnoError);
    expect((err as ErrnoError).code).toBe('ECANCELED');
    expect((err as Error).message).toContain('now refers to another file');
    expect(old.every((x) => x === 0)).toBe(true);
    const got = new Uint8Array(8);
    expect(recv(a, got)).toBe(3);
    expect(text(got, 3)).toBe('NEW');
  });

  test('fs.closeSync in the worker, no other activity: the pending recvAsync rejects with ECANCELED within a second, without the data', async () => {
    const [a] = pair();
    const old = new Uint8Array(8);
    const pending = recvAsync(a, old).catch((e: unknown) => e as Error);
    await tick();
    untrack(a);
    const m = await runWorker(a, 'fs');
    m.fds.forEach(track);
    expect(m.reused).toBe(a);
    const err = await within(pending, 2000);
    expect(err).toBeInstanceOf(ErrnoError);
    expect((err as ErrnoError).code).toBe('ECANCELED');
    expect(old.every((x) => x === 0)).toBe(true);
    expect(recv(a, new Uint8Array(8))).toBe(3);
  });
});

describe('the O_NONBLOCK policy: the async calls never change the fd\'s mode', () => {
  const blocking = (fd: number) => (fcntl(fd, F_GETFL) & O_NONBLOCK) === 0;

  function blockingListener(): { fd: number; port: number } {
    const fd = track(socket(AF_INET, SOCK_STREAM, 0));
    bind(fd, parseAddress('127.0.0.1:0'));
    listen(fd, 8);
    const a = new sockaddr_in();
    getsockname(fd, a);
    return { fd, port: ntohs(a.sin_port) };
  }

  test('acceptAsync and connectAsync on blocking sockets leave both blocking, while waiting and after', async () => {
    const l = blockingListener();
    const c = track(socket(AF_INET, SOCK_STREAM, 0));
    const accepted = acceptAsync(l.fd);
    expect(blocking(l.fd)).toBe(true); // waiting does not flip it
    const connected = connectAsync(c, parseAddress(`127.0.0.1:${l.port}`));
    expect(blocking(c)).toBe(true);
    const [s, r] = await Promise.all([accepted, connected]);
    track(s);
    expect(r).toBe(0);
    expect(blocking(l.fd)).toBe(true);
    expect(blocking(c)).toBe(true);
    expect(blocking(s)).toBe(true);
  });

  test('accept4Async on a blocking listener with nothing queued waits instead of blocking the thread', async () => {
    const l = blockingListener();
    let ticks = 0;
    const iv = setInterval(() => ticks++, 5);
    try {
      const ac = new AbortController();
      const p = accept4Async(l.fd, null, null, 0, { signal: ac.signal });
      await sleep(50);
      ac.abort();
      await expect(p).rejects.toThrow(/abort/i);
    } finally {
      clearInterval(iv);
    }
    expect(ticks).toBeGreaterThan(3);
    expect(blocking(l.fd)).toBe(true);
  });

  test('readable/writable/recvAsync leave a blocking socketpair blocking', async () => {
    const [a, b] = pair();
    await writable(a);
    const p = recvAsync(a, new Uint8Array(4));
    send(b, Buffer.from('ok'));
    expect(await p).toBe(2);
    expect(blocking(a)).toBe(true);
  });
});

describe('argument checks: a rejected promise before any syscall or wait', () => {
  async function rejects(p: unknown, ctor: ErrorConstructor, code: string, msg: RegExp): Promise<void> {
    expect(p).toBeInstanceOf(Promise);
    const e = await (p as Promise<unknown>).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ctor);
    expect((e as { code: string }).code).toBe(code);
    expect((e as Error).message).toMatch(msg);
  }
  const f = <T extends (...a: never[]) => unknown>(fn: T) => fn as unknown as (...a: unknown[]) => unknown;

  test('missing and extra arguments name the function and its count', async () => {
    const [a] = pair();
    await rejects(f(readable)(), TypeError, 'ERR_MISSING_ARGS', /^readable: missing argument 'fd' \(takes 1 to 2 arguments, got 0\)$/);
    await rejects(f(writable)(a, {}, 1), TypeError, 'ERR_TOO_MANY_ARGS', /^writable: takes at most 2 arguments, got 3$/);
    await rejects(f(recvAsync)(a), TypeError, 'ERR_MISSING_ARGS', /^recvAsync: missing argument 'buf'/);
    await rejects(f(sendAsync)(a, new Uint8Array(1), 1, 0, 0, {}, 7), TypeError, 'ERR_TOO_MANY_ARGS', /^sendAsync: takes at most 6/);
    await rejects(f(sendAllAsync)(a), TypeError, 'ERR_MISSING_ARGS', /^sendAllAsync: missing argument 'buf'/);
    await rejects(f(acceptAsync)(), TypeError, 'ERR_MISSING_ARGS', /^acceptAsync: missing argument 'fd'/);
    await rejects(f(accept4Async)(a, null, null), TypeError, 'ERR_MISSING_ARGS', /^accept4Async: missing argument 'flags'/);
    await rejects(f(connectAsync)(a), TypeError, 'ERR_MISSING_ARGS', /^connectAsync: missing argument 'addr'/);
    await rejects(f(epollWaitAsync)(a, epoll_event.array(1)), TypeError, 'ERR_MISSING_ARGS', /^epollWaitAsync: missing argument 'maxevents'/);
  });

  test('sendAllAsync(fd, \'hello\') and sendAllAsync(3.5, buf) reject and send nothing', async () => {
    const [a, b] = pair();
    await rejects(f(sendAllAsync)(a, 'hello'), TypeError, 'ERR_INVALID_ARG_TYPE', /^sendAllAsync: buf must be an ArrayBufferView or ArrayBuffer, got string 'hello'$/);
    await rejects(f(sendAllAsync)(3.5, Buffer.from('x')), RangeError, 'ERR_OUT_OF_RANGE', /^sendAllAsync: fd must be an integer in \[0, 2147483647\], got 3\.5$/);
    await rejects(f(sendAllAsync)(a, Buffer.from('x'), 2), RangeError, 'ERR_OUT_OF_RANGE', /^sendAllAsync: len 2 exceeds the 1 bytes of buf after offset 0$/);
    await rejects(f(sendAllAsync)(a, Buffer.from('x'), undefined, 0, 0, { timeout: -1 }), RangeError, 'ERR_OUT_OF_RANGE', /options\.timeout/);
    await rejects(f(sendAsync)(a, Buffer.from('x'), undefined, 1.5), RangeError, 'ERR_OUT_OF_RANGE', /^sendAsync: flags must be an integer/);
    await rejects(f(sendAsync)(a, Buffer.from('x'), undefined, '0'), TypeError, 'ERR_INVALID_ARG_TYPE', /^sendAsync: flags must be an integer/);
    const got = new Uint8Array(4);
    await expect(recvAsync(b, got, undefined, 0, 0, { timeout: 30 })).rejects.toThrow(/ETIMEDOUT/);
  });

  test('recvAsync on a detached buffer is a TypeError, not 0 bytes, and leaves the data queued', async () => {
    const [a, b] = pair();
    send(b, Buffer.from('data'));
    const ab = new ArrayBuffer(8);
    const view = new Uint8Array(ab, 2);
    structuredClone(ab, { transfer: [ab] });
    await rejects(f(recvAsync)(a, ab), TypeError, 'ERR_INVALID_ARG_TYPE', /^recvAsync: buf must be an ArrayBufferView or ArrayBuffer, got a detached buffer$/);
    await rejects(f(recvAsync)(a, view), TypeError, 'ERR_INVALID_ARG_TYPE', /detached/);
    await rejects(f(sendAsync)(a, view), TypeError, 'ERR_INVALID_ARG_TYPE', /^sendAsync: buf .* detached buffer$/);
    await rejects(f(recvAsync)(a, new Uint8Array(8), 9), RangeError, 'ERR_OUT_OF_RANGE', /^recvAsync: len 9 exceeds the 8 bytes of buf after offset 0$/);
    await rejects(f(recvAsync)(a, new Uint8Array(8), undefined, 0, 9), RangeError, 'ERR_OUT_OF_RANGE', /^recvAsync: offset 9 is past the end of the 8-byte buffer$/);
    expect(recv(a, new Uint8Array(8))).toBe(4);
  });

  test('bad fds, addresses, timeouts and options', async () => {
    const [a] = pair();
    await rejects(f(readable)('3'), TypeError, 'ERR_INVALID_ARG_TYPE', /^readable: fd must be an integer, got string '3'$/);
    await rejects(f(readable)(a, 5), TypeError, 'ERR_INVALID_ARG_TYPE', /^readable: options must be an object, got 5$/);
    await rejects(f(readable)(a, { ref: 1 }), TypeError, 'ERR_INVALID_ARG_TYPE', /options\.ref/);
    await rejects(f(readable)(a, { signal: {} }), TypeError, 'ERR_INVALID_ARG_TYPE', /options\.signal/);
    await rejects(f(acceptAsync)(a, {}), TypeError, 'ERR_INVALID_ARG_TYPE', /^acceptAsync: addr must be a sockaddr struct/);
    await rejects(f(accept4Async)(a, null, null, 0.5), RangeError, 'ERR_OUT_OF_RANGE', /^accept4Async: flags/);
    await rejects(f(connectAsync)(a, '127.0.0.1:1'), TypeError, 'ERR_INVALID_ARG_TYPE', /^connectAsync: addr must be a sockaddr struct/);
    await rejects(f(connectAsync)(a, new sockaddr_in(), 999), RangeError, 'ERR_OUT_OF_RANGE', /^connectAsync: addrlen/);
    await rejects(f(epollWaitAsync)(a, epoll_event.array(1), 1, 1.5), RangeError, 'ERR_OUT_OF_RANGE', /^epollWaitAsync: timeout/);
    await rejects(f(epollWaitAsync)(-1, epoll_event.array(1), 1), RangeError, 'ERR_OUT_OF_RANGE', /^epollWaitAsync: epfd/);
    expect(binding.watching(a)).toBe(-1); // nothing was armed
  });
});

test('sendAllAsync measures its timeout on the monotonic clock: a wall-clock jump does not cut it short', async () => {
  const [a, b] = pair();
  setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
  const big = new Uint8Array(200_000);
  const realNow = Date.now;
  let jump = 0;
  Date.now = () => realNow() + jump;
  try {
    const p = sendAllAsync(a, big, undefined, 0, 0, { timeout: 10_000 });
    jump = 3_600_000; // the wall clock steps an hour ahead mid-call
    const sink = new Uint8Array(65536);
    let got = 0;
    while (got < big.length) {
      await sleep(2); // let the sender meet a full buffer and wait
      got += await recvAsync(b, sink);
    }
    expect(await p).toBe(big.length);
  } finally {
    Date.now = realNow;
  }
});

test('sendAllAsync: a timeout after a partial send rejects with ETIMEDOUT carrying err.sent, all of it queued at the peer', async () => {
  const [a, b] = pair();
  setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
  const big = new Uint8Array(1 << 20);
  const err = (await sendAllAsync(a, big, undefined, 0, 0, { timeout: 100 }).then(
    () => undefined,
    (e: unknown) => e,
  )) as ErrnoError;
  expect(err).toBeInstanceOf(ErrnoError);
  expect(err.code).toBe('ETIMEDOUT');
  expect(err.sent).toBeGreaterThan(0);
  expect(err.sent).toBeLessThan(big.length);
  const sink = new Uint8Array(65536);
  let got = 0;
  for (;;) {
    const n = tryRecv(b, sink, undefined, MSG_DONTWAIT);
    if (n < 0) break;
    got += n;
  }
  expect(got).toBe(err.sent);
});

test('an epoll fd closed by fs.closeSync and reused by ANOTHER epoll fd (same anon inode, same dev+ino): the old waiter is canceled, the new epoll is watched', async () => {
  const [a, b] = pair();
  const ep1 = epoll_create1(0);
  const p = epollWaitAsync(ep1, epoll_event.array(1), 1, -1).catch((e: unknown) => e as Error);
  await tick();
  closeSync(ep1);
  const ep2 = epoll_create1(0); // takes ep1's number: fstat cannot tell the two apart
  try {
    expect(ep2).toBe(ep1);
    const err = await within(p, 2000); // the 500 ms sweep asks the kernel, not fstat
    expect(err).toBeInstanceOf(ErrnoError);
    expect((err as ErrnoError).code).toBe('ECANCELED');
    expect((err as ErrnoError).message).toMatch(/now refers to another file/);
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = a;
    epoll_ctl(ep2, EPOLL_CTL_ADD, a, ev);
    const events = epoll_event.array(1);
    const q = epollWaitAsync(ep2, events, 1, 2000);
    await tick();
    send(b, Buffer.from('x'));
    expect(await within(q, 2000)).toBe(1);
    expect(events[0].data.fd).toBe(a);
  } finally {
    close(ep2);
  }
});

test('a new wait on an epoll fd number closed and reused by another epoll fd replaces the watcher at once (no sweep needed)', async () => {
  const ep1 = epoll_create1(0);
  const old = readable(ep1).catch((e: unknown) => e as Error); // pending: the watcher is registered
  await tick();
  await tick();
  closeSync(ep1);
  const ep2 = epoll_create1(0);
  const [a, b] = pair();
  try {
    expect(ep2).toBe(ep1);
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = a;
    epoll_ctl(ep2, EPOLL_CTL_ADD, a, ev);
    const t0 = performance.now();
    const r = readable(ep2, { timeout: 2000 }).then(() => 'ready', (e: unknown) => e as Error);
    const err = await within(old, 2000);
    expect((err as ErrnoError).code).toBe('ECANCELED');
    expect(performance.now() - t0).toBeLessThan(400); // the arm found it, not the 500 ms sweep
    send(b, Buffer.from('y'));
    expect(await within(r, 2000)).toBe('ready');
  } finally {
    close(ep2);
  }
});

test('epollWaitAsync on an epoll fd closed by fs.closeSync and reused rejects with ECANCELED', async () => {
  const [a] = pair();
  const epfd = epoll_create1(0);
  const ev = new epoll_event();
  ev.events = EPOLLIN;
  ev.data.fd = a;
  epoll_ctl(epfd, EPOLL_CTL_ADD, a, ev);
  const p = epollWaitAsync(epfd, epoll_event.array(1), 1, -1).catch((e: unknown) => e as Error);
  await tick();
  closeSync(epfd);
  const [c, d] = pair(); // one of them takes epfd's number
  expect([c, d]).toContain(epfd);
  await writable(epfd, { timeout: 1000 });
  const err = await within(p, 1000);
  expect((err as ErrnoError).code).toBe('ECANCELED');
});
