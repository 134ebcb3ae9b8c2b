// bench/stream — bulk transfer throughput and datagrams per second (`sockfd bench --suites stream`).
//
//   node dist/bench/stream.js [--total BYTES] [--chunk BYTES] [--repeat R]
//                             [--dgrams COUNT] [--dgram-size BYTES] [--json]
//
// Stream cells move the same `total` bytes from one end of a connection to the other in
// `chunk`-byte calls (64 KiB by default), over an AF_UNIX socketpair and over TCP on
// 127.0.0.1, five ways:
//   - C: native/bench/stream.cc, in-process: on one thread, send until EAGAIN (the kernel's
//     buffers are full), then recv until EAGAIN (drained), and again;
//   - Node-API floor: the same loop in TypeScript calling argument-less native functions
//     that make the same send/recv on C-owned buffers: what any addon pays per call here;
//   - sockfd sync: the same loop through the public API (trySend / tryRecv, MSG_DONTWAIT);
//   - sockfd async: sendAsync / recvAsync (lib/async.ts), both ends on one event loop;
//   - node:net: a net.Socket writing (honouring backpressure) and one reading, one event loop.
// C, floor and sync make the same syscalls in the same order with the same sizes; each
// reports its send and recv calls and rounds, and the suite prints them.
// TCP: every sockfd cell's connection gets SO_SNDBUF = SO_RCVBUF = TCP_BUF on both ends,
// set before connect (the accepted end inherits the listener's), which turns loopback
// autotuning off: autotuned buffers grew to a few MiB and differently per connection, so
// the same loop moved 4 MiB per round in one cell and less in another, at 0.9-3.1 GB/s.
// node:net has no API for the two options and keeps the kernel's autotuning.
// One thread everywhere: a sender thread and a receiver thread on a 2-core machine shared
// with other work would measure the scheduler as much as the transfer.
// Datagram cells: AF_UNIX SOCK_DGRAM socketpair; C queues datagrams with sendmmsg until the
// kernel refuses more (untimed), then the receiver under test takes exactly those (timed):
// recvfrom() one per call, recvmmsg() 64 per call, and C's recv() one per call.
//
// Every cell runs in a fresh child process (a warm-up transfer, then `repeat` timed ones),
// but C, floor and sync of one transport share a child and take turns each round (see
// runCell); every run checks that the receiver got exactly the bytes (datagrams) sent.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as s from './sockfd';
import { native } from './sockfd';

