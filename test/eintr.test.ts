// EINTR in blocking calls — man 7 signal, man 7 socket (SO_RCVTIMEO/SO_SNDTIMEO), the rule
// of native/eintr.h and docs/api.md "EINTR". Node's signal handlers use SA_RESTART, so the
// kernel restarts a blocking accept/recv/send unless the socket has a timeout; sockfd
// waits in poll(2) instead, which is never restarted, so a JS signal listener can run.
// Signals come from this process to a child (test/fixtures/eintr-child.cjs) blocked in the
// call: a blocked thread cannot signal itself.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EAGAIN,
  MSG_DONTWAIT,
  MSG_WAITALL,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  SO_SNDTIMEO,
  accept,
  close,
  connect,
  getsockname,
  listen,
  recv,
  send,
  setsockopt,
  socket,
  socketpair,
  sockaddr_un,
  bind,
  timeval,
  trySend,
  tryRecv,
} from './helpers/lib';
import { signalAfter } from './helpers/child';
import { gypBuild, root } from './helpers/peer';
import { closeAll, expectErrno, listener4, loop4 } from './helpers/util';

interface Run {
  code: number | null;
  lines: string[];
  ms: number;
}

/** Runs the fixture for (case, mode); `onLine` may signal it. Killed after `timeoutMs`. */
function runFixture(
  name: string,
  mode: string,
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void,
  timeoutMs = 8000,
): Promise<Run> {
  const fixture = join(__dirname, 'fixtures', 'eintr-child.cjs');
  const child = spawn(process.execPath, [fixture, gypBuild, root, name, mode]);
  const t0 = Date.now();
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    pending += d;
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      lines.push(line);
      onLine?.(line, child);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      if (stderr !== '') lines.push(`stderr: ${stderr}`);
      resolve({ code, lines, ms: Date.now() - t0 });
    });
  });
}

function done(r: Run): { result: number | string; took: number } {
  const line = r.lines.find((l) => l.startsWith('done '));
  expect(line, r.lines.join('\n')).toBeDefined();
  return JSON.parse(line!.slice(5)) as { result: number | string; took: number };
}

function ms(t: timeval): number {
  return t.tv_sec * 1000 + t.tv_usec / 1000;
}

describe('with SO_RCVTIMEO/SO_SNDTIMEO set, a handled signal fails the call with EINTR, as in C', () => {
  // The socket has a 3 s timeout; SIGUSR2 (a no-op listener) arrives ~150 ms into the
  // call. C fails with EINTR at once (man 7 signal: never restarted when a timeout is set);
  // retrying would restart the timeout and end with EAGAIN after 3 s or more.
  it.each(['recv', 'recvfrom', 'read', 'recv-waitall', 'accept', 'send', 'write', 'sendto', 'connect-tcp', 'connect-unix'])(
    '%s: throws EINTR well before the 3 s timeout',
    async (name) => {
      const r = await runFixture(name, 'timeout', signalAfter('ready', 'SIGUSR2', ['done']));
      expect(r.code, r.lines.join('\n')).toBe(0);
      const d = done(r);
      expect(d.result).toBe('EINTR');
      expect(d.took).toBeLessThan(1500);
    },
  );
});

describe('a script with process.on(\'SIGINT\') blocked in a call without a timeout stops on SIGINT', () => {
  // The kernel would restart the call after libuv's SA_RESTART handler and the listener
  // could never run. sockfd waits in poll(2): SIGINT makes the call throw EINTR, the
  // script lets the event loop turn, and the listener runs.
  it.each(['accept', 'recv', 'read', 'recv-waitall', 'send'])(
    '%s: throws EINTR and the listener runs within 3 s',
    async (name) => {
      let readyAt = 0;
      const sig = signalAfter('ready', 'SIGINT', ['listener']);
      const r = await runFixture(name, 'sigint', (line, child) => {
        if (readyAt === 0 && line === 'ready') readyAt = Date.now();
        sig(line, child);
      });
      expect(r.code, r.lines.join('\n')).toBe(0);
      const results = r.lines.filter((l) => l.startsWith('result '));
      expect(results.length).toBeGreaterThan(0);
      expect(JSON.parse(results[0].slice(7)).result).toBe('EINTR');
      expect(r.lines).toContain('listener');
      expect(Date.now() - readyAt).toBeLessThan(3000);
    },
  );
});

describe('signals the call does not see, and signals it does', () => {
  it('a signal the process ignores (SIGPIPE under Node) never interrupts a blocking recv', async () => {
    const r = await runFixture('recv', 'ignored');
    expect(r.code, r.lines.join('\n')).toBe(0);
    const line = r.lines.find((l) => l.startsWith('done '))!;
    expect(JSON.parse(line.slice(5))).toEqual({ first: { result: 4, took: expect.any(Number) } });
  });

  it('SIGCHLD from a child_process child ends a blocking recv with EINTR; calling again receives', async () => {
    const r = await runFixture('recv', 'sigchld');
    expect(r.code, r.lines.join('\n')).toBe(0);
    const line = r.lines.find((l) => l.startsWith('done '))!;
    const out = JSON.parse(line.slice(5)) as { first: { result: unknown }; again: { result: unknown } };
    expect(out.first.result).toBe('EINTR');
    expect(out.again.result).toBe(2);
  });
});

