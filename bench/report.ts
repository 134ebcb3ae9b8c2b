// Turning the children's samples into medians, the printed table and the target verdicts.
import { median, relativeMad } from './stats';
import type { PingPongResult, ScaleResult } from './spec';

/** Medians of one scale case (µs per round; ratios TS / C). */
export interface ScaleSummary {
  method: string;
  n: number;
  requestedN: number;
  active: number;
  tsRound: number;
  cRound: number;
  ratio: number;
  tsMux: number;
  cMux: number;
  muxRatio: number;
  /** Relative spread (median absolute deviation / median) of the TS round samples. */
  spread: number;
}

export interface PingPongSummary {
  ts: number;
  /** In-process C (Node's threads beside it). */
  c: number;
  /** Single-threaded C (a fork()ed child, no Node threads); absent in older results. */
  alone?: number;
  net: number;
  tsOverC: number;
  /** TS ÷ single-threaded C. */
  tsOverAlone?: number;
  netOverTs: number;
  /** The io_uring row (SEND + RECV per hop): TS, in-process C, TS ÷ C; absent when not run. */
  uring?: { ts: number; c: number; tsOverC: number };
  /** "io_uring unavailable: <errno>" when the kernel refused io_uring. */
  uringUnavailable?: string;
}

export interface Target {
  name: string;
  met: boolean;
  detail: string;
}

export function summarizeScale(r: ScaleResult): ScaleSummary {
  const tsRound = median(r.ts.round);
  const cRound = median(r.c.round);
  const tsMux = median(r.ts.mux ?? []);
  const cMux = median(r.c.mux ?? []);
  return {
    method: r.method,
    n: r.n,
    requestedN: r.requestedN,
    active: r.active,
    tsRound,
    cRound,
    ratio: tsRound / cRound,
    tsMux,
    cMux,
    muxRatio: tsMux / cMux,
    spread: relativeMad(r.ts.round),
  };
}

export function summarizePingPong(r: PingPongResult): PingPongSummary {
  const ts = median(r.ts.round);
  const c = median(r.c.round);
  const alone = r.alone ? median(r.alone.round) : undefined;
  const net = median(r.net.round);
  const uring = r.uring ? { ts: median(r.uring.ts.round), c: median(r.uring.c.round), tsOverC: 0 } : undefined;
  if (uring) uring.tsOverC = uring.ts / uring.c;
  return {
    ts, c, alone, net, tsOverC: ts / c, tsOverAlone: alone === undefined ? undefined : ts / alone, netOverTs: net / ts,
    uring, uringUnavailable: r.uringUnavailable,
  };
}

/** The io_uring ping-pong row's head and cells (TS, in-process C, TS/C), or the refusal. */
function uringRow(p: PingPongSummary): { head: string[]; cells: string[] } | string | undefined {
  if (p.uring)
    return {
      head: ['ping-pong (1 byte, io_uring: SEND + RECV, one io_uring_enter per hop)', 'TS µs/round trip', 'in-process C µs/round trip', 'TS/C'],
      cells: ['io_uring (sockfd TypeScript vs the same loop in C)', us(p.uring.ts), us(p.uring.c), p.uring.tsOverC.toFixed(2)],
    };
  return p.uringUnavailable;
}

