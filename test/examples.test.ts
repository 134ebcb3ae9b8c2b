// The examples run end to end. Each server is a child process on a free port, driven by peers
// sockfd did not write — nc, socat, a python3 socket client, node:net — and every byte sent
// must come back, in order. Every wait is bounded; every child is killed after its test.
// The servers bind INADDR_ANY by default, as in C; the tests pass 127.0.0.1 (their bind_ip
// argument) so that nothing here listens beyond loopback. nc, socat and python3 are optional
// peers (test/helpers/tools.ts): a test that needs one is skipped, naming it, when it is absent.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requirePeers } from './helpers/tools';

const root = path.join(__dirname, '..');
const TSX = ['--import', 'tsx'];
const LOOPBACK = '127.0.0.1';

// ---- child processes ----------------------------------------------------------------------

interface Proc {
  child: ChildProcess;
  stdout: Buffer[];
  stderr: Buffer[];
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString();

const perTest = new Set<Proc>(); // killed after each test
const perFile = new Set<Proc>(); // killed after the file

function start(cmd: string, args: string[], input?: Buffer | string, owner = perTest): Proc {
  const child = spawn(cmd, args, { cwd: root, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const p: Proc = { child, stdout: [], stderr: [], closed: Promise.resolve({ code: null, signal: null }) };
  child.stdout!.on('data', (d: Buffer) => p.stdout.push(d));
  child.stderr!.on('data', (d: Buffer) => p.stderr.push(d));
  p.closed = new Promise((resolve) => {
    child.on('error', (err) => {
      p.stderr.push(Buffer.from(String(err)));
      resolve({ code: -1, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  void p.closed.then(() => owner.delete(p));
  if (input !== undefined) child.stdin!.end(input);
  owner.add(p);
  return p;
}

async function killAll(procs: Set<Proc>): Promise<void> {
  const all = [...procs];
  for (const p of all) p.child.kill('SIGKILL');
  await Promise.all(all.map((p) => p.closed));
}
afterEach(() => killAll(perTest));
afterAll(() => killAll(perFile));

/** Rejects with `what` when `promise` takes longer than `ms`. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` every 20 ms until it holds; throws `what` after `ms`. */
async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port nobody listens on right now: bound to 127.0.0.1:0 and released. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts examples/<kind>-server.ts on 127.0.0.1:port and waits for its "listening on port" line. */
async function startServer(kind: string, port: number, owner = perTest): Promise<Proc> {
  const p = start(process.execPath, [...TSX, `examples/${kind}-server.ts`, String(port), LOOPBACK], undefined, owner);
  let exited = false;
  void p.closed.then(() => (exited = true));
  await waitFor(() => exited || text(p.stdout).includes('listening on port'), 15_000, `${kind}-server start`);
  if (exited) throw new Error(`${kind}-server exited early: ${text(p.stderr)}`);
  return p;
}

/** The socket fds open in process `pid`: the server's listener and its clients. */
function socketFds(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return n;
}

// ---- node:net peers -----------------------------------------------------------------------

function connectNet(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.off('error', reject);
      resolve(sock);
    });
    sock.on('error', reject);
  });
}

/** Collects `bytes` bytes from sock; rejects if the connection ends or fails first. */
function readBytes(sock: net.Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (err?: Error): void => {
      sock.off('data', onData).off('end', onEnd).off('error', done);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (d: Buffer): void => {
      chunks.push(d);
      got += d.length;
      if (got >= bytes) done();
    };
    const onEnd = (): void => done(new Error(`connection ended after ${got} of ${bytes} bytes`));
    sock.on('data', onData).on('end', onEnd).on('error', done);
  });
}

/** Writes every message at once, then checks that exactly their concatenation comes back. */
async function expectEcho(sock: net.Socket, messages: Buffer[], what: string): Promise<void> {
  const all = Buffer.concat(messages);
  const back = readBytes(sock, all.length);
  for (const m of messages) sock.write(m);
  const got = await within(10_000, back, what);
  expect(got.length, what).toBe(all.length);
  expect(Buffer.compare(got, all), `${what}: bytes differ`).toBe(0);
}

/** Half-closes and waits until the server closes its side too and the socket is gone. */
function closeNet(sock: net.Socket): Promise<void> {
  return within(
    5000,
    new Promise<void>((resolve) => {
      if (sock.destroyed) return resolve();
      sock.on('close', () => resolve());
      sock.resume(); // drain anything still arriving so 'end' can fire
      sock.end();
    }),
    'server closes after the client half-closes',
  );
}

// ---- python3 peer -------------------------------------------------------------------------

// echo: 5 B, 1000 B and 64 KiB, each sent whole (sendall) before any of its echo is read.
// slow: a 4 KiB receive buffer, 4 MiB sent at once, and a reader that starts 0.2 s late:
// the server's send() meets a full socket (short counts, EAGAIN) and it stops reading
// from the client while a megabyte is queued for it.
// reset: one echo, then 256 KiB whose echo is still in flight when SO_LINGER {1, 0} makes
// close() send RST instead of FIN.
// Each prints its local port first so the test can find it in the server's log.
const PYTHON = `
import os, socket, struct, sys, threading, time
mode = sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
if mode == 'slow':
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(10)
s.connect(('127.0.0.1', int(sys.argv[1])))
print(s.getsockname()[1], flush=True)
def read_into(got, n):
    while len(got) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        got.extend(chunk)
def check(data, got):
    if got != data:
        sys.exit('echo of %d bytes differs (%d came back)' % (len(data), len(got)))
if mode == 'echo':
    for size in (5, 1000, 65536):
        data, got = os.urandom(size), bytearray()
        s.sendall(data)
        read_into(got, len(data))
        check(data, got)
elif mode == 'slow':
    data, got = os.urandom(4 << 20), bytearray()
    reader = threading.Thread(target=lambda: (time.sleep(0.2), read_into(got, len(data))))
    reader.start()
    s.sendall(data)
    reader.join()
    check(data, got)
else:
    data, got = b'before the reset', bytearray()
    s.sendall(data)
    read_into(got, len(data))
    check(data, got)
    s.sendall(os.urandom(256 * 1024))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    print('reset', flush=True)
    sys.exit(0)
s.shutdown(socket.SHUT_WR)
if s.recv(1) != b'':
    sys.exit('expected EOF after SHUT_WR')
s.close()
print('ok', flush=True)
`;

// ---- the servers --------------------------------------------------------------------------

describe.each(['select', 'poll', 'epoll'])('%s-server', (kind) => {
  let port = 0;
  let server: Proc;
  let idle = 0; // socket fds of the idle server: its listener, and any the runtime (tsx) holds
  const pid = (): number => server.child.pid!;

  beforeAll(async () => {
    port = await freePort();
    server = await startServer(kind, port, perFile);
    idle = socketFds(pid());
  });
  afterAll(() => killAll(new Set([server])));

  it('listens on 127.0.0.1 only when given bind_ip 127.0.0.1 (the tests stay on loopback)', () => {
    // /proc/net/tcp: local address as hex of the in-memory u32, port in hex, state 0A = LISTEN
    const listening = readFileSync(`/proc/${pid()}/net/tcp`, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length > 3 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port)
      .map((f) => f[1].split(':')[0]);
    expect(listening).toEqual(['0100007F']);
  });

  it('echoes lines from nc exactly, and closes when nc half-closes', async (ctx) => {
    requirePeers(ctx, 'nc');
    const input = 'hello\nfrom netcat\n' + 'x'.repeat(20_000) + '\n';
    const nc = start('nc', ['-N', '127.0.0.1', String(port)], input);
    const { code } = await within(10_000, nc.closed, 'nc exits');
    expect(text(nc.stderr)).toBe('');
    expect(code).toBe(0);
    expect(text(nc.stdout)).toBe(input);
  });

  it('echoes 100 KiB of binary from socat exactly', async (ctx) => {
    requirePeers(ctx, 'socat');
    const input = randomBytes(100 * 1024);
    const socat = start('socat', ['-t', '5', '-', `TCP:127.0.0.1:${port}`], input);
    const { code } = await within(10_000, socat.closed, 'socat exits');
    expect(code).toBe(0);
    const out = Buffer.concat(socat.stdout);
    expect(out.length).toBe(input.length);
    expect(Buffer.compare(out, input)).toBe(0);
  });

  it('echoes a python3 socket client, 64 KiB sent before any of it is read back', async (ctx) => {
    requirePeers(ctx, 'python3');
    const py = start('python3', ['-c', PYTHON, String(port), 'echo']);
    const { code } = await within(10_000, py.closed, 'python client exits');
    expect(text(py.stderr)).toBe('');
    expect(code).toBe(0);
    expect(text(py.stdout)).toMatch(/^\d+\nok\n$/);
  });

  it('echoes 4 MiB to a python3 client with a 4 KiB receive buffer that reads late (short sends, EAGAIN)', async (ctx) => {
    requirePeers(ctx, 'python3');
    const py = start('python3', ['-c', PYTHON, String(port), 'slow']);
    const { code } = await within(15_000, py.closed, 'python client exits');
    expect(text(py.stderr)).toBe('');
    expect(code).toBe(0);
    expect(text(py.stdout)).toMatch(/^\d+\nok\n$/);
  });

  it('echoes a node:net client message by message', async () => {
    const sock = await connectNet(port);
    try {
      for (const m of ['one', 'two three', 'x'.repeat(3000), 'last']) {
        await expectEcho(sock, [Buffer.from(m)], `echo of ${m.length} bytes`);
      }
    } finally {
      await closeNet(sock);
    }
  });

  it('serves 50 concurrent clients, each byte of messages up to 64 KiB back in order', async () => {
    const sizes = [1, 100, 1500, 4096, 20_000, 65_536];
    const socks = await within(10_000, Promise.all(Array.from({ length: 50 }, () => connectNet(port))), '50 connects');
    try {
      await Promise.all(
        socks.map((sock, i) =>
          expectEcho(sock, sizes.map((n) => randomBytes(n + i)), `client ${i}`),
        ),
      );
    } finally {
      await Promise.all(socks.map(closeNet));
    }
    // Every one of those fds is closed again.
    await waitFor(() => socketFds(pid()) === idle, 3000, 'the server closes all 50 client fds');
  });

  it('detects python3 and node:net clients that reset the connection, closes their fds and keeps serving the others', async (ctx) => {
    requirePeers(ctx, 'python3');
    const bystanders = [await connectNet(port), await connectNet(port)];
    try {
      for (const b of bystanders) await expectEcho(b, [Buffer.from('before')], 'bystander before');
      const before = socketFds(pid());
      expect(before).toBe(idle + 2);

      for (const mode of ['reset', 'reset']) {
        const py = start('python3', ['-c', PYTHON, String(port), mode]);
        expect((await within(10_000, py.closed, 'python reset client exits')).code).toBe(0);
        const [clientPort, said] = text(py.stdout).trim().split('\n');
        expect(said).toBe('reset');
        const gone = `client 127.0.0.1:${clientPort} disconnected`;
        await waitFor(() => text(server.stdout).includes(gone), 3000, `server logs "${gone}"`);
        expect(text(server.stderr)).toMatch(
          new RegExp(`client 127\\.0\\.0\\.1:${clientPort}: \\w+: (ECONNRESET|EPIPE),`),
        );
      }

      // node:net's resetAndDestroy() sends RST the same way (SO_LINGER {1, 0}).
      const rst = await connectNet(port);
      await expectEcho(rst, [Buffer.from('node reset')], 'echo before node reset');
      const closed = new Promise((r) => rst.on('close', r));
      rst.resetAndDestroy();
      await within(2000, closed, 'node socket closes');

      await waitFor(() => socketFds(pid()) === before, 3000, 'server closes every reset client fd');
      for (const b of bystanders) await expectEcho(b, [Buffer.from('after')], 'bystander after');
    } finally {
      await Promise.all(bystanders.map(closeNet));
    }
    await waitFor(() => socketFds(pid()) === idle, 3000, 'the server closes the bystanders too');
  });

  it('a second server on the same port fails: "bind failed: EADDRINUSE", exit code 1', async () => {
    const second = start(process.execPath, [...TSX, `examples/${kind}-server.ts`, String(port), LOOPBACK]);
    const { code } = await within(15_000, second.closed, 'second server exits');
    expect(code).toBe(1);
    expect(text(second.stderr)).toBe('bind failed: EADDRINUSE, Address already in use\n');
    expect(text(second.stdout)).not.toContain('listening');
    // The first one is unaffected.
    const sock = await connectNet(port);
    await expectEcho(sock, [Buffer.from('still here')], 'first server still echoes');
    await closeNet(sock);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s while it waits with -1 (NULL) stops it within a second, exit code 0, its client closed — 10 servers, one signal each',
    async (signal) => {
      // The wait has no timeout: only the signalfd in the wait set can end it, so a signal
      // that went to one of Node's other threads instead would leave the server waiting
      // (or end it by Node's handler with 128+signo), and the round would fail.
      const ROUNDS = 10;
      const servers: { port: number; p: Proc }[] = [];
      for (let i = 0; i < ROUNDS; i += 5) {
        const ports: number[] = [];
        for (let j = i; j < Math.min(i + 5, ROUNDS); j++) ports.push(await freePort());
        servers.push(...(await Promise.all(ports.map(async (port) => ({ port, p: await startServer(kind, port) })))));
      }
      for (const { port, p } of servers) {
        const sock = await connectNet(port);
        const ended = new Promise<void>((r) => sock.on('end', () => r()));
        try {
          await expectEcho(sock, [Buffer.from('ping')], 'echo before the signal');
          await new Promise((r) => setTimeout(r, 100)); // now idle, blocked in select/poll/epoll_wait
          const t0 = performance.now();
          p.child.kill(signal);
          const { code, signal: killedBy } = await within(3000, p.closed, `server exits on ${signal}`);
          const elapsed = performance.now() - t0;
          expect({ code, killedBy, stderr: text(p.stderr) }).toEqual({ code: 0, killedBy: null, stderr: '' });
          expect(elapsed).toBeLessThan(1000);
          const out = text(p.stdout);
          expect(out).toContain(`got ${signal} from pid ${process.pid}, stopping\n`);
          expect(out).toMatch(/client 127\.0\.0\.1:\d+ disconnected, fd \d+ closed\nserver stopped\n$/);
          await within(2000, ended, 'the client sees the server close its fd');
        } finally {
          await closeNet(sock);
        }
      }
    },
    120_000,
  );
});

describe('the documented command', () => {
  it('tsx examples/epoll-server.ts <port> <bind_ip> (the README command minus npx) serves, and stops on SIGTERM to the server with code 0', async () => {
    const port = await freePort();
    const p = start(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'examples/epoll-server.ts', String(port), LOOPBACK]);
    await waitFor(() => text(p.stdout).includes('listening on port'), 15_000, 'tsx CLI starts the server');
    const sock = await connectNet(port);
    try {
      await expectEcho(sock, [Buffer.from('via tsx')], 'echo through the tsx CLI');
    } finally {
      await closeNet(sock);
    }
    // The server is the CLI's child. A SIGTERM to the CLI itself is forwarded with a 30 ms
    // deadline for a JavaScript listener in the child, which a signalfd server has not got
    // (examples/README.md): that exit status is the CLI's 143. The server's own is 0.
    const server = Number(readFileSync(`/proc/${p.child.pid}/task/${p.child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    expect(readFileSync(`/proc/${server}/cmdline`, 'utf8')).toContain('examples/epoll-server.ts');
    process.kill(server, 'SIGTERM');
    expect(await within(3000, p.closed, 'tsx CLI exits')).toEqual({ code: 0, signal: null });
    expect(text(p.stdout)).toContain(`got SIGTERM from pid ${process.pid}, stopping\nserver stopped\n`);
  });

  it('a bind_ip that is not an IPv4 address prints the usage line and exits 2 before binding', async () => {
    const p = start(process.execPath, [...TSX, 'examples/poll-server.ts', String(await freePort()), 'localhost']);
    expect(await within(15_000, p.closed, 'server exits')).toEqual({ code: 2, signal: null });
    expect(text(p.stderr)).toMatch(/^usage: npx tsx examples\/poll-server\.ts <port> \[bind_ip\]/);
    expect(text(p.stdout)).toBe('');
  });
});

// ---- the client ---------------------------------------------------------------------------

describe('client', () => {
  const runClient = (args: string[]): Proc => start(process.execPath, [...TSX, 'examples/client.ts', ...args]);

  it('sends each message to a node:net echo server and prints its echo', async () => {
    const conns = new Set<net.Socket>();
    const srv = net.createServer((c) => {
      conns.add(c);
      c.on('close', () => conns.delete(c));
      c.pipe(c);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const { port } = srv.address() as net.AddressInfo;
      const big = 'y'.repeat(100_000);
      const client = runClient([String(port), '127.0.0.1', 'hello', 'two words', big]);
      const { code } = await within(15_000, client.closed, 'client exits');
      expect(text(client.stderr)).toBe('');
      expect(code).toBe(0);
      expect(text(client.stdout)).toBe(
        `connected to 127.0.0.1:${port}\nreceived: hello\nreceived: two words\nreceived: ${big}\n`,
      );
    } finally {
      for (const c of conns) c.destroy();
      await new Promise((r) => srv.close(r));
    }
  });

  it('talks to the epoll example server', async () => {
    const port = await freePort();
    await startServer('epoll', port);
    const client = runClient([String(port)]);
    expect((await within(15_000, client.closed, 'client exits')).code).toBe(0);
    expect(text(client.stdout)).toBe(`connected to 127.0.0.1:${port}\nreceived: Hello from client\n`);
  });

  it('prints "connect failed: ECONNREFUSED" and exits 1 when nobody listens', async () => {
    const client = runClient([String(await freePort())]);
    expect((await within(15_000, client.closed, 'client exits')).code).toBe(1);
    expect(text(client.stderr)).toBe('connect failed: ECONNREFUSED, Connection refused\n');
  });
});

describe('examples', () => {
  it('type-check against the library (tsc -p examples)', () => {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'examples'], {
      cwd: root,
      timeout: 60_000,
      stdio: 'pipe',
    });
  }, 70_000);
});