const args = process.argv.slice(2);
function opt(name: string, def: number): number {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer, got '${args[i + 1] ?? ''}'`);
  return v;
}

export type StreamImpl = 'c' | 'floor' | 'sync' | 'async' | 'net';
export type DgramImpl = 'c-recv' | 'recvfrom' | 'recvmmsg';
type Transport = 'unix' | 'tcp';

/** One timed transfer: what arrived and how long it took. */
interface Run {
  bytes: number;
  ns: number;
  /** Datagrams received (datagram cells). */
  dgrams?: number;
  /** Stream cells C, floor and sync: send and recv calls that moved data, and rounds. */
  calls?: { sends: number; recvs: number; rounds: number };
}

/** SO_SNDBUF and SO_RCVBUF of both ends of every TCP connection but node:net's (the kernel doubles it). */
export const TCP_BUF = 1 << 20;

const IMPL_LABEL: Record<StreamImpl | DgramImpl, string> = {
  c: 'C (same loop, in-process)',
  floor: 'Node-API floor (argument-less calls)',
  sync: 'sockfd sync (trySend / tryRecv loop)',
  async: 'sockfd async (sendAsync / recvAsync)',
  net: 'node:net (one event loop)',
  'c-recv': 'C recv, 1 datagram per call',
  recvfrom: 'sockfd recvfrom, 1 datagram per call',
  recvmmsg: 'sockfd recvmmsg, 64 datagrams per call',
};

// ---- connected pairs -------------------------------------------------------------------

/** [sender, receiver]: blocking, CLOEXEC (sockfd's default). */
function pair(transport: Transport): [number, number] {
  if (transport === 'unix') {
    const sv = new Int32Array(2);
    s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0, sv);
    return [sv[0], sv[1]];
  }
  const l = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
  try {
    s.bind(l, s.parseAddress('127.0.0.1:0'));
    s.listen(l, 1);
    const addr = new s.sockaddr_in();
    s.getsockname(l, addr);
    const a = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
    for (const fd of [l, a]) {
      s.setsockopt(fd, s.SOL_SOCKET, s.SO_SNDBUF, TCP_BUF);
      s.setsockopt(fd, s.SOL_SOCKET, s.SO_RCVBUF, TCP_BUF);
    }
    s.connect(a, addr); // loopback: the handshake completes in the backlog, accept does not block
    return [a, s.accept(l)];
  } finally {
    s.close(l);
  }
}

// ---- the stream cells ------------------------------------------------------------------

function cStream(transport: Transport, chunk: number, total: number): Run {
  const [a, b] = pair(transport);
  try {
    const out = new Float64Array(5);
    native.benchStreamLoop(a, b, chunk, total, out);
    return { bytes: out[1], ns: out[0], calls: { sends: out[2], recvs: out[3], rounds: out[4] } };
  } finally {
    s.close(a);
    s.close(b);
  }
}

/**
 * The floor: syncStream's loop, statement for statement, but each call is an argument-less
 * native function making benchStreamLoop's send or recv on C-owned buffers (stream.cc).
 */
function floorStream(transport: Transport, chunk: number, total: number): Run {
  const [a, b] = pair(transport);
  const { benchStreamFloorSend: floorSend, benchStreamFloorRecv: floorRecv } = native;
  try {
    native.benchStreamFloorInit(a, b, chunk, total);
    let sent = 0;
    let got = 0;
    let sends = 0;
    let recvs = 0;
    let rounds = 0;
    const t0 = performance.now();
    while (got < total) {
      rounds++;
      while (sent < total) {
        const n = floorSend();
        if (n < 0) break;
        sent += n;
        sends++;
      }
      for (;;) {
        const n = floorRecv();
        if (n < 0) break;
        if (n === 0) throw new Error(`the peer closed after ${got} bytes`);
        got += n;
        recvs++;
      }
    }
    return { bytes: got, ns: (performance.now() - t0) * 1e6, calls: { sends, recvs, rounds } };
  } finally {
    s.close(a);
    s.close(b);
  }
}

/**
 * The same loop as native/bench/stream.cc's benchStreamLoop, through the public API: send
 * until EAGAIN, recv until EAGAIN, on one thread. trySend/tryRecv return -EAGAIN instead of
 * throwing, and MSG_DONTWAIT makes them non-blocking on these blocking fds.
 */
function syncStream(transport: Transport, chunk: number, total: number): Run {
  const [a, b] = pair(transport);
  const { trySend, tryRecv, MSG_DONTWAIT } = s;
  try {
    const src = new Uint8Array(chunk).fill(0x73);
    const dst = new Uint8Array(chunk);
    let sent = 0;
    let got = 0;
    let sends = 0;
    let recvs = 0;
    let rounds = 0;
    const t0 = performance.now();
    while (got < total) {
      rounds++;
      while (sent < total) {
        const n = trySend(a, src, Math.min(chunk, total - sent), MSG_DONTWAIT);
        if (n < 0) break; // -EAGAIN: the kernel's buffers are full
        sent += n;
        sends++;
      }
      for (;;) {
        const n = tryRecv(b, dst, chunk, MSG_DONTWAIT);
        if (n < 0) break; // -EAGAIN: drained
        if (n === 0) throw new Error(`the peer closed after ${got} bytes`);
        got += n;
        recvs++;
      }
    }
    return { bytes: got, ns: (performance.now() - t0) * 1e6, calls: { sends, recvs, rounds } };
  } finally {
    s.close(a);
    s.close(b);
  }
}

async function asyncStream(transport: Transport, chunk: number, total: number): Promise<Run> {
  const [a, b] = pair(transport);
  try {
    const out = new Uint8Array(chunk).fill(0x73);
    const buf = new Uint8Array(chunk);
    const t0 = performance.now();
    const sender = (async () => {
      let left = total;
      while (left > 0) left -= await s.sendAsync(a, out, Math.min(chunk, left));
    })();
    let got = 0;
    while (got < total) {
      const n = await s.recvAsync(b, buf, chunk);
      if (n === 0) break;
      got += n;
    }
    const ns = (performance.now() - t0) * 1e6;
    await sender;
    return { bytes: got, ns };
  } finally {
    s.close(a);
    s.close(b);
  }
}

async function netStream(transport: Transport, chunk: number, total: number): Promise<Run> {
  const path = join(tmpdir(), `sockfd-stream-${process.pid}.sock`);
  let got = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = net.createServer((c) => {
    c.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= total) done();
    });
  });
  if (transport === 'tcp') server.listen(0, '127.0.0.1');
  else {
    rmSync(path, { force: true });
    server.listen(path);
  }
  await once(server, 'listening');
  const client = transport === 'tcp' ? net.connect((server.address() as net.AddressInfo).port, '127.0.0.1') : net.connect(path);
  await once(client, 'connect');
  const out = Buffer.alloc(chunk, 0x73);
  const t0 = performance.now();
  let left = total;
  while (left > 0) {
    const n = Math.min(chunk, left);
    left -= n;
    if (!client.write(n === chunk ? out : out.subarray(0, n))) await once(client, 'drain');
  }
  await finished;
  const ns = (performance.now() - t0) * 1e6;
  client.destroy();
  await new Promise((r) => server.close(r));
  if (transport === 'unix') rmSync(path, { force: true });
  return { bytes: got, ns };
}

// ---- the datagram cells ----------------------------------------------------------------

/**
 * Datagram rounds: C queues datagrams with sendmmsg until the kernel refuses more (untimed),
 * then the receiver under test takes exactly that many (timed), until `count` went through.
 * Only the receiver is timed, and it never meets EAGAIN (it knows how many are queued), so
 * the figure is the receive path alone: one recvfrom per datagram, or recvmmsg 64 at a time.
 */
function dgramCell(impl: DgramImpl, size: number, count: number): Run {
  const sv = new Int32Array(2);
  s.socketpair(s.AF_UNIX, s.SOCK_DGRAM, 0, sv);
  const [a, b] = [sv[0], sv[1]];
  const { recvfrom, recvmmsg } = s;
  const BATCH = 64;
  const buf = new Uint8Array(size + 1); // +1: a longer datagram would show as size + 1
  const msgs = s.mmsghdr.array(BATCH);
  const slab = new Uint8Array(BATCH * (size + 1));
  for (let i = 0; i < BATCH; i++) {
    const iov = s.iovec.array(1);
    iov[0].iov_base = slab.subarray(i * (size + 1), (i + 1) * (size + 1));
    msgs[i].msg_hdr.msg_iov = iov;
  }
  const out = new Float64Array(4);
  let got = 0;
  let bytes = 0;
  let ns = 0;
  try {
    while (got < count) {
      const queued = native.benchDgramFill(a, size, count - got);
      if (queued === 0) throw new Error('the C sender could not queue a datagram');
      if (impl === 'c-recv') {
        native.benchDgramDrain(b, size, queued, out);
        if (out[1] !== queued) throw new Error(`C recv took ${out[1]} of ${queued} datagrams`);
        ns += out[0];
        bytes += out[2];
      } else if (impl === 'recvfrom') {
        const t0 = performance.now();
        for (let i = 0; i < queued; i++) {
          const n = recvfrom(b, buf, size + 1, 0, null, null);
          if (n !== size) throw new Error(`recvfrom returned ${n}, expected a ${size}-byte datagram`);
          bytes += n;
        }
        ns += (performance.now() - t0) * 1e6;
      } else {
        const t0 = performance.now();
        for (let left = queued; left > 0; ) {
          const n = recvmmsg(b, msgs, Math.min(BATCH, left), 0, null);
          for (let i = 0; i < n; i++) {
            const len = msgs[i].msg_len;
            if (len !== size) throw new Error(`recvmmsg entry ${i}: msg_len ${len}, expected ${size}`);
            bytes += len;
          }
          left -= n;
        }
        ns += (performance.now() - t0) * 1e6;
      }
      got += queued;
    }
    return { bytes, ns, dgrams: got };
  } finally {
    s.close(a);
    s.close(b);
  }
}

// ---- cells in a child: warm-up, then `repeat` timed runs --------------------------------

/** The runs of each implementation a child ran. */
interface CellResult {
  runs: Record<string, Run[]>;
}

/**
 * One child runs one cell, or several taking turns: C, floor and sync share a child so that
 * each round times all three within a second or two of each other (the order rotating per
 * round), and a burst of other work on this shared machine lands on all three rather than
 * on one cell's process. (The overhead suite runs TS, floor and C back to back likewise.)
 */
async function runCell(kind: 'stream' | 'dgram', impls: string[], transport: Transport, o: Opts): Promise<CellResult> {
  const once1 = async (impl: string, total: number): Promise<Run> => {
    if (kind === 'dgram') return dgramCell(impl as DgramImpl, o.dgramSize, total);
    switch (impl as StreamImpl) {
      case 'c':
        return cStream(transport, o.chunk, total);
      case 'floor':
        return floorStream(transport, o.chunk, total);
      case 'sync':
        return syncStream(transport, o.chunk, total);
      case 'async':
        return asyncStream(transport, o.chunk, total);
      default:
        return netStream(transport, o.chunk, total);
    }
  };
  const full = kind === 'dgram' ? o.dgrams : o.total;
  const runs: Record<string, Run[]> = {};
  for (const impl of impls) {
    await once1(impl, Math.max(1, Math.floor(full / 8))); // warm-up: JIT, socket buffers
    runs[impl] = [];
  }
  for (let i = 0; i < o.repeat; i++)
    for (let j = 0; j < impls.length; j++) {
      const impl = impls[(i + j) % impls.length];
      runs[impl].push(await once1(impl, full));
    }
  return { runs };
}

interface Opts {
  total: number;
  chunk: number;
  repeat: number;
  dgrams: number;
  dgramSize: number;
}

function child(kind: 'stream' | 'dgram', impls: string[], transport: Transport, o: Opts): CellResult {
  const impl = impls.join(',');
  // execArgv carries `-r scripts/ts-register.cjs` when this runs from source.
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--cell', kind, impl, transport, JSON.stringify(o)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`stream ${kind} ${impl} ${transport} failed (${r.signal ?? r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as CellResult;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1];

/** A stream row of the results: the bytes moved and the median / best throughput. */
export interface StreamRow {
  transport: Transport;
  impl: StreamImpl;
  label: string;
  /** Bytes each timed run moved (every run moved exactly `total`). */
  bytes: number;
  runs: number;
  /** GB/s (10^9 bytes per second): median and best of the runs. */
  gbps: number;
  bestGbps: number;
  /** Median gbps / the C cell's median gbps on the same transport. */
  ofC: number;
  /**
   * Floor and sync: this run's GB/s over C's in the same round of the shared child, per
   * round; the median and range of these is the ratio a loaded machine disturbs least.
   */
  pairedOfC?: number[];
  /** C, floor and sync: send calls, recv calls (both counting only calls that moved data) and rounds, per run. */
  calls?: { sends: number; recvs: number; rounds: number }[];
}

/** A datagram row: datagrams per second, median and best. */
export interface DgramRow {
  impl: DgramImpl;
  label: string;
  dgrams: number;
  size: number;
  runs: number;
  perSec: number;
  bestPerSec: number;
  ofRecvfrom: number;
}

function main(): void {
  const o: Opts = {
    total: opt('--total', 1 << 30),
    chunk: opt('--chunk', 65536),
    repeat: opt('--repeat', 3),
    dgrams: opt('--dgrams', 200_000),
    dgramSize: opt('--dgram-size', 64),
  };
  const streams: StreamRow[] = [];
  for (const transport of ['unix', 'tcp'] as const) {
    const rows: StreamRow[] = [];
    const trio = child('stream', ['c', 'floor', 'sync'], transport, o).runs;
    for (const impl of ['c', 'floor', 'sync', 'async', 'net'] as const) {
      const runs = trio[impl] ?? child('stream', [impl], transport, o).runs[impl];
      for (const r of runs)
        if (r.bytes !== o.total) throw new Error(`stream ${impl} ${transport}: received ${r.bytes} of ${o.total} bytes`);
      const rates = runs.map((r) => r.bytes / r.ns); // bytes per ns = GB/s
      const row: StreamRow = { transport, impl, label: IMPL_LABEL[impl], bytes: o.total, runs: runs.length, gbps: median(rates), bestGbps: Math.max(...rates), ofC: 0 };
      if (runs[0].calls) row.calls = runs.map((r) => r.calls!);
      rows.push(row);
    }
    for (const r of rows) r.ofC = r.gbps / rows[0].gbps;
    for (const r of rows)
      if (r.impl === 'floor' || r.impl === 'sync') {
        const mine = trio[r.impl];
        r.pairedOfC = mine.map((x, i) => x.bytes / x.ns / (trio.c[i].bytes / trio.c[i].ns));
      }
    streams.push(...rows);
  }
  const dgrams: DgramRow[] = [];
  for (const impl of ['c-recv', 'recvfrom', 'recvmmsg'] as const) {
    const runs = child('dgram', [impl], 'unix', o).runs[impl];
    for (const r of runs)
      if (r.dgrams !== o.dgrams || r.bytes !== o.dgrams * o.dgramSize)
        throw new Error(`datagrams ${impl}: received ${r.dgrams} (${r.bytes} bytes) of ${o.dgrams}`);
    const rates = runs.map((r) => (r.dgrams! * 1e9) / r.ns);
    dgrams.push({ impl, label: IMPL_LABEL[impl], dgrams: o.dgrams, size: o.dgramSize, runs: runs.length, perSec: median(rates), bestPerSec: Math.max(...rates), ofRecvfrom: 0 });
  }
  for (const r of dgrams) r.ofRecvfrom = r.perSec / dgrams[1].perSec;

  const mib = (b: number): string => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(0)} MiB` : `${b} bytes`);
  const text = [
    `bulk transfer: ${mib(o.total)} in ${o.chunk}-byte calls, median of ${o.repeat} runs after a warm-up, a fresh process and connection per run (${process.version});`,
    `TCP: SO_SNDBUF = SO_RCVBUF = ${TCP_BUF} on both ends (node:net: the kernel's autotuning); calls: sends / recvs / rounds of the first timed run;`,
    `C, floor and sync take turns in one process: per round = median [range] of each round's GB/s over C's in the same round`,
    'transport  implementation                                GB/s   best   ×C  calls',
    ...streams.map(
      (r) =>
        `${(r.transport === 'tcp' ? 'TCP' : 'AF_UNIX').padEnd(10)} ${r.label.padEnd(44)} ${r.gbps.toFixed(2).padStart(5)}  ${r.bestGbps.toFixed(2).padStart(5)}  ${r.ofC.toFixed(2)}` +
        (r.calls ? `  ${r.calls[0].sends} / ${r.calls[0].recvs} / ${r.calls[0].rounds}` : '') +
        (r.pairedOfC
          ? `  per round ${median(r.pairedOfC).toFixed(2)} [${Math.min(...r.pairedOfC).toFixed(2)}-${Math.max(...r.pairedOfC).toFixed(2)}]`
          : ''),
    ),
    '',
    `datagrams: ${o.dgrams} x ${o.dgramSize} bytes over an AF_UNIX SOCK_DGRAM socketpair, queued by C, receive time only, median of ${o.repeat} runs`,
    'receiver                                       datagrams/s        best   ×recvfrom',
    ...dgrams.map(
      (r) =>
        `${r.label.padEnd(44)} ${Math.round(r.perSec).toLocaleString('en-US').padStart(12)} ${Math.round(r.bestPerSec).toLocaleString('en-US').padStart(11)}   ${r.ofRecvfrom.toFixed(2)}`,
    ),
  ].join('\n');
  if (args.includes('--json')) {
    // `sockfd bench` stores this as results.json's `stream`.
    process.stdout.write(
      JSON.stringify({ total: o.total, chunk: o.chunk, repeat: o.repeat, dgramCount: o.dgrams, dgramSize: o.dgramSize, node: process.version, streams, dgrams, text }, null, 2) + '\n',
    );
  } else {
    console.log(text);
  }
}

if (args[0] === '--cell') {
  const [, kind, impl, transport, json] = args;
  runCell(kind as 'stream' | 'dgram', impl.split(','), transport as Transport, JSON.parse(json) as Opts).then(
    (r) => process.stdout.write(JSON.stringify(r)),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  main();
}
