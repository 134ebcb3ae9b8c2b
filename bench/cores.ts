// bench/cores — an echo server scaled across cores (`sockfd bench --suites cores`).
//
//   node dist/bench/cores.js [--cores 1,2] [--conns 32] [--ms 2500] [--warmup 300]
//                            [--size 64] [--load-procs P] [--json]
//
// For each core count N, three servers answer the same load:
//   - sockfd: N worker_threads, each with its own listening socket bound with SO_REUSEPORT
//     to the same 127.0.0.1 port (the kernel spreads new connections over them) and its
//     own epoll loop, all through the public API (epoll_wait, tryAccept4, tryRecv, trySend);
//   - node:cluster: N worker processes, each a node:net echo server on the shared port
//     (Node's default scheduling on Linux: the primary accepts and hands connections out
//     round-robin);
//   - node:net: one process, one event loop (run once, as the 1-core reference).
// The load: `conns` connections, each sending a `size`-byte request and waiting for its
// echo before the next (closed loop), from max(1, cores / 2) load-generator processes (a
// sockfd epoll client). Every echo is compared byte for byte with its request; requests
// sent after the warm-up are counted, and each is answered before the generator stops, so
// requests = verified responses. Reported: responses/s over the timed window, p50 and p99
// of the round-trip latency.
//
// The generator shares the machine's cores with the server: on a 2-core machine a 2-worker
// server competes with it for CPU, and the table says so.
import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { once } from 'node:events';
import * as net from 'node:net';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as s from './sockfd';

