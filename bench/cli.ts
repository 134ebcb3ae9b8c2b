#!/usr/bin/env node
// `sockfd bench` — the multiplexer benchmark (bench/README.md explains the method).
//
// This process only plans, spawns and reports: every case runs in a fresh child
// (child.ts), one at a time, so the two cores are not shared between cases and no case
// inherits another's heap or JIT state. A child that finds a wrong ready set aborts the
// whole run with a non-zero exit: no table is printed from a broken multiplexer.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderChart, type CoresPoint, type Series } from './chart';
import { METHODS, type Method } from './drivers';
import { URING_METHODS, isUring, uringUnavailable } from './uring';
import { FD_SETSIZE } from './sockfd';
import {
  markdown,
  pingPongTable,
  scaleTable,
  summarizePingPong,
  summarizeScale,
  targets,
  type PingPongSummary,
  type ScaleSummary,
} from './report';
import { EXIT_VERIFY, type CaseResult, type CaseSpec, type PingPongResult, type Plan, type ScaleResult } from './spec';

const HELP = `Usage: sockfd bench [flags]

Benchmarks select, poll and epoll driven from TypeScript through sockfd against the
same loops written in C inside the addon (same process), plus a one-byte ping-pong
against Node's own libuv loop (node:net). Each case runs in a fresh child process:
warm-up, then the median of several samples. Every round checks that the ready set
the multiplexer reported equals the set written; a mismatch fails the run.

  --quick            a short run: fewer, shorter samples (timings: bench/README.md)
  --n LIST           connection counts N (default 10,100,1000,10000)
  --active LIST      connections written per round, A (default 1,100; A <= N)
  --methods LIST     any of select,poll,epoll,io_uring (default select,poll,epoll; select stops
                     at FD_SETSIZE; io_uring runs io_uring-poll and io_uring-recv)
  --rounds R         rounds per sample (default: sized from the warm-up)
  --samples S        samples per loop (default 151, --quick 25; ~2 ms each)
  --timeout T        multiplexer timeout: 0 (return at once, default) or -1 (block);
                     it changes the kernel's poll/select path, so it is printed
  --tcp              TCP over loopback instead of AF_UNIX socketpairs
  --suites LIST      any of scale,pingpong,overhead,async,cores,stream (default all that
                     are installed); async: the async layer against node:net
                     (bench/pingpong-async); cores: an SO_REUSEPORT echo server per core
                     count against node:cluster (bench/cores); stream: bulk GB/s and
                     datagrams/s against C and node:net (bench/stream)
  --cores LIST       cores suite: the server core counts (default 1..available cores)
  --stream-total B   stream suite: bytes per transfer (default 512 MiB, --quick 64 MiB)
  --json             print the results JSON on stdout instead of the tables
  --out DIR          results folder (default bench/results/<timestamp>/)
  --render FILE      measure nothing: redraw the chart of a saved results.json
                     into <out>/chart.svg, or <out> if it ends in .svg (default:
                     chart.svg beside FILE)
  --help             this text

Writes <out>/results.json (every sample), <out>/results.md (the tables) and
<out>/chart.svg (time per round vs N, log-log; TS/C per method vs N; the ping-pong).`;

interface Options {
  /** Redraw the chart of this saved results.json; measure nothing. */
  render?: string;
  /** cores suite: server core counts (default: 1 .. os.availableParallelism()). */
  cores?: number[];
  /** stream suite: bytes per timed transfer. */
  streamTotal?: number;
  quick: boolean;
  n: number[];
  active: number[];
  methods: Method[];
  rounds?: number;
  samples?: number;
  timeout: 0 | -1;
  tcp: boolean;
  suites: string[];
  json: boolean;
  out?: string;
}

class UsageError extends Error {}

function parseList(flag: string, v: string | undefined): number[] {
  const xs = (v ?? '').split(',').filter(Boolean).map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1))
    throw new UsageError(`${flag} needs a comma-separated list of positive integers, got '${v ?? ''}'`);
  return xs;
}

