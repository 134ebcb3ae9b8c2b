// `sockfd bench --suites cores,stream`: short runs finish, and what they store is
// self-consistent: every request was answered and verified, every transfer moved the bytes
// configured, each ratio is the ratio of the figures beside it. No timing is asserted.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartOf } from '../bench/cli';
import { bench, compileBench, wellFormed } from './helpers/bench';

let out: string;

beforeAll(() => {
  compileBench();
  out = mkdtempSync(join(tmpdir(), 'sockfd-bench-suites-'));
}, 120_000); // compiling bench/ takes a while, several times longer under ASan

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

interface CoresRow {
  impl: string;
  cores: number;
  conns: number;
  requests: number;
  verified: number;
  rps: number;
  p50Us: number;
  p99Us: number;
}
interface StreamRow {
  transport: string;
  impl: string;
  bytes: number;
  runs: number;
  gbps: number;
  bestGbps: number;
  ofC: number;
  calls?: { sends: number; recvs: number; rounds: number }[];
  pairedOfC?: number[];
}
interface DgramRow {
  impl: string;
  dgrams: number;
  size: number;
  perSec: number;
  bestPerSec: number;
  ofRecvfrom: number;
}

describe('sockfd bench --suites cores,stream', () => {
  const total = 4 * 1024 * 1024;

  it('bench: a --quick cores,stream run finishes; --json prints the results.json it writes, with every figure positive and self-consistent', () => {
    const dir = join(out, 'run');
    const r = bench(['--quick', '--suites', 'cores,stream', '--cores', '1', '--stream-total', String(total), '--json', '--out', dir], {}, 120_000);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toEqual(json);

    // cores: sockfd and node:cluster at 1 core, and the single node:net process
    const rows = json.cores.rows as CoresRow[];
    expect(rows.map((x) => `${x.impl}x${x.cores}`)).toEqual(['sockfdx1', 'clusterx1', 'netx1']);
    for (const x of rows) {
      expect(x.requests).toBeGreaterThan(0);
      expect(x.verified).toBe(x.requests); // every request sent in the window came back, byte for byte
      expect(x.conns).toBe(json.cores.conns);
      expect(x.rps).toBeGreaterThan(0);
      expect(x.p50Us).toBeGreaterThan(0);
      expect(x.p99Us).toBeGreaterThanOrEqual(x.p50Us);
    }
    expect(json.cores.text).toMatch(/sockfd SO_REUSEPORT/);

    // stream: five implementations on two transports, each moving exactly `total` bytes
    const streams = json.stream.streams as StreamRow[];
    expect(json.stream.total).toBe(total);
    expect(json.stream.chunk).toBe(65536);
    expect(streams.map((x) => `${x.transport}/${x.impl}`)).toEqual([
      'unix/c', 'unix/floor', 'unix/sync', 'unix/async', 'unix/net',
      'tcp/c', 'tcp/floor', 'tcp/sync', 'tcp/async', 'tcp/net',
    ]);
    // C, the floor and sockfd sync run one loop: each run counts its calls, every chunk
    // took at least one send and one recv, and over AF_UNIX (where nothing but the loop
    // moves the bytes) the three make exactly the same calls.
    for (const x of streams) {
      if (x.impl === 'async' || x.impl === 'net') {
        expect(x.calls).toBeUndefined();
        continue;
      }
      expect(x.calls).toHaveLength(x.runs);
      for (const k of x.calls!) {
        expect(k.sends).toBeGreaterThanOrEqual(total / 65536);
        expect(k.recvs).toBeGreaterThanOrEqual(total / 65536);
        expect(k.rounds).toBeGreaterThanOrEqual(1);
        expect(k.rounds).toBeLessThanOrEqual(k.recvs);
      }
      if (x.transport === 'unix') expect(x.calls).toEqual(streams[0].calls);
      // floor and sync took turns with C in one child: one ratio to C per round
      if (x.impl === 'c') expect(x.pairedOfC).toBeUndefined();
      else {
        expect(x.pairedOfC).toHaveLength(x.runs);
        for (const q of x.pairedOfC!) expect(q).toBeGreaterThan(0);
      }
    }
    expect(json.stream.text).toMatch(/SO_SNDBUF = SO_RCVBUF = 1048576/);
    for (const x of streams) {
      expect(x.bytes).toBe(total);
      expect(x.runs).toBe(json.stream.repeat);
      expect(x.gbps).toBeGreaterThan(0);
      expect(x.bestGbps).toBeGreaterThanOrEqual(x.gbps);
      const c = streams.find((y) => y.transport === x.transport && y.impl === 'c')!;
      expect(x.ofC).toBeCloseTo(x.gbps / c.gbps, 9);
    }
    // datagrams: each receiver took every datagram sent
    expect(json.stream.dgramCount).toBe(20000); // --quick
    const dgrams = json.stream.dgrams as DgramRow[];
    expect(dgrams.map((x) => x.impl)).toEqual(['c-recv', 'recvfrom', 'recvmmsg']);
    for (const x of dgrams) {
      expect(x.dgrams).toBe(json.stream.dgramCount);
      expect(x.size).toBe(json.stream.dgramSize);
      expect(x.perSec).toBeGreaterThan(0);
      expect(x.bestPerSec).toBeGreaterThanOrEqual(x.perSec);
      expect(x.ofRecvfrom).toBeCloseTo(x.perSec / dgrams[1].perSec, 9);
    }

    // results.md carries both tables; the chart has the cores panel and redraws identically
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    expect(md).toContain(json.cores.text);
    expect(md).toContain(json.stream.text);
    const svg = readFileSync(join(dir, 'chart.svg'), 'utf8');
    expect(wellFormed(svg)).toBeNull();
    expect(svg).toContain('echo server scaled across cores');
    expect(svg).toContain('a single node:net process (1 core)');
    const again = bench(['--render', join(dir, 'results.json'), '--out', join(dir, 'again.svg')]);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'again.svg'), 'utf8')).toBe(svg);
  }, 150_000);

  it('bench chart: the cores panel draws a line per server across core counts and the single node:net process as a reference', () => {
    const saved = {
      date: '2026-12-05T00:00:00.000Z',
      machine: { cpu: 'CPU', cores: 2, kernel: 'Linux', node: 'v20' },
      options: { methods: [], active: [1], timeout: 0, transport: 'AF_UNIX socketpairs', plan: { samples: 1 } },
      scale: [],
      notes: [],
      cores: {
        rows: [
          { impl: 'sockfd', cores: 1, rps: 40000, p99Us: 900 },
          { impl: 'cluster', cores: 1, rps: 30000, p99Us: 1500 },
          { impl: 'sockfd', cores: 2, rps: 60000, p99Us: 800 },
          { impl: 'cluster', cores: 2, rps: 35000, p99Us: 2500 },
          { impl: 'net', cores: 1, rps: 25000, p99Us: 2000 },
        ],
      },
    };
    const svg = chartOf(saved);
    expect(wellFormed(svg)).toBeNull();
    expect((svg.match(/<path /g) ?? []).length).toBe(2); // sockfd and cluster; no scale lines
    expect(svg).toContain('sockfd, 2 cores: 60000 requests/s, p99 800 µs');
    expect(svg).toContain('single node:net process: 25000 requests/s');
    // a malformed saved `cores` draws no panel rather than a broken one
    expect(chartOf({ ...saved, cores: { rows: [{ impl: 'sockfd' }] } })).not.toContain('echo server scaled across cores');
    expect(chartOf({ ...saved, cores: { error: 'failed' } })).not.toContain('echo server scaled across cores');
  });

  it('bench: --cores and --stream-total take positive integers (exit 2 otherwise)', () => {
    for (const bad of [['--cores', '0'], ['--cores', '1,x'], ['--stream-total', '-5']]) {
      const r = bench(bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${bad[0]} needs`);
    }
  });
});
