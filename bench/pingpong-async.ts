// bench/pingpong-async — a 1-byte ping-pong between two connected sockets, driven by
// sockfd's async layer (lib/async.ts: sendAsync/recvAsync on uv_poll readiness) and by
// node:net, in the same run.
//
//   npm run bench:async [-- --rounds 20000 --repeat 5 --json]
//
// Like the other benchmarks it imports the package through its root ('..' = dist/), so
// npm run build:ts compiles it to dist/bench/pingpong-async.js.
//
// Each case runs in a fresh child process so neither warms the other's JIT or heap. Both
// sides of each ping-pong live in one process and one event loop, as in an integration
// test. Prints round trips per second and the ratio sockfd / node:net, for TCP over
// 127.0.0.1 (TCP_NODELAY on both ends) and for AF_UNIX stream sockets.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as s from '..';

const args = process.argv.slice(2);
function opt(name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const ROUNDS = opt('--rounds', 20_000);
const REPEAT = opt('--repeat', 5);
const WARMUP = Math.min(5_000, Math.ceil(ROUNDS / 5));

type Impl = 'sockfd' | 'net';
type Transport = 'tcp' | 'unix';
interface CaseResult {
  /** Median over REPEAT timed runs of round trips per wall-clock second. */
  rtPerSec: number;
  /** Median CPU time (user + system) per round trip, in µs: less sensitive to a busy machine. */
  cpuUsPerRt: number;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

/** Warms up, then times `ping(ROUNDS)` REPEAT times. */
async function measure(ping: (rounds: number) => Promise<void>): Promise<CaseResult> {
  await ping(WARMUP);
  const rates: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await ping(ROUNDS);
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    rates.push((ROUNDS * 1e9) / ns);
    cpus.push((c.user + c.system) / ROUNDS);
    if (process.env.PINGPONG_DEBUG) console.error(`user ${(c.user / ROUNDS).toFixed(1)} sys ${(c.system / ROUNDS).toFixed(1)}`);
  }
  return { rtPerSec: median(rates), cpuUsPerRt: median(cpus) };
}

// ---- one case, in a child: prints {rtPerSec}
async function runCase(impl: Impl, transport: Transport): Promise<CaseResult> {
  if (impl === 'sockfd') return sockfdCase(transport);
  return netCase(transport);
}

async function sockfdCase(transport: Transport): Promise<CaseResult> {
  let a: number;
  let b: number;
  if (transport === 'tcp') {
    const l = s.socket(s.AF_INET, s.SOCK_STREAM | s.SOCK_NONBLOCK, 0);
    s.bind(l, s.parseAddress('127.0.0.1:0'));
    s.listen(l, 1);
    const addr = new s.sockaddr_in();
    s.getsockname(l, addr);
    a = s.socket(s.AF_INET, s.SOCK_STREAM | s.SOCK_NONBLOCK, 0);
    [b] = await Promise.all([
      s.acceptAsync(l),
      s.connectAsync(a, s.parseAddress(`127.0.0.1:${s.ntohs(addr.sin_port)}`)),
    ]);
    s.close(l);
    s.setsockopt(a, s.IPPROTO_TCP, s.TCP_NODELAY, 1);
    s.setsockopt(b, s.IPPROTO_TCP, s.TCP_NODELAY, 1);
  } else {
    const sv = new Int32Array(2);
    s.socketpair(s.AF_UNIX, s.SOCK_STREAM | s.SOCK_NONBLOCK, 0, sv);
    a = sv[0];
    b = sv[1];
  }
  // Reads go into a 64 KiB buffer, as node:net's do; one byte goes each way.
  const echo = async () => {
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await s.recvAsync(b, buf);
      if (n === 0) return;
      await s.sendAsync(b, buf, n);
    }
  };
  const ping = async (rounds: number) => {
    const buf = new Uint8Array(65536);
    for (let i = 0; i < rounds; i++) {
      await s.sendAsync(a, buf, 1);
      if ((await s.recvAsync(a, buf)) !== 1) throw new Error('short read');
    }
  };
  const server = echo();
  const result = await measure(ping);
  s.shutdown(a, s.SHUT_WR);
  await server;
  s.close(a);
  s.close(b);
  return result;
}