function parseInt1(flag: string, v: string | undefined): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new UsageError(`${flag} needs a positive integer, got '${v ?? ''}'`);
  return x;
}

export function parseArgs(argv: string[]): Options | 'help' {
  const o: Options = {
    quick: false,
    n: [10, 100, 1000, 10000],
    active: [1, 100],
    methods: [...METHODS],
    timeout: 0,
    tcp: false,
    suites: [...SUITES],
    json: false,
  };
  const args = [...argv];
  if (args[0] === 'bench') args.shift();
  while (args.length > 0) {
    const a = args.shift()!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args.shift();
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--quick':
        o.quick = true;
        break;
      case '--n':
        o.n = parseList(flag, value());
        break;
      case '--active':
        o.active = parseList(flag, value());
        break;
      case '--methods': {
        // io_uring is both styles (bench/uring.ts); each may also be named alone.
        const ms = (value() ?? '').split(',').filter(Boolean).flatMap((m) => (m === 'io_uring' ? [...URING_METHODS] : [m]));
        const known: readonly string[] = [...METHODS, ...URING_METHODS];
        const bad = ms.filter((m) => !known.includes(m));
        if (ms.length === 0 || bad.length > 0) throw new UsageError(`--methods takes select,poll,epoll,io_uring, got '${ms.join(',')}'`);
        o.methods = [...new Set(ms)] as Method[];
        break;
      }
      case '--rounds':
        o.rounds = parseInt1(flag, value());
        break;
      case '--samples':
        o.samples = parseInt1(flag, value());
        break;
      case '--timeout': {
        const t = value();
        if (t !== '0' && t !== '-1') throw new UsageError(`--timeout is 0 or -1, got '${t ?? ''}'`);
        o.timeout = t === '0' ? 0 : -1;
        break;
      }
      case '--tcp':
        o.tcp = true;
        break;
      case '--suites': {
        const ss = (value() ?? '').split(',').filter(Boolean);
        const bad = ss.filter((s) => !(SUITES as readonly string[]).includes(s));
        if (ss.length === 0 || bad.length > 0) throw new UsageError(`--suites takes ${SUITES.join(',')}, got '${ss.join(',')}'`);
        o.suites = ss;
        break;
      }
      case '--json':
        o.json = true;
        break;
      case '--cores':
        o.cores = parseList(flag, value());
        break;
      case '--stream-total':
        o.streamTotal = parseInt1(flag, value());
        break;
      case '--render': {
        const f = value();
        if (!f) throw new UsageError('--render needs a results.json');
        o.render = f;
        break;
      }
      case '--out': {
        const d = value();
        if (!d) throw new UsageError('--out needs a directory');
        o.out = d;
        break;
      }
      default:
        throw new UsageError(`unknown argument '${a}' (see --help)`);
    }
  }
  o.n = [...new Set(o.n)].sort((a, b) => a - b);
  o.active = [...new Set(o.active)].sort((a, b) => a - b);
  return o;
}

function plan(o: Options): Plan {
  return {
    // Many short samples, the two languages alternating sample by sample: a burst from
    // another process lands in a few samples of one side, and the median drops them.
    warmupMs: o.quick ? 60 : 100,
    samples: o.samples ?? (o.quick ? 25 : 151),
    sampleMs: o.quick ? 1 : 2,
    rounds: o.rounds,
    timeout: o.timeout,
    tcp: o.tcp,
  };
}

/** The machine, as the chart title and the JSON state it. */
interface Machine {
  cpu: string;
  cores: number;
  kernel: string;
  node: string;
  arch: string;
}

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim(),
    cores: cpus.length,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    arch: process.arch,
  };
}

