// `sockfd bench` tests its own logic: a short run completes and writes parseable results,
// and a multiplexer that reports a wrong ready set fails the run (from TS and from C).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AF_UNIX, SOCK_NONBLOCK, SOCK_STREAM, close, recv, socketpair } from '../lib';
import { native } from '../bench/native';
import { chartOf } from '../bench/cli';
import { medianInterval, verdict } from '../bench/stats';
import { bench, compileBench, wellFormed } from './helpers/bench';

const root = join(__dirname, '..');
let out: string;

beforeAll(() => {
  compileBench();
  out = mkdtempSync(join(tmpdir(), 'sockfd-bench-'));
}, 120_000); // compiling bench/ takes a while, several times longer under ASan

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('sockfd bench', () => {
  it('bench: --suites async runs the async layer against node:net and records its table', () => {
    const dir = join(out, 'async');
    const r = bench(['--quick', '--suites', 'async', '--out', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sockfd \/ node:net/);
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(json.async.text).toMatch(/TCP 127\.0\.0\.1\s+\d+/);
    expect(json.async.text).toMatch(/AF_UNIX\s+\d+/);
    // the numbers themselves, as fields
    expect(json.async.rows.map((r: { transport: string }) => r.transport)).toEqual(['tcp', 'unix']);
    for (const row of json.async.rows) {
      for (const side of [row.sockfd, row.node]) {
        expect(side.rtPerSec).toBeGreaterThan(0);
        expect(side.cpuUsPerRt).toBeGreaterThan(0);
      }
      expect(row.ratio).toBeCloseTo(row.sockfd.rtPerSec / row.node.rtPerSec, 6);
    }
  }, 60_000); // ~9 s on an idle machine, 26 s seen at load 6

  it('bench: --suites overhead stores each call as fields, with an interval and a verdict that says "within noise" when the interval straddles the target', () => {
    const dir = join(out, 'overhead');
    const r = bench(['--quick', '--suites', 'overhead', '--out', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TS \/ C/);
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(json.overhead.rounds).toBe(9);
    expect(json.overhead.cases.map((c: { name: string }) => c.name)).toEqual([
      'poll, 1 ready fd', 'epoll_wait, 1 ready fd', 'select, 1 fd', 'send+recv, 1 byte', 'recv meeting EAGAIN (tryRecv)',
      'sendmsg+recvmsg, 1 byte', 'recvfrom, per datagram (64 queued, UDP)', 'recvmmsg, per datagram (batch of 64, UDP)',
    ]);
    // what "C" is, and the load the numbers were taken under, travel with them
    expect(json.overhead.c).toMatch(/^in-process C/);
    for (const l of [...json.overhead.loadavg.start, ...json.overhead.loadavg.end]) expect(l).toBeGreaterThanOrEqual(0);
    expect(r.stdout).toContain('in-process C ns/call');
    for (const c of json.overhead.cases) {
      for (const v of [c.tsNs, c.floorNs, c.cNs]) expect(v).toBeGreaterThan(0);
      for (const v of [c.tsSpread, c.cSpread]) expect(v).toBeGreaterThanOrEqual(0);
      expect(c.ratio.lo).toBeLessThanOrEqual(c.ratio.median);
      expect(c.ratio.median).toBeLessThanOrEqual(c.ratio.hi);
      expect(c.verdict).toBe(c.ratio.hi <= c.target ? 'met' : c.ratio.lo > c.target ? 'missed' : 'within noise');
      // the printed row shows the interval and the same verdict
      const row = r.stdout.split('\n').find((l) => l.startsWith(`| ${c.name} `));
      expect(row).toContain(`[${c.ratio.lo.toFixed(2)}–${c.ratio.hi.toFixed(2)}]`);
      expect(row).toContain(c.verdict);
    }
    // recvmmsg vs recvfrom: both per-datagram costs of each language, and the win (recvfrom ÷
    // recvmmsg per round) whose median lies inside its interval; the medians are the rows'
    const b = json.overhead.batching;
    const [recvfrom, recvmmsg] = json.overhead.cases.slice(6);
    expect(b.vlen).toBe(64);
    expect([b.tsRecvfromNs, b.tsRecvmmsgNs, b.cRecvfromNs, b.cRecvmmsgNs]).toEqual([recvfrom.tsNs, recvmmsg.tsNs, recvfrom.cNs, recvmmsg.cNs]);
    for (const w of [b.tsWin, b.cWin]) {
      expect(w.lo).toBeGreaterThan(0);
      expect(w.lo).toBeLessThanOrEqual(w.median);
      expect(w.median).toBeLessThanOrEqual(w.hi);
    }
    expect(r.stdout).toMatch(/recvmmsg vs recvfrom, ns per datagram/);
    expect(r.stdout).toMatch(/\| in-process C +\| +\d+ \| +\d+ \| +\d+\.\d\d× \[/);
  }, 60_000);

  it('bench stats: the median interval is the order statistics around the median; a verdict needs the whole interval on one side', () => {
    const xs = Array.from({ length: 21 }, (_, i) => 21 - i); // 21..1, unsorted on purpose
    expect(medianInterval(xs)).toEqual({ lo: 6, median: 11, hi: 16 });
    expect(medianInterval([3, 1, 2])).toEqual({ lo: 1, median: 2, hi: 3 });
    expect(verdict({ lo: 1.05, median: 1.1, hi: 1.14 }, 1.15)).toBe('met');
    expect(verdict({ lo: 1.16, median: 1.2, hi: 1.3 }, 1.15)).toBe('missed');
    expect(verdict({ lo: 1.1, median: 1.2, hi: 1.3 }, 1.15)).toBe('within noise');
    expect(verdict({ lo: 1.1, median: 1.12, hi: 1.3 }, 1.15)).toBe('within noise'); // a median under the target is not "met"
  });

  it('bench: a short --quick run finishes and writes results.json (every sample) and a well-formed chart.svg', () => {
    const r = bench(['--quick', '--n', '10,100', '--active', '1,10', '--rounds', '40', '--samples', '3', '--suites', 'scale,pingpong', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TS µs\/round/);
    expect(r.stdout).toMatch(/timeout 0/);

    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.machine.kernel).toMatch(/Linux/);
    // 3 methods x (N=10: A=1, A=10; N=100: A=1, A=10)
    expect(json.scale).toHaveLength(12);
    for (const c of json.scale) {
      expect(c.skipped).toBeUndefined();
      for (const lang of ['ts', 'c']) {
        expect(c[lang].round).toHaveLength(3);
        expect(c[lang].mux).toHaveLength(3);
        for (const v of [...c[lang].round, ...c[lang].mux]) expect(v).toBeGreaterThan(0);
        // the multiplexer call is part of the round
        for (let i = 0; i < 3; i++) expect(c[lang].mux[i]).toBeLessThan(c[lang].round[i]);
      }
      expect(c.roundsPerSample).toBe(40);
      expect(c.median.ratio).toBeGreaterThan(0);
    }
    for (const lang of ['ts', 'c', 'alone', 'net']) {
      expect(json.pingpong[lang].round).toHaveLength(3);
      for (const v of json.pingpong[lang].round) expect(v).toBeGreaterThan(0);
    }
    // single-threaded C (a fork()ed child) beside in-process C, and the ratios agree with the medians
    const pm = json.pingpong.median;
    expect(pm.alone).toBeGreaterThan(0);
    expect(pm.tsOverAlone).toBeCloseTo(pm.ts / pm.alone, 10);
    expect(pm.tsOverC).toBeCloseTo(pm.ts / pm.c, 10);
    expect(r.stdout).toMatch(/single-threaded C \(same loop, fork\(\)ed, no Node threads\) +\d/);
    expect(r.stdout).toMatch(/in-process C \(same loop, Node's threads beside it\) +\d/);
    expect(json.machine.loadavg).toHaveLength(3);
    for (const l of [...json.loadavg.start, ...json.loadavg.end]) expect(l).toBeGreaterThanOrEqual(0);
    expect(json.c.kind).toMatch(/^in-process C/);
    expect(json.c.alone).toMatch(/^single-threaded C/);
    expect(r.stdout).toContain('in-process C µs/round');
    expect(json.targets.length).toBeGreaterThan(0);

    const svg = readFileSync(join(out, 'chart.svg'), 'utf8');
    expect(wellFormed(svg)).toBeNull();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(json.machine.cpu.replace(/&/g, '&amp;'));
    // log-log: 3 methods x 2 languages x 2 panels; ratio panels: 3 methods x 2 panels
    expect((svg.match(/<path /g) ?? []).length).toBe(18);
    expect(svg).toContain('TypeScript ÷ C, A = 1');
    expect(svg).toContain('TypeScript ÷ C, A = 10');
    expect(svg).toContain('node:net (libuv)'); // the ping-pong bars, node:net included
    expect(svg).toContain('--quick run');

    // --render redraws the same chart from the saved results.json, measuring nothing
    const again = bench(['--render', join(out, 'results.json'), '--out', join(out, 'again.svg')]);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'again.svg'), 'utf8')).toBe(svg);
  }, 60_000); // ~5 s normally; the sanitizer build (npm run test:asan) is several times slower

  for (const method of ['select', 'poll', 'epoll']) {
    it(`bench: a wrong ready set from ${method} in the TypeScript driver fails the run with a clear message`, () => {
      const r = bench(['--methods', method, '--n', '10', '--active', '1', '--rounds', '20', '--samples', '1', '--suites', 'scale', '--out', out], {
        SOCKFD_BENCH_CORRUPT: method,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('a multiplexer reported a wrong ready set');
      expect(r.stderr).toContain(`${method === 'epoll' ? 'epoll_wait' : method} (TypeScript driver), round 3`);
      expect(r.stdout).not.toMatch(/TS µs\/round/);
    }, 30_000);
  }

  it('bench: the C loop rejects a ready set that differs from the written one', () => {
    // Connection 0 is watched on pair a but written through pair b's peer: the kernel then
    // reports a fd that was never written to, and the C loop must throw, not time it.
    const a = new Int32Array(2);
    const b = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b);
    try {
      const rfds = new Int32Array([a[0], b[0]]);
      const crossed = new Int32Array([b[1], a[1]]);
      const outs = new Float64Array(2);
      expect(() => native.benchScale(1, -1, rfds, crossed, 1, 1, 0, 0, outs)).toThrow(/C poll: round 0 reported fd \d+ .*not written/);
      // the same loop over the right pairs passes
      expect(recv(b[0], new Uint8Array(8))).toBe(1); // the stray byte the failed round left
      native.benchScale(1, -1, rfds, new Int32Array([a[1], b[1]]), 2, 5, 0, 0, outs);
      expect(outs[0]).toBeGreaterThan(0);
    } finally {
      for (const fd of [...a, ...b]) close(fd);
    }
  });

  it('bench profile: runs one per-call loop alone, for each side, and refuses a bad call', () => {
    for (const side of ['ts', 'floor', 'c']) {
      const r = spawnSync(process.execPath, [join(root, 'dist', 'bench', 'profile.js'), 'poll', side, '0.05'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      const m = /^poll (\w+): (\d+) calls, (\d+) ns\/call$/.exec(r.stdout.trim());
      expect(m?.[1]).toBe(side);
      expect(Number(m?.[2])).toBeGreaterThan(0);
      expect(Number(m?.[3])).toBeGreaterThan(0);
    }
    const bad = spawnSync(process.execPath, [join(root, 'dist', 'bench', 'profile.js'), 'nope', 'ts'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^usage: profile/);
  }, 60_000);

  it('bench: the single-threaded C ping-pong (a fork()ed child) runs the verified loop and reports its failures', () => {
    const a = new Int32Array(2);
    const b = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b);
    try {
      const out = new Float64Array(1);
      native.benchPingPongAlone(a[0], a[1], 50, 0, out);
      expect(out[0]).toBeGreaterThan(0);
      // two ends of different connections: the byte never arrives where the loop waits
      expect(() => native.benchPingPongAlone(a[0], b[0], 5, 0, out)).toThrow(/single-threaded C ping-pong: hop 0: epoll_wait returned 0/);
      expect(() => native.benchPingPongAlone(-1, a[1], 5, 0, out)).toThrow(RangeError);
    } finally {
      for (const fd of [...a, ...b]) close(fd);
    }
  });

  it('docs/bench.svg is the chart of docs/bench-results.json (the published run), as --render draws it', () => {
    const saved = JSON.parse(readFileSync(join(root, 'docs', 'bench-results.json'), 'utf8'));
    expect(readFileSync(join(root, 'docs', 'bench.svg'), 'utf8')).toBe(chartOf(saved));
  });

  it('bench: --help explains the flags and a bad flag exits 2', () => {
    const h = bench(['--help']);
    expect(h.status).toBe(0);
    for (const f of ['--quick', '--n', '--active', '--methods', '--rounds', '--timeout', '--tcp', '--json', '--out']) expect(h.stdout).toContain(f);
    const bad = bench(['--timeout', '5']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--timeout is 0 or -1');
  });
});