async function netCase(transport: Transport): Promise<CaseResult> {
  const path = join(tmpdir(), `sockfd-pingpong-${process.pid}.sock`);
  const server = net.createServer({ noDelay: true }, (c) => {
    c.on('data', (d: Buffer) => c.write(d));
    c.on('end', () => c.end());
  });
  if (transport === 'tcp') server.listen(0, '127.0.0.1');
  else {
    rmSync(path, { force: true });
    server.listen(path);
  }
  await once(server, 'listening');
  const client =
    transport === 'tcp'
      ? net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', noDelay: true })
      : net.connect(path);
  await once(client, 'connect');
  const one = Buffer.alloc(1);
  const ping = (rounds: number) =>
    new Promise<void>((resolve) => {
      let left = rounds;
      const onData = (d: Buffer) => {
        left -= d.length;
        if (left <= 0) {
          client.off('data', onData);
          resolve();
        } else client.write(one);
      };
      client.on('data', onData);
      client.write(one);
    });
  const result = await measure(ping);
  client.end();
  await once(client, 'close');
  await new Promise((r) => server.close(r));
  if (transport !== 'tcp') rmSync(path, { force: true });
  return result;
}

// ---- parent: run every case in a child, print the table
function child(impl: Impl, transport: Transport): CaseResult {
  // execArgv carries `-r scripts/ts-register.cjs` when this runs from source.
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--case', impl, transport, '--rounds', String(ROUNDS), '--repeat', String(REPEAT)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${impl}/${transport} failed with status ${r.status}`);
  return JSON.parse(r.stdout) as CaseResult;
}

if (args[0] === '--case') {
  void runCase(args[1] as Impl, args[2] as Transport).then((r) => process.stdout.write(JSON.stringify(r)));
} else {
  // Two children per implementation, alternating, so a burst of load on the machine
  // hits both; each child reports medians and the better child counts.
  const best = (a: CaseResult, b: CaseResult): CaseResult => ({
    rtPerSec: Math.max(a.rtPerSec, b.rtPerSec),
    cpuUsPerRt: Math.min(a.cpuUsPerRt, b.cpuUsPerRt),
  });
  const rows = [];
  for (const transport of ['tcp', 'unix'] as const) {
    const s1 = child('sockfd', transport);
    const n1 = child('net', transport);
    const n2 = child('net', transport);
    const s2 = child('sockfd', transport);
    const sockfd = best(s1, s2);
    const node = best(n1, n2);
    rows.push({ transport, sockfd, node, ratio: sockfd.rtPerSec / node.rtPerSec, cpuRatio: node.cpuUsPerRt / sockfd.cpuUsPerRt });
  }
  const f = (r: CaseResult) => `${Math.round(r.rtPerSec).toString().padStart(7)}${r.cpuUsPerRt.toFixed(1).padStart(9)}   `;
  const text = [
    `1-byte ping-pong, ${REPEAT} x ${ROUNDS} round trips after ${WARMUP} warm-up, a fresh process per case (${process.version})`,
    'transport      sockfd async         node:net            sockfd / node:net',
    '               rt/s   cpu µs/rt     rt/s   cpu µs/rt    rt/s    cpu',
    ...rows.map((r) => {
      const label = r.transport === 'tcp' ? 'TCP 127.0.0.1' : 'AF_UNIX';
      return `${label.padEnd(14)}${f(r.sockfd)} ${f(r.node)} ${r.ratio.toFixed(2).padStart(5)}x ${r.cpuRatio.toFixed(2).padStart(5)}x`;
    }),
  ].join('\n');
  if (args.includes('--json')) {
    // `sockfd bench` stores this as results.json's `async`: the numbers, and the table as printed.
    process.stdout.write(JSON.stringify({ rounds: ROUNDS, repeat: REPEAT, warmup: WARMUP, node: process.version, rows, text }, null, 2) + '\n');
  } else {
    console.log(text);
  }
}