function scaleCases(o: Options, p: Plan): { cases: CaseSpec[]; skipped: string[] } {
  const cases: CaseSpec[] = [];
  const skipped: string[] = [];
  // A kernel that refuses io_uring (ENOSYS, EPERM, io_uring_disabled) skips its cells, said once.
  const noUring = o.methods.some(isUring) ? uringUnavailable() : null;
  if (noUring !== null) {
    skipped.push(`io_uring unavailable: ${noUring}`);
    process.stdout.write(`io_uring unavailable: ${noUring}\n`);
  }
  for (const method of o.methods)
    for (const n of o.n) {
      if (isUring(method) && noUring !== null) continue;
      if (method === 'select' && n >= FD_SETSIZE) {
        skipped.push(`select N=${n}: select stops at FD_SETSIZE (${FD_SETSIZE}) fds`);
        continue;
      }
      const seen = new Set<number>();
      for (const a of o.active) {
        const active = Math.min(a, n);
        if (seen.has(active)) continue; // A = min(A, N): N = 10 runs A = 10 once
        seen.add(active);
        cases.push({ kind: 'scale', method, n, active, ...p });
      }
    }
  return { cases, skipped };
}

// ---------------------------------------------------------------------------------------
// Progress on stderr: a bar redrawn in place on a terminal, one line per case otherwise.

