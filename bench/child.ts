// One benchmark case, run in a fresh process: `node child.js '<CaseSpec JSON>'`.
//
// Why a child per case: the heap, the JIT's type feedback and the fd table one case leaves
// behind would colour the next one. Inside the child the TypeScript and C loops run over the
// same connections, interleaved sample by sample (TS first on even samples, C first on odd
// ones), so both see the same caches, the same fd table and the same kernel state.
// Prints one JSON line (CaseResult) on stdout; a failed verification exits EXIT_VERIFY.
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { closeConnections, openConnections, openPair } from './connections';
import { BenchVerifyError, cAlonePingPong, cLoop, cPingPong, epollFor, netPingPong, tsLoop, tsPingPong } from './drivers';
import type { Loop, PingPong } from './drivers';
import { isUring, uringCLoop, uringCPingPong, uringTsLoop, uringTsPingPong, uringUnavailable } from './uring';
import { EXIT_VERIFY } from './spec';
import type { CaseSpec, PingPongResult, Plan, ScaleResult } from './spec';
import { FD_SETSIZE, close, errnoName, native } from './sockfd';

/** Runs growing batches for `ms`; returns the last batch's ns per round and the next round. */
function warmUp(run: (rounds: number, base: number) => number, ms: number, base: number): [number, number] {
  const end = performance.now() + ms;
  let rounds = 1;
  let per = 0;
  for (;;) {
    const ns = run(rounds, base);
    base += rounds;
    per = ns / rounds;
    if (performance.now() >= end) return [per, base];
    if (ns < (ms * 1e6) / 8) rounds *= 2;
  }
}

function batchSize(plan: Plan, nsPerRound: number): number {
  if (plan.rounds !== undefined) return plan.rounds;
  return Math.max(1, Math.min(10_000_000, Math.round((plan.sampleMs * 1e6) / nsPerRound)));
}

function runScale(spec: Extract<CaseSpec, { kind: 'scale' }>): ScaleResult {
  const notes: string[] = [];
  const open = readdirSync('/proc/self/fd').length;
  const slack = 32; // the epoll fd, the listener, a few of libuv's own
  let n = spec.n;
  const want = open + 2 * n + slack;
  const lim = native.benchRaiseNofile(want);
  if (lim.errno !== 0) notes.push(`setrlimit(RLIMIT_NOFILE, ${want}) failed: ${errnoName(lim.errno) ?? lim.errno}`);
  if (lim.soft !== -1 && lim.soft < want) {
    // The note is one fact for every case of this N: it names no per-process count (`open`
    // differs by a descriptor or two between children), and N is cut with a fixed allowance
    // for the process's own fds so every method runs the same N.
    n = Math.floor((lim.soft - Math.max(open, 64) - slack) / 2);
    notes.push(
      `N=${spec.n} needs over ${2 * spec.n} fds (2 per connection) but RLIMIT_NOFILE stops at ${lim.soft} ` +
        `(hard limit ${lim.hard}); ran N=${n}. Raise the hard limit (ulimit -Hn as root) for the full N.`,
    );
  }
  const active = Math.min(spec.active, n);
  const result: ScaleResult = {
    kind: 'scale',
    method: spec.method,
    n,
    requestedN: spec.n,
    active,
    roundsPerSample: 0,
    ts: { round: [], mux: [] },
    c: { round: [], mux: [] },
    notes,
    nofile: { soft: lim.soft, hard: lim.hard },
  };
  // (`open` counts the fd readdir used, so it overestimates by one: a sure miss only.)
  if (spec.method === 'select' && open - 1 + n > FD_SETSIZE) {
    result.skipped = `select N=${n}: the read ends would pass FD_SETSIZE (${FD_SETSIZE})`;
    return result;
  }

  const conns = openConnections(n, spec.tcp, open + n + slack / 2);
  let epfd = -1;
  const loops: Loop[] = [];
  try {
    const maxfd = Math.max(...conns.rfds);
    if (spec.method === 'select' && maxfd >= FD_SETSIZE) {
      result.skipped = `select N=${n}: fd ${maxfd} >= FD_SETSIZE (${FD_SETSIZE})`;
      return result;
    }
    const m = spec.method;
    if (isUring(m)) {
      const why = uringUnavailable();
      if (why !== null) {
        result.skipped = `io_uring unavailable: ${why}`;
        return result;
      }
    }
    if (m === 'epoll') epfd = epollFor(conns.rfds);
    const ts = isUring(m) ? uringTsLoop(m, conns, active) : tsLoop(m, conns, active, spec.timeout, epfd);
    const c = isUring(m) ? uringCLoop(m, conns, active) : cLoop(m, conns, active, spec.timeout, epfd);
    loops.push(ts, c);

    let base = 0;
    let perTs: number;
    [perTs, base] = warmUp((r, b) => ts.run(r, b).ns, spec.warmupMs, base);
    [, base] = warmUp((r, b) => c.run(r, b).ns, spec.warmupMs, base);
    const rounds = batchSize(spec, perTs);
    result.roundsPerSample = rounds;
    for (let s = 0; s < spec.samples; s++) {
      const order: Array<['ts' | 'c', Loop]> = s % 2 === 0 ? [['ts', ts], ['c', c]] : [['c', c], ['ts', ts]];
      for (const [lang, loop] of order) {
        const b = loop.run(rounds, base);
        base += rounds;
        result[lang].round.push(b.ns / rounds / 1000);
        result[lang].mux!.push(b.muxNs / rounds / 1000);
      }
    }
    return result;
  } finally {
    for (const l of loops) l.close();
    if (epfd >= 0) close(epfd);
    closeConnections(conns);
  }
}