describe('timeouts without a signal are C\'s', () => {
  it('accept: SO_RCVTIMEO expires with EAGAIN after about the set time', () => {
    const l = listener4();
    try {
      setsockopt(l.fd, SOL_SOCKET, SO_RCVTIMEO, new timeval(0, 200_000));
      const t0 = Date.now();
      expectErrno(() => accept(l.fd), 'EAGAIN', 'accept');
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(180);
      expect(took).toBeLessThan(1000);
    } finally {
      close(l.fd);
    }
  });

  it('send: SO_SNDTIMEO on a full socket expires with EAGAIN; a send that moved bytes first returns that count', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    try {
      setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, new timeval(0, 200_000));
      const big = new Uint8Array(4 << 20);
      // C: a blocking send takes what fits, waits for room, and on expiry returns the
      // partial count (man 7 socket).
      let t0 = Date.now();
      const n = send(sv[0], big);
      let took = Date.now() - t0;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(big.length);
      expect(took).toBeGreaterThanOrEqual(180);
      expect(took).toBeLessThan(1000);
      // Full now: nothing moves, so the expiry is EAGAIN.
      t0 = Date.now();
      expectErrno(() => send(sv[0], big.subarray(0, 1)), 'EAGAIN', 'send');
      took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(180);
      expect(took).toBeLessThan(1000);
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('recv MSG_WAITALL on a blocking socket waits for the rest, and on expiry returns the partial count', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    try {
      setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, new timeval(0, 200_000));
      send(sv[1], new Uint8Array([1, 2, 3]));
      const t0 = Date.now();
      expect(recv(sv[0], new Uint8Array(8), 8, MSG_WAITALL)).toBe(3);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });

  it('connect (TCP) against a full backlog: SO_SNDTIMEO expires with EINPROGRESS, a second connect with EALREADY', () => {
    const l = socket(AF_INET, SOCK_STREAM, 0);
    const fds: number[] = [l];
    try {
      bind(l, loop4(0));
      listen(l, 0);
      const addr = loop4(0);
      getsockname(l, addr);
      for (let i = 0; i < 3; i++) {
        const c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        fds.push(c);
        try {
          connect(c, addr);
        } catch (e) {
          expect((e as { code: string }).code).toBe('EINPROGRESS');
        }
      }
      const c = socket(AF_INET, SOCK_STREAM, 0);
      fds.push(c);
      const tv = new timeval(0, 250_000);
      setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, tv);
      let t0 = Date.now();
      expectErrno(() => connect(c, addr), 'EINPROGRESS', 'connect');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(ms(tv) - 20);
      expect(Date.now() - t0).toBeLessThan(ms(tv) + 750);
      t0 = Date.now();
      expectErrno(() => connect(c, addr), 'EALREADY', 'connect');
      expect(Date.now() - t0).toBeLessThan(ms(tv) + 750);
    } finally {
      closeAll(...fds);
    }
  });

  it('connect (AF_UNIX) against a full backlog: SO_SNDTIMEO expires with EAGAIN', () => {
    const addr = new sockaddr_un();
    addr.sun_path = `\0sockfd-eintr-test-${process.pid}`;
    const l = socket(AF_UNIX, SOCK_STREAM, 0);
    const fds: number[] = [l];
    try {
      bind(l, addr);
      listen(l, 0);
      const first = socket(AF_UNIX, SOCK_STREAM, 0);
      fds.push(first);
      connect(first, addr);
      const c = socket(AF_UNIX, SOCK_STREAM, 0);
      fds.push(c);
      setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, new timeval(0, 200_000));
      const t0 = Date.now();
      expectErrno(() => connect(c, addr), 'EAGAIN', 'connect');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      closeAll(...fds);
    }
  });
});

describe('O_NONBLOCK and MSG_DONTWAIT are untouched by the rule', () => {
  it('recv and accept on O_NONBLOCK sockets fail with EAGAIN at once; tryRecv/trySend return -EAGAIN', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    const l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    try {
      bind(l, loop4(0));
      listen(l, 1);
      const t0 = Date.now();
      expectErrno(() => recv(sv[0], new Uint8Array(4)), 'EAGAIN', 'recv');
      expectErrno(() => accept(l), 'EAGAIN', 'accept');
      expect(tryRecv(sv[0], new Uint8Array(4))).toBe(-EAGAIN);
      expect(Date.now() - t0).toBeLessThan(100);
      const chunk = new Uint8Array(65536);
      let r = 0;
      for (let i = 0; i < 10_000 && r !== -EAGAIN; i++) r = trySend(sv[0], chunk);
      expect(r).toBe(-EAGAIN);
      expectErrno(() => send(sv[0], chunk), 'EAGAIN', 'send');
    } finally {
      closeAll(sv[0], sv[1], l);
    }
  });

  it('recv with MSG_DONTWAIT on a blocking socket fails with EAGAIN at once', () => {
    const sv = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    try {
      const t0 = Date.now();
      expectErrno(() => recv(sv[0], new Uint8Array(4), 4, MSG_DONTWAIT), 'EAGAIN', 'recv');
      expectErrno(() => recv(sv[0], new Uint8Array(4), 4, MSG_DONTWAIT | MSG_WAITALL), 'EAGAIN', 'recv');
      expect(Date.now() - t0).toBeLessThan(100);
    } finally {
      closeAll(sv[0], sv[1]);
    }
  });
});