class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private readonly start = Date.now();
  constructor(private readonly total: number) {}
  step(i: number, label: string): void {
    const secs = ((Date.now() - this.start) / 1000).toFixed(0);
    if (!this.tty) {
      process.stderr.write(`[${i + 1}/${this.total}] ${label} (${secs} s)\n`);
      return;
    }
    const width = 28;
    const done = Math.round((i / this.total) * width);
    const bar = '█'.repeat(done) + '░'.repeat(width - done);
    process.stderr.write(`\r\x1b[2K${bar} ${i + 1}/${this.total}  ${label}  ${secs} s`);
  }
  end(): void {
    const secs = ((Date.now() - this.start) / 1000).toFixed(1);
    process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}done: ${this.total} cases in ${secs} s\n`);
  }
}

/** A child exited with EXIT_VERIFY: a multiplexer reported a wrong ready set. */
class VerifyFailure extends Error {}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(out);
      const msg = err.trim() || `exited with ${signal ?? code}`;
      reject(code === EXIT_VERIFY ? new VerifyFailure(msg) : new Error(msg));
    });
  });
}

async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const out = await runNode([path.join(__dirname, 'child.js'), JSON.stringify(spec)]);
  const last = out.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as CaseResult;
}

/** What "C" is in every table: the loop runs inside this benchmark's own Node process. */
const C_KIND = "in-process C (the C loop in sockfd_bench.so, in the same Node process: Node's threads beside it)";
/** The ping-pong's second C row. */
const C_ALONE = 'single-threaded C (the same loop in a fork()ed child: one thread, no Node threads)';

/** The suites `--suites` takes; all but the first two are separate scripts run as child processes. */
const SUITES = ['scale', 'pingpong', 'overhead', 'async', 'cores', 'stream'] as const;

/** A suite that is its own script with its own checks: run as a child, its table printed. */
interface SubSuite {
  key: 'overhead' | 'async' | 'cores' | 'stream';
  label: string;
  command: string[];
}

/**
 * The command for bench/<name>, if this install has it: compiled beside this file, or as
 * TypeScript in a repository checkout (run through scripts/ts-register.cjs, which needs the
 * typescript devDependency). overhead: the per-call suite (from the multiplexers issue);
 * pingpong-async: the async layer against node:net (from the event-loop issue).
 */
function subSuiteCommand(name: string, args: string[]): string[] | undefined {
  const compiled = path.join(__dirname, `${name}.js`);
  if (existsSync(compiled)) return [compiled, ...args];
  const root = path.join(__dirname, '..', '..');
  const source = path.join(root, 'bench', `${name}.ts`);
  const register = path.join(root, 'scripts', 'ts-register.cjs');
  if (existsSync(source) && existsSync(register) && existsSync(path.join(root, 'node_modules', 'typescript')))
    return ['-r', register, source, ...args];
  return undefined;
}

function subSuites(o: Options): SubSuite[] {
  const out: SubSuite[] = [];
  const add = (key: SubSuite['key'], label: string, name: string, args: string[]): void => {
    const command = o.suites.includes(key) ? subSuiteCommand(name, args) : undefined;
    if (command) out.push({ key, label, command });
  };
  // Per-call verdicts need enough rounds for a narrow interval: with 5 they flipped between
  // runs minutes apart; 31 rounds give a ~95 % interval from the 10th to the 22nd ratio.
  // Short runs (20,000 calls) keep the suite around a minute.
  add('overhead', 'per-call overhead (bench/overhead)', 'overhead',
    ['--iterations', o.quick ? '5000' : '20000', '--rounds', o.quick ? '9' : '31', '--json']);
  add('async', 'async layer vs node:net (bench/pingpong-async)', 'pingpong-async',
    ['--rounds', o.quick ? '4000' : '20000', '--repeat', o.quick ? '3' : '5', '--json']);
  // Bounded: (2 x core counts + 1) cells of warm-up + timed window + process start-up.
  add('cores', 'echo server across cores (bench/cores)', 'cores', [
    ...(o.cores ? ['--cores', o.cores.join(',')] : []),
    '--ms', o.quick ? '600' : '2500', '--warmup', o.quick ? '150' : '300', '--json',
  ]);
  // 11 cells, each a warm-up transfer of total / 8 then `repeat` timed ones.
  add('stream', 'bulk transfer and datagrams (bench/stream)', 'stream', [
    '--total', String(o.streamTotal ?? (o.quick ? 64 : 512) * 1024 * 1024),
    '--repeat', o.quick ? '2' : '5', '--dgrams', o.quick ? '20000' : '200000', '--json',
  ]);
  return out;
}

function caseLabel(s: CaseSpec): string {
  return s.kind === 'scale' ? `${s.method} N=${s.n} A=${s.active}` : 'ping-pong (TS, in-process C, single-threaded C, node:net, io_uring TS and C)';
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
}

function pkgVersion(): string {
  try {
    const j = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return j.version ?? '';
  } catch {
    return '';
  }
}

/** What renderChart needs from a results.json: this run's or a saved one. */
interface SavedResults {
  date: string;
  machine: { cpu: string; cores: number; kernel: string; node: string };
  options: { methods: string[]; active: number[]; timeout: number; transport: string; plan: { samples: number } };
  scale: Array<{ median?: ScaleSummary }>;
  pingpong?: { median?: PingPongSummary };
  /** The cores suite (results.json's `cores`: `rows`, or `error`), when it ran. */
  cores?: { [field: string]: unknown };
  notes: string[];
  /** Set on a --quick run, so its chart says so. */
  quick?: boolean;
}

/** The cores suite's rows as the chart reads them (a saved file is checked, not trusted). */
function isCoresRows(x: unknown): x is CoresPoint[] {
  return (
    Array.isArray(x) &&
    x.every((r: unknown) => {
      const o = r as Partial<Record<keyof CoresPoint, unknown>> | null;
      return typeof o === 'object' && o !== null && typeof o.impl === 'string' && typeof o.cores === 'number' && typeof o.rps === 'number' && typeof o.p99Us === 'number';
    })
  );
}

/** The chart of a results.json: log-log panels, TS/C ratio panels, the ping-pong. */
export function chartOf(json: SavedResults): string {
  const { machine: m, options: o } = json;
  const summaries = json.scale.flatMap((r) => (r.median ? [r.median] : []));
  const series: Series[] = [];
  for (const method of o.methods)
    for (const a of o.active)
      for (const lang of ['TS', 'C'] as const) {
        const points = summaries
          .filter((x) => x.method === method && x.active === Math.min(a, x.n))
          .map((x) => ({ n: x.n, us: lang === 'TS' ? x.tsRound : x.cRound }));
        if (points.length > 0) series.push({ method, lang, active: a, points });
      }
  const pp = json.pingpong?.median;
  const cores = isCoresRows(json.cores?.rows) ? json.cores.rows : undefined;
  return renderChart({
    title:
      series.length === 0 && !pp && cores
        ? 'sockfd bench: an echo server scaled across cores'
        : `sockfd bench: time per round vs N (${o.transport}, timeout ${o.timeout})`,
    subtitle: `${m.cpu} · ${m.cores} cores · ${m.kernel} · Node ${m.node}${series.length > 0 ? ` · median of ${o.plan.samples} samples` : ''} · ${json.date.slice(0, 10)}${json.quick ? ' · --quick run' : ''}`,
    actives: o.active,
    series,
    pingpong: pp ? { ts: pp.ts, c: pp.c, net: pp.net, uring: pp.uring } : undefined,
    cores,
    notes: [
      ...(series.length > 0
        ? ['A round: write 1 byte to A connections, one multiplexer call, read every ready connection (verified to equal the written set).']
        : []),
      ...json.notes.slice(0, 3),
    ],
  });
}

/** --render: the chart of a saved results.json, nothing measured. */
function render(file: string, out: string | undefined): number {
  const json = JSON.parse(readFileSync(file, 'utf8')) as SavedResults;
  // --out: a folder (chart.svg goes in it) or the .svg file itself
  const svg = out?.endsWith('.svg') ? path.resolve(out) : path.join(path.resolve(out ?? path.dirname(file)), 'chart.svg');
  mkdirSync(path.dirname(svg), { recursive: true });
  writeFileSync(svg, chartOf(json));
  process.stdout.write(`chart:   ${svg} (from ${file})\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let o: Options | 'help';
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sockfd bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (o === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (o.render !== undefined) return render(o.render, o.out);
  const p = plan(o);
  const m = machine();
  const transport = o.tcp ? 'TCP over loopback' : 'AF_UNIX socketpairs';
  const timeoutText = o.timeout === 0 ? 'timeout 0 (return at once)' : 'timeout -1 (blocking)';
  const say = (s: string): void => {
    (o as Options).json ? process.stderr.write(s + '\n') : process.stdout.write(s + '\n');
  };
  const loadStart = os.loadavg();
  say(`sockfd bench — ${m.cpu}, ${m.cores} cores, ${m.kernel}, Node ${m.node}, load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
  say(`C = ${C_KIND}; the ping-pong also shows ${C_ALONE}`);
  // Other processes on the CPUs make every number noisier; say so rather than hide it.
  const load: string[] = [];
  if (os.loadavg()[0] > 0.5 * os.cpus().length)
    load.push(`load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores at start: other processes compete for the CPU, expect noisy numbers`);
  for (const l of load) say(`warning: ${l}`);
  say(`${transport}, ${timeoutText}, median of ${p.samples} samples after warm-up, each case in a fresh process`);

  const { cases, skipped } = o.suites.includes('scale') ? scaleCases(o, p) : { cases: [], skipped: [] };
  const all: CaseSpec[] = [...cases];
  if (o.suites.includes('pingpong')) all.push({ kind: 'pingpong', ...p, rounds: o.rounds });
  const subs = subSuites(o);

  const progress = new Progress(all.length + subs.length);
  const results: CaseResult[] = [];
  // Each sub-suite prints JSON (--json): its numbers as fields, and `text`, its table.
  const extra: Partial<Record<SubSuite['key'], { text: string; [field: string]: unknown } | { error: string }>> = {};
  try {
    for (let i = 0; i < all.length; i++) {
      progress.step(i, caseLabel(all[i]));
      results.push(await runCase(all[i]));
    }
    for (let i = 0; i < subs.length; i++) {
      progress.step(all.length + i, subs[i].label);
      // Its own suite with its own checks: a failure there is reported, not hidden, but
      // does not throw away the scale and ping-pong results already measured.
      extra[subs[i].key] = await runNode(subs[i].command)
        .then((out) => {
          const r = JSON.parse(out) as { text?: unknown };
          if (typeof r.text !== 'string') throw new Error(`${subs[i].label} printed no table`);
          return { ...r, text: r.text.trimEnd() };
        })
        .catch((e: Error) => ({ error: e.message }));
    }
    progress.end();
  } catch (e) {
    process.stderr.write('\n');
    if (e instanceof VerifyFailure) {
      process.stderr.write(`sockfd bench: FAILED — a multiplexer reported a wrong ready set:\n  ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`sockfd bench: a case failed:\n${(e as Error).message}\n`);
    return 1;
  }

  const scale = results.filter((r): r is ScaleResult => r.kind === 'scale');
  const ran = scale.filter((r) => !r.skipped);
  const summaries: ScaleSummary[] = ran.map(summarizeScale);
  const pp = results.find((r): r is PingPongResult => r.kind === 'pingpong');
  const ppSum: PingPongSummary | undefined = pp ? summarizePingPong(pp) : undefined;
  const verdicts = targets(summaries, ppSum);
  const notes = [...new Set([
    ...load,
    ...subs.flatMap((x) => {
      const r = extra[x.key];
      return r !== undefined && 'error' in r ? [`${x.label} failed: ${r.error}`] : [];
    }),
    ...skipped,
    ...scale.filter((r) => r.skipped).map((r) => r.skipped!),
    ...results.flatMap((r) => r.notes),
  ])];

  const outDir = path.resolve(o.out ?? path.join('bench', 'results', timestamp()));
  mkdirSync(outDir, { recursive: true });
  const json = {
    tool: 'sockfd bench',
    version: pkgVersion(),
    date: new Date().toISOString(),
    machine: { ...m, loadavg: os.loadavg() },
    // the load the numbers were taken under (1, 5, 15 min), and what each C column is
    loadavg: { start: loadStart, end: os.loadavg() },
    c: { kind: C_KIND, alone: C_ALONE },
    quick: o.quick,
    options: { ...o, transport, plan: p },
    scale: scale.map((r) => ({ ...r, median: r.skipped ? undefined : summarizeScale(r) })),
    pingpong: pp ? { ...pp, median: ppSum } : undefined,
    overhead: extra.overhead,
    async: extra.async,
    cores: extra.cores,
    stream: extra.stream,
    targets: verdicts,
    notes,
  };
  const jsonText = JSON.stringify(json, null, 2) + '\n';
  writeFileSync(path.join(outDir, 'results.json'), jsonText);

  const svg = chartOf(json);
  writeFileSync(path.join(outDir, 'chart.svg'), svg);
  writeFileSync(
    path.join(outDir, 'results.md'),
    markdown(
      [`${m.cpu}, ${m.cores} cores, ${m.kernel}, Node ${m.node}; ${transport}, ${timeoutText}; median of ${p.samples} samples.`],
      summaries,
      ppSum,
      verdicts,
      notes,
    ) +
      // the sub-suites' tables as they print them (their numbers are fields of results.json)
      subs.flatMap((x) => {
        const r = extra[x.key];
        return r !== undefined && 'text' in r ? [`\n${x.label}:\n\n\`\`\`\n${r.text}\n\`\`\`\n`] : [];
      }).join(''),
  );

  if (o.json) {
    process.stdout.write(jsonText);
  } else {
    const lines: string[] = [''];
    if (summaries.length > 0) lines.push(scaleTable(summaries), '');
    if (ppSum) lines.push(pingPongTable(ppSum), '');
    for (const x of subs) {
      const r = extra[x.key];
      if (r !== undefined && 'text' in r) lines.push(r.text, '');
    }
    if (verdicts.length > 0) {
      lines.push('targets:');
      for (const t of verdicts) lines.push(`  ${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.detail}`);
      lines.push('');
    }
    for (const n of notes) lines.push(`note: ${n}`);
    lines.push(
      `results: ${path.join(outDir, 'results.json')} (every sample), results.md (these tables)`,
      `chart:   ${path.join(outDir, 'chart.svg')}`,
    );
    process.stdout.write(lines.join('\n') + '\n');
  }
  return subs.some((x) => { const r = extra[x.key]; return r !== undefined && 'error' in r; }) ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`sockfd bench: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