/** A number of µs with 3 significant digits (never exponent notation). */
export function us(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function table(head: string[], rows: string[][], rightFrom = 0): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= rightFrom ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The scale table: method, N, A, µs/round TS and C, ratio, multiplexer-only time. */
export function scaleTable(s: ScaleSummary[]): string {
  return table(
    ['method', 'N', 'A', 'TS µs/round', 'in-process C µs/round', 'TS/C', 'mux TS µs', 'mux in-process C µs', 'mux TS/C'],
    s.map((x) => [
      x.method,
      String(x.n),
      String(x.active),
      us(x.tsRound),
      us(x.cRound),
      x.ratio.toFixed(2),
      us(x.tsMux),
      us(x.cMux),
      x.muxRatio.toFixed(2),
    ]),
    1,
  );
}

export function pingPongTable(p: PingPongSummary): string {
  const u = uringRow(p);
  const uring = u === undefined ? '' : typeof u === 'string' ? `\n\n${u}` : `\n\n${table(u.head, [u.cells], 1)}`;
  return table(
    ['ping-pong (1 byte, epoll loop)', 'µs/round trip', 'round trips/s', 'TS ÷ this'],
    [
      ['TypeScript (sockfd)', us(p.ts), Math.round(1e6 / p.ts).toLocaleString('en-US'), '1.00'],
      ['in-process C (same loop, Node\'s threads beside it)', us(p.c), Math.round(1e6 / p.c).toLocaleString('en-US'), p.tsOverC.toFixed(2)],
      ...(p.alone === undefined ? [] : [['single-threaded C (same loop, fork()ed, no Node threads)', us(p.alone), Math.round(1e6 / p.alone).toLocaleString('en-US'), (p.ts / p.alone).toFixed(2)]]),
      ['node:net (libuv)', us(p.net), Math.round(1e6 / p.net).toLocaleString('en-US'), (p.ts / p.net).toFixed(2)],
    ],
    1,
  ) + uring;
}

/** Least-squares slope of log(time) against log(N): ~1 is linear in N, ~0 is flat. */
export function logSlope(points: Array<{ n: number; us: number }>): number {
  const pts = points.filter((p) => p.n > 0 && p.us > 0);
  if (pts.length < 2) return NaN;
  const xs = pts.map((p) => Math.log10(p.n));
  const ys = pts.map((p) => Math.log10(p.us));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

/** The targets, each met or missed with the measurement behind the verdict. */
export function targets(s: ScaleSummary[], p: PingPongSummary | undefined): Target[] {
  const out: Target[] = [];
  const worst = (xs: ScaleSummary[], key: 'ratio' | 'muxRatio'): ScaleSummary | undefined =>
    xs.reduce<ScaleSummary | undefined>((w, x) => (w === undefined || x[key] > w[key] ? x : w), undefined);

  const ep = s.filter((x) => x.method === 'epoll');
  const we = worst(ep, 'ratio');
  if (we)
    out.push({
      name: 'epoll round, TS <= 1.2x C at every N and A',
      met: we.ratio <= 1.2,
      detail: `worst ${we.ratio.toFixed(2)}x at N=${we.n} A=${we.active} (${us(we.tsRound)} vs ${us(we.cRound)} µs)`,
    });
  for (const m of ['poll', 'select']) {
    const w = worst(s.filter((x) => x.method === m && x.n >= 100), 'muxRatio');
    if (w)
      out.push({
        name: `${m} multiplexer time, TS <= 1.05x C for N >= 100`,
        met: w.muxRatio <= 1.05,
        detail: `worst ${w.muxRatio.toFixed(3)}x at N=${w.n} A=${w.active} (${us(w.tsMux)} vs ${us(w.cMux)} µs)`,
      });
  }
  if (p) {
    out.push({
      name: 'ping-pong, TS <= 1.15x in-process C',
      met: p.tsOverC <= 1.15,
      detail: `${p.tsOverC.toFixed(2)}x (${us(p.ts)} vs ${us(p.c)} µs per round trip)` +
        (p.alone === undefined ? '' : `; single-threaded C ${us(p.alone)} µs, TS ${(p.ts / p.alone).toFixed(2)}x it`),
    });
    out.push({
      name: 'ping-pong, TS >= 1.9x faster than node:net',
      met: p.netOverTs >= 1.9,
      detail: `${p.netOverTs.toFixed(2)}x (node:net ${us(p.net)} µs per round trip)`,
    });
  }
  // The known shape: poll/select linear in N (slope ~1), epoll flat (slope ~0), judged on
  // the multiplexer call at A = 1 where the ready work is the same at every N.
  const shape: string[] = [];
  let shapeOk = true;
  let any = false;
  for (const m of ['select', 'poll', 'epoll']) {
    const pts = s.filter((x) => x.method === m && x.active === 1 && x.n >= 100).map((x) => ({ n: x.n, us: x.tsMux }));
    if (pts.length < 2) continue;
    any = true;
    const k = logSlope(pts);
    const ok = m === 'epoll' ? Math.abs(k) <= 0.25 : k >= 0.6;
    shapeOk &&= ok;
    shape.push(`${m} slope ${k.toFixed(2)}`);
  }
  if (any)
    out.push({
      name: 'shape: poll/select grow linearly with N, epoll stays flat',
      met: shapeOk,
      detail: `log-log slope of TS multiplexer time vs N (N >= 100, A = 1): ${shape.join(', ')}`,
    });
  return out;
}

/** The same tables as Markdown (written to results.md, ready for a README or an issue). */
export function markdown(header: string[], s: ScaleSummary[], p: PingPongSummary | undefined, t: Target[], notes: string[]): string {
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const out: string[] = [...header, ''];
  if (s.length > 0) {
    out.push(
      row(['method', 'N', 'A', 'TS µs/round', 'in-process C µs/round', 'TS/C', 'mux TS µs', 'mux in-process C µs', 'mux TS/C']),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
      ...s.map((x) =>
        row([x.method, String(x.n), String(x.active), us(x.tsRound), us(x.cRound), `${x.ratio.toFixed(2)}×`, us(x.tsMux), us(x.cMux), `${x.muxRatio.toFixed(2)}×`]),
      ),
      '',
    );
  }
  if (p) {
    out.push(
      row(['ping-pong, 1 byte', 'µs/round trip', 'round trips/s', 'TS ÷ this']),
      row(['---', '---:', '---:', '---:']),
      row(['TypeScript (sockfd, epoll)', us(p.ts), Math.round(1e6 / p.ts).toLocaleString('en-US'), '1.00×']),
      row(['in-process C (same loop, Node\'s threads beside it)', us(p.c), Math.round(1e6 / p.c).toLocaleString('en-US'), `${p.tsOverC.toFixed(2)}×`]),
      ...(p.alone === undefined ? [] : [row(['single-threaded C (same loop, fork()ed, no Node threads)', us(p.alone), Math.round(1e6 / p.alone).toLocaleString('en-US'), `${(p.ts / p.alone).toFixed(2)}×`])]),
      row(['node:net (libuv)', us(p.net), Math.round(1e6 / p.net).toLocaleString('en-US'), `${(p.ts / p.net).toFixed(2)}×`]),
      '',
    );
    const u = uringRow(p);
    if (typeof u === 'string') out.push(u, '');
    else if (u) out.push(row(u.head), row(['---', '---:', '---:', '---:']), row([...u.cells.slice(0, 3), `${u.cells[3]}×`]), '');
  }
  if (t.length > 0) {
    out.push(row(['target', 'met', 'measured']), row(['---', '---', '---']));
    for (const x of t) out.push(row([x.name, x.met ? 'yes' : '**no**', x.detail]));
    out.push('');
  }
  for (const n of notes) out.push(`- ${n}`);
  return out.join('\n') + '\n';
}