async function runPingPong(spec: Extract<CaseSpec, { kind: 'pingpong' }>): Promise<PingPongResult> {
  const noUring = uringUnavailable();
  const pairs = [openPair(spec.tcp), openPair(spec.tcp), openPair(spec.tcp), openPair(spec.tcp)];
  if (noUring === null) pairs.push(openPair(spec.tcp), openPair(spec.tcp));
  const loops: Record<'ts' | 'c' | 'alone' | 'net', PingPong> & Partial<Record<'uringTs' | 'uringC', PingPong>> = {
    ts: tsPingPong(pairs[0][0], pairs[0][1], spec.timeout),
    c: cPingPong(pairs[1][0], pairs[1][1], spec.timeout),
    alone: cAlonePingPong(pairs[3][0], pairs[3][1], spec.timeout),
    net: netPingPong(pairs[2][0], pairs[2][1]), // owns and closes its fds
  };
  const result: PingPongResult = {
    kind: 'pingpong',
    tripsPerSample: 0,
    ts: { round: [] },
    c: { round: [] },
    alone: { round: [] },
    net: { round: [] },
    notes: [],
  };
  if (noUring === null) result.uring = { ts: { round: [] }, c: { round: [] } };
  else result.uringUnavailable = `io_uring unavailable: ${noUring}`;
  try {
    // io_uring rows: each hop waits in io_uring_enter (no busy-poll variant, whatever --timeout says)
    if (noUring === null) {
      loops.uringTs = uringTsPingPong(pairs[4][0], pairs[4][1]);
      loops.uringC = uringCPingPong(pairs[5][0], pairs[5][1]);
    }
    const [perTs] = warmUp((r) => loops.ts.run(r) as number, spec.warmupMs, 0);
    warmUp((r) => loops.c.run(r) as number, spec.warmupMs, 0);
    if (loops.uringTs && loops.uringC) {
      warmUp((r) => loops.uringTs!.run(r) as number, spec.warmupMs, 0);
      warmUp((r) => loops.uringC!.run(r) as number, spec.warmupMs, 0);
    }
    // one fork per call: warm with a few batches of the sample size instead
    for (let i = 0; i < 3; i++) loops.alone.run(batchSize(spec, perTs));
    // node:net is asynchronous: warm it with a few fixed batches instead.
    for (let i = 0; i < 4; i++) await loops.net.run(Math.max(1, Math.round((spec.warmupMs * 1e6) / perTs / 16)));
    const trips = batchSize(spec, perTs);
    result.tripsPerSample = trips;
    const names = ['ts', 'c', 'alone', 'net', ...(result.uring ? (['uringTs', 'uringC'] as const) : [])] as const;
    const into = (name: (typeof names)[number]): number[] =>
      name === 'uringTs' ? result.uring!.ts.round : name === 'uringC' ? result.uring!.c.round : result[name].round;
    for (let s = 0; s < spec.samples; s++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(s + k) % names.length];
        const ns = await loops[name]!.run(trips);
        into(name).push(ns / trips / 1000);
      }
    }
    return result;
  } finally {
    loops.ts.close();
    loops.c.close();
    loops.alone.close();
    loops.net.close();
    loops.uringTs?.close();
    loops.uringC?.close();
    for (const [a, b] of [pairs[0], pairs[1], pairs[3], ...pairs.slice(4)]) {
      close(a);
      close(b);
    }
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as CaseSpec;
  const result = spec.kind === 'scale' ? runScale(spec) : await runPingPong(spec);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  // A wrong ready set from either language (BenchVerifyError from TS, the addon's
  // ERR_SOCKFD_BENCH_VERIFY from C) is the bench's own finding: report the message alone.
  const verify = err instanceof BenchVerifyError || (err as { code?: unknown }).code === 'ERR_SOCKFD_BENCH_VERIFY';
  process.stderr.write(`${verify ? err.message : (err.stack ?? err.message)}\n`);
  process.exitCode = verify ? EXIT_VERIFY : 1;
});