const args = process.argv.slice(2);
function opt(name: string, def: number): number {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer, got '${args[i + 1] ?? ''}'`);
  return v;
}

export type CoresImpl = 'sockfd' | 'cluster' | 'net';

// ---- the sockfd server: one epoll loop per worker thread --------------------------------

interface EchoData {
  listenFd: number;
  stop: Int32Array;
}

/** One worker's loop: accept on its own SO_REUSEPORT listener, echo what each connection sends. */
function echoWorker(): void {
  const { listenFd, stop } = workerData as EchoData;
  const { epoll_wait, tryAccept4, tryRecv, trySend, epoll_ctl, close } = s;
  const { EPOLLIN, EPOLL_CTL_ADD, EPOLL_CTL_DEL, SOCK_NONBLOCK, IPPROTO_TCP, TCP_NODELAY } = s;
  const ep = s.epoll_create1(s.EPOLL_CLOEXEC);
  const ev = new s.epoll_event();
  ev.events = EPOLLIN;
  ev.data.fd = listenFd;
  epoll_ctl(ep, EPOLL_CTL_ADD, listenFd, ev);
  const events = s.epoll_event.array(256);
  const buf = new Uint8Array(65536);
  const open = new Set<number>();
  let echoed = 0;
  const drop = (fd: number): void => {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, null);
    open.delete(fd);
    close(fd);
  };
  parentPort!.postMessage('ready');
  // A 50 ms timeout so the stop flag is seen promptly; the load never waits on it.
  while (Atomics.load(stop, 0) === 0) {
    const n = epoll_wait(ep, events, 256, 50);
    for (let e = 0; e < n; e++) {
      const fd = events[e].data.fd;
      if (fd === listenFd) {
        for (;;) {
          const c = tryAccept4(listenFd, null, null, SOCK_NONBLOCK);
          if (c < 0) break; // -EAGAIN: the backlog is empty
          s.setsockopt(c, IPPROTO_TCP, TCP_NODELAY, 1);
          ev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, ev);
          open.add(c);
        }
        continue;
      }
      let r: number;
      try {
        r = tryRecv(fd, buf, buf.length, 0);
      } catch {
        drop(fd); // ECONNRESET from a generator that went away
        continue;
      }
      if (r === -s.EAGAIN) continue;
      if (r === 0) {
        drop(fd);
        continue;
      }
      // A request is 64 bytes and one is in flight per connection: the send buffer is
      // empty, so a short write would be a broken loop, reported rather than hidden.
      const w = trySend(fd, buf, r, 0);
      if (w !== r) throw new Error(`echo: send took ${w} of ${r} bytes`);
      echoed += r;
    }
  }
  for (const fd of open) close(fd);
  close(ep);
  close(listenFd);
  parentPort!.postMessage({ echoed });
}

async function serveSockfd(n: number): Promise<void> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  let port = 0;
  const fds: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = s.socket(s.AF_INET, s.SOCK_STREAM | s.SOCK_NONBLOCK, 0);
    s.setsockopt(l, s.SOL_SOCKET, s.SO_REUSEPORT, 1);
    s.bind(l, s.parseAddress(`127.0.0.1:${port}`));
    s.listen(l, s.SOMAXCONN);
    if (port === 0) {
      const a = new s.sockaddr_in();
      s.getsockname(l, a);
      port = s.ntohs(a.sin_port);
    }
    fds.push(l);
  }
  const workers = fds.map((listenFd) => new Worker(__filename, { workerData: { listenFd, stop } satisfies EchoData }));
  await Promise.all(workers.map((w) => once(w, 'message')));
  ready(port, async () => {
    Atomics.store(stop, 0, 1);
    await Promise.all(workers.map((w) => once(w, 'exit')));
  });
}

// ---- node:net servers: node:cluster and a single process -------------------------------

function netEcho(): net.Server {
  return net.createServer({ noDelay: true }, (c) => {
    c.on('data', (d: Buffer) => c.write(d));
    c.on('error', () => c.destroy());
  });
}

async function serveCluster(n: number): Promise<void> {
  // The port: picked by the kernel for a throwaway listener, then shared by the workers.
  const probe = netEcho().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  cluster.setupPrimary({ args: ['--cluster-worker', String(port)] });
  const workers = Array.from({ length: n }, () => cluster.fork());
  await Promise.all(workers.map((w) => once(w, 'listening')));
  ready(port, async () => {
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => (w.isDead() ? undefined : once(w, 'exit'))));
  });
}

async function serveNet(): Promise<void> {
  const server = netEcho().listen(0, '127.0.0.1');
  await once(server, 'listening');
  ready((server.address() as net.AddressInfo).port, async () => {
    server.close();
  });
}

/** Tells the parent the port (one JSON line), and stops when the parent closes our stdin. */
function ready(port: number, stop: () => Promise<void>): void {
  process.stdout.write(JSON.stringify({ port }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    void stop().then(() => process.exit(0));
  });
}

// ---- the load generator ----------------------------------------------------------------

interface LoadResult {
  requests: number;
  verified: number;
  /** The timed window: from the end of the warm-up to the last counted response, ms. */
  windowMs: number;
  /** Round-trip latency of every counted request, µs (0.1 µs resolution). */
  lat: number[];
}

function load(port: number, conns: number, ms: number, warmMs: number, size: number): LoadResult {
  const { epoll_wait, tryRecv, trySend, MSG_DONTWAIT, EAGAIN } = s;
  const ep = s.epoll_create1(s.EPOLL_CLOEXEC);
  const addr = s.parseAddress(`127.0.0.1:${port}`);
  const ev = new s.epoll_event();
  ev.events = s.EPOLLIN;
  const fds: number[] = [];
  const byFd = new Map<number, number>();
  const req: Uint8Array[] = [];
  const res: Uint8Array[] = [];
  const got = new Int32Array(conns);
  const seq = new Uint32Array(conns);
  const sentAt = new Float64Array(conns);
  try {
    for (let i = 0; i < conns; i++) {
      const fd = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
      fds.push(fd);
      s.connect(fd, addr);
      s.setsockopt(fd, s.IPPROTO_TCP, s.TCP_NODELAY, 1);
      ev.data.fd = fd;
      s.epoll_ctl(ep, s.EPOLL_CTL_ADD, fd, ev);
      byFd.set(fd, i);
      req.push(new Uint8Array(size).fill(0x61 + (i % 26)));
      res.push(new Uint8Array(size));
    }
    const events = s.epoll_event.array(conns);
    const stamp = (i: number): void => {
      // connection index and sequence number in the first 8 bytes: a stale or crossed
      // echo cannot pass the comparison
      const v = new DataView(req[i].buffer);
      v.setUint32(0, i);
      v.setUint32(4, seq[i]);
    };
    const sendReq = (i: number, now: number): void => {
      stamp(i);
      const w = trySend(fds[i], req[i], size, MSG_DONTWAIT);
      if (w !== size) throw new Error(`load: send took ${w} of ${size} bytes`);
      sentAt[i] = now;
    };
    const t0 = performance.now();
    const warmEnd = t0 + warmMs;
    const end = warmEnd + ms;
    let requests = 0;
    let verified = 0;
    let last = warmEnd;
    const lat: number[] = [];
    for (let i = 0; i < conns; i++) sendReq(i, performance.now());
    let active = conns;
    while (active > 0) {
      if (performance.now() > end + 10_000) throw new Error(`load: ${active} connections still wait for an echo 10 s after the end`);
      const n = epoll_wait(ep, events, conns, 100);
      for (let e = 0; e < n; e++) {
        const i = byFd.get(events[e].data.fd)!;
        const r = tryRecv(fds[i], res[i], size - got[i], MSG_DONTWAIT, got[i]);
        if (r === -EAGAIN) continue;
        if (r === 0) throw new Error(`load: the server closed connection ${i}`);
        got[i] += r;
        if (got[i] < size) continue;
        got[i] = 0;
        if (Buffer.compare(res[i], req[i]) !== 0) throw new Error(`load: connection ${i}, request ${seq[i]}: the echo differs from the request`);
        const now = performance.now();
        if (sentAt[i] >= warmEnd) {
          verified++;
          last = now;
          lat.push(Math.round((now - sentAt[i]) * 1e4) / 10);
        }
        if (now < end) {
          seq[i]++;
          if (now >= warmEnd) requests++;
          sendReq(i, now);
        } else active--;
      }
    }
    return { requests, verified, windowMs: last - warmEnd, lat };
  } finally {
    for (const fd of fds) s.close(fd);
    s.close(ep);
  }
}

// ---- the parent: one cell = one server + its generators ---------------------------------

/** One server at one core count, under the load. */
export interface CoresRow {
  impl: CoresImpl;
  /** Worker threads (sockfd), worker processes (cluster), 1 (node:net). */
  cores: number;
  conns: number;
  loadProcs: number;
  /** Requests sent after the warm-up, and responses verified byte for byte (always equal). */
  requests: number;
  verified: number;
  /** Verified responses per second over the timed window. */
  rps: number;
  p50Us: number;
  p99Us: number;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code, sig) => reject(new Error(`exited with ${sig ?? code} before it was ready: ${err.trim()}`)));
  });
}

function node(argv: string[]): ChildProcess {
  // execArgv carries `-r scripts/ts-register.cjs` when this runs from source.
  return spawn(process.execPath, [...process.execArgv, __filename, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
}

const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function cell(impl: CoresImpl, cores: number, o: Opts): Promise<CoresRow> {
  const server = node(['--serve', impl, String(cores)]);
  try {
    const { port } = JSON.parse(await firstLine(server)) as { port: number };
    const procs = Math.min(o.loadProcs, o.conns);
    const results = await Promise.all(
      Array.from({ length: procs }, async (_, g) => {
        const share = Math.floor(o.conns / procs) + (g < o.conns % procs ? 1 : 0);
        const gen = node(['--load', String(port), String(share), String(o.ms), String(o.warmup), String(o.size)]);
        let out = '';
        let err = '';
        gen.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
        gen.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
        gen.stdin!.end();
        const [code] = (await once(gen, 'exit')) as [number | null];
        if (code !== 0) throw new Error(`load generator ${g} against ${impl} x${cores} failed: ${err.trim()}`);
        return JSON.parse(out) as LoadResult;
      }),
    );
    const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
    return {
      impl,
      cores,
      conns: o.conns,
      loadProcs: procs,
      requests: results.reduce((a, r) => a + r.requests, 0),
      verified: results.reduce((a, r) => a + r.verified, 0),
      rps: results.reduce((a, r) => a + (r.windowMs > 0 ? (r.verified * 1000) / r.windowMs : 0), 0),
      p50Us: percentile(lat, 0.5),
      p99Us: percentile(lat, 0.99),
    };
  } finally {
    server.stdin!.end();
    if (server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  }
}

interface Opts {
  cores: number[];
  conns: number;
  ms: number;
  warmup: number;
  size: number;
  loadProcs: number;
}

async function main(): Promise<void> {
  const max = os.availableParallelism();
  const i = args.indexOf('--cores');
  const cores =
    i >= 0
      ? (args[i + 1] ?? '').split(',').map(Number)
      : Array.from({ length: max }, (_, k) => k + 1);
  if (cores.length === 0 || cores.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--cores needs positive integers, got '${args[i + 1] ?? ''}'`);
  const o: Opts = {
    cores,
    conns: opt('--conns', 32),
    ms: opt('--ms', 2500),
    warmup: opt('--warmup', 300),
    size: Math.max(8, opt('--size', 64)),
    loadProcs: opt('--load-procs', Math.max(1, Math.floor(max / 2))),
  };
  const rows: CoresRow[] = [];
  for (const n of o.cores) for (const impl of ['sockfd', 'cluster'] as const) rows.push(await cell(impl, n, o));
  rows.push(await cell('net', 1, o));
  for (const r of rows)
    if (r.verified !== r.requests || r.verified === 0)
      throw new Error(`cores ${r.impl} x${r.cores}: ${r.requests} requests, ${r.verified} verified responses`);

  const fmt = (r: CoresRow | undefined): string =>
    r ? `${Math.round(r.rps).toLocaleString('en-US').padStart(9)} ${r.p50Us.toFixed(0).padStart(6)} ${r.p99Us.toFixed(0).padStart(6)}` : ''.padStart(23);
  const net1 = rows.find((r) => r.impl === 'net');
  const text = [
    `echo, ${o.size}-byte requests, ${o.conns} connections (closed loop) from ${rows[0].loadProcs} load process(es) on the same ${max}-core machine; ` +
      `${o.ms} ms timed after ${o.warmup} ms warm-up, fresh processes per cell (${process.version})`,
    'cores   sockfd SO_REUSEPORT      node:cluster             sockfd /',
    '        req/s  p50 µs p99 µs     req/s  p50 µs p99 µs     cluster',
    ...o.cores.map((n) => {
      const a = rows.find((r) => r.impl === 'sockfd' && r.cores === n)!;
      const b = rows.find((r) => r.impl === 'cluster' && r.cores === n)!;
      return `${String(n).padEnd(5)} ${fmt(a)}  ${fmt(b)}   ${(a.rps / b.rps).toFixed(2)}x`;
    }),
    `single node:net process: ${fmt(net1).trim().replace(/\s+/g, ' ')} (req/s, p50 µs, p99 µs)`,
  ].join('\n');
  if (args.includes('--json')) {
    // `sockfd bench` stores this as results.json's `cores`.
    process.stdout.write(JSON.stringify({ ...o, machineCores: max, node: process.version, rows, text }, null, 2) + '\n');
  } else {
    console.log(text);
  }
}

function fail(e: unknown): void {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
}

if (!isMainThread) {
  echoWorker();
} else if (cluster.isWorker) {
  netEcho().listen(Number(args[args.indexOf('--cluster-worker') + 1]), '127.0.0.1');
} else if (args[0] === '--serve') {
  const n = Number(args[2]);
  (args[1] === 'sockfd' ? serveSockfd(n) : args[1] === 'cluster' ? serveCluster(n) : serveNet()).catch(fail);
} else if (args[0] === '--load') {
  try {
    const [port, conns, ms, warm, size] = args.slice(1, 6).map(Number);
    process.stdout.write(JSON.stringify(load(port, conns, ms, warm, size)));
  } catch (e) {
    fail(e);
  }
} else {
  main().catch(fail);
}
