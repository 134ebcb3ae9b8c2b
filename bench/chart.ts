// The SVG chart. Top row: time per round against N, log-log, one panel per A, one line per
// method and language (colour = method, solid = TypeScript, dashed = C) — the shape: poll and
// select grow with N, epoll stays flat. Second row, under each: TS / C per method against N on
// a linear axis around 1.0 — the question users ask, which a four-decade log axis hides.
// Then the 1-byte ping-pong with node:net, where it was measured. Hand-written SVG, no
// dependency: a few hundred bytes of markup per line, readable in any browser or viewer.

/** One line of the chart. */
export interface Series {
  method: string;
  lang: 'TS' | 'C';
  active: number;
  points: Array<{ n: number; us: number }>;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  /** Requested A values, one panel each, in order. */
  actives: number[];
  series: Series[];
  /** Optional footnote lines under the legend (one per fact: duplicates are dropped). */
  notes?: string[];
  /** The 1-byte ping-pong, µs per round trip, when it was measured: TS, C and node:net (and io_uring TS and C). */
  pingpong?: { ts: number; c: number; net: number; uring?: { ts: number; c: number } };
  /** The cores suite, when it was measured: requests/s per server and core count. */
  cores?: CoresPoint[];
}

/** One cell of the cores suite, as the chart needs it. */
export interface CoresPoint {
  impl: string;
  cores: number;
  rps: number;
  p99Us: number;
}

const COLORS: Record<string, string> = {
  select: '#c0392b', poll: '#2471a3', epoll: '#1e8449', 'io_uring-poll': '#8e44ad', 'io_uring-recv': '#d68910',
};
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtUs(v: number): string {
  if (v >= 1000) return `${v / 1000} ms`;
  return `${Number(v.toPrecision(3))} µs`;
}

/** Renders the chart as a standalone SVG document. */
export function renderChart(input: ChartInput): string {
  if (input.series.length === 0 && !input.pingpong && input.cores && input.cores.length > 0) return coresOnly(input, input.cores);
  const panels = Math.max(1, input.actives.length);
  const panelW = 430;
  const plotH = 300;
  const left = 78;
  const gap = 70;
  const top = 96;
  const ratioTop = top + plotH + 84; // under the log-log panels' axis title
  const ratioH = 170;
  const ppTop = ratioTop + ratioH + 72;
  const ppH = input.pingpong ? (input.pingpong.uring ? 5 : 3) * 24 + 8 : 0;
  const W = left + panels * panelW + (panels - 1) * gap + 30;
  const legendRows = 2;
  const notes = [...new Set(input.notes ?? [])];
  const legendTop = (input.pingpong ? ppTop + ppH + 24 : ratioTop + ratioH + 62) + 10;
  const coresTop = legendTop + legendRows * 22 + notes.length * 16 + 16 + 40;
  const H = input.cores && input.cores.length > 0 ? coresTop + CORES_H : legendTop + legendRows * 22 + notes.length * 16 + 16;

  const all = input.series.flatMap((s) => s.points);
  const ns = all.map((p) => p.n);
  const us = all.map((p) => p.us).filter((v) => v > 0);
  const x0 = Math.floor(Math.log10(Math.min(...ns, 10)));
  const x1 = Math.max(x0 + 1, Math.ceil(Math.log10(Math.max(...ns, 10))));
  const y0 = Math.floor(Math.log10(Math.min(...us, 1)));
  const y1 = Math.max(y0 + 1, Math.ceil(Math.log10(Math.max(...us, 1))));

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="30" font-size="19" font-weight="bold" text-anchor="middle" fill="#111">${esc(input.title)}</text>`,
    `<text x="${W / 2}" y="54" font-size="13" text-anchor="middle" fill="#444">${esc(input.subtitle)}</text>`,
  );

  input.actives.forEach((active, p) => {
    const px = left + p * (panelW + gap);
    const X = (n: number): number => px + ((Math.log10(n) - x0) / (x1 - x0)) * panelW;
    const Y = (v: number): number => top + plotH - ((Math.log10(v) - y0) / (y1 - y0)) * plotH;
    out.push(
      `<text x="${px + panelW / 2}" y="${top - 14}" font-size="14" font-weight="bold" text-anchor="middle" fill="#222">` +
        `${esc(`A = ${active} connection${active === 1 ? '' : 's'} written per round${active > 1 ? ` (A = N if N < ${active})` : ''}`)}</text>`,
    );
    // Grid: decades (solid, labelled) and 2x / 5x (faint).
    for (let d = y0; d <= y1; d++) {
      const y = Y(10 ** d);
      out.push(`<line x1="${px}" y1="${y}" x2="${px + panelW}" y2="${y}" stroke="#bbb" stroke-width="1"/>`);
      out.push(`<text x="${px - 8}" y="${y + 4}" font-size="12" text-anchor="end" fill="#333">${esc(fmtUs(10 ** d))}</text>`);
      if (d < y1)
        for (const m of [2, 5]) {
          const ym = Y(m * 10 ** d);
          out.push(`<line x1="${px}" y1="${ym}" x2="${px + panelW}" y2="${ym}" stroke="#e6e6e6" stroke-width="1"/>`);
        }
    }
    for (let d = x0; d <= x1; d++) {
      const x = X(10 ** d);
      out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#bbb" stroke-width="1"/>`);
      out.push(`<text x="${x}" y="${top + plotH + 18}" font-size="12" text-anchor="middle" fill="#333">${(10 ** d).toLocaleString('en-US')}</text>`);
      if (d < x1)
        for (const m of [2, 5]) {
          const xm = X(m * 10 ** d);
          out.push(`<line x1="${xm}" y1="${top}" x2="${xm}" y2="${top + plotH}" stroke="#e6e6e6" stroke-width="1"/>`);
        }
    }
    out.push(`<rect x="${px}" y="${top}" width="${panelW}" height="${plotH}" fill="none" stroke="#555" stroke-width="1"/>`);
    out.push(
      `<text x="${px + panelW / 2}" y="${top + plotH + 40}" font-size="13" text-anchor="middle" fill="#222">N, connections watched (log scale)</text>`,
    );
    if (p === 0) {
      const cy = top + plotH / 2;
      out.push(
        `<text x="${18}" y="${cy}" font-size="13" text-anchor="middle" fill="#222" transform="rotate(-90 18 ${cy})">time per round, µs (log scale)</text>`,
      );
    }
    // Lines: C first so the TypeScript line draws on top where they coincide.
    const mine = input.series.filter((s) => s.active === active).sort((a, b) => (a.lang === b.lang ? 0 : a.lang === 'C' ? -1 : 1));
    for (const s of mine) {
      const pts = s.points.filter((q) => q.us > 0).sort((a, b) => a.n - b.n);
      if (pts.length === 0) continue;
      const color = COLORS[s.method] ?? '#555';
      const d = pts.map((q, i) => `${i === 0 ? 'M' : 'L'}${X(q.n).toFixed(1)},${Y(q.us).toFixed(1)}`).join(' ');
      const dash = s.lang === 'C' ? ' stroke-dasharray="7,5"' : '';
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2.4"${dash}/>`);
      for (const q of pts) {
        const cx = X(q.n).toFixed(1);
        const cy = Y(q.us).toFixed(1);
        out.push(
          s.lang === 'TS'
            ? `<circle cx="${cx}" cy="${cy}" r="4.2" fill="${color}"><title>${esc(`${s.method} TS, N=${q.n}: ${q.us.toPrecision(3)} µs`)}</title></circle>`
            : `<rect x="${Number(cx) - 4}" y="${Number(cy) - 4}" width="8" height="8" fill="#fff" stroke="${color}" stroke-width="2"><title>${esc(`${s.method} C, N=${q.n}: ${q.us.toPrecision(3)} µs`)}</title></rect>`,
        );
      }
    }
  });

  // Ratio panels: TS / C of the same method, N and A, on a linear axis around 1.0.
  const ratios = input.actives.map((active) =>
    [...new Set(input.series.map((s) => s.method))].map((method) => {
      const of = (lang: 'TS' | 'C') => input.series.find((s) => s.method === method && s.active === active && s.lang === lang);
      const ts = of('TS');
      const c = of('C');
      const points = (ts?.points ?? [])
        .map((q) => ({ n: q.n, r: q.us / (c?.points.find((x) => x.n === q.n)?.us ?? NaN) }))
        .filter((q) => Number.isFinite(q.r) && q.r > 0)
        .sort((a, b) => a.n - b.n);
      return { method, points };
    }),
  );
  const rs = ratios.flat().flatMap((m) => m.points.map((q) => q.r));
  const r0 = Math.min(0.9, Math.floor(Math.min(...rs, 1) * 10) / 10);
  const r1 = Math.max(1.4, Math.ceil(Math.max(...rs, 1) * 10) / 10);
  input.actives.forEach((active, p) => {
    const px = left + p * (panelW + gap);
    const X = (n: number): number => px + ((Math.log10(n) - x0) / (x1 - x0)) * panelW;
    const Y = (r: number): number => ratioTop + ratioH - ((r - r0) / (r1 - r0)) * ratioH;
    out.push(
      `<text x="${px + panelW / 2}" y="${ratioTop - 12}" font-size="14" font-weight="bold" text-anchor="middle" fill="#222">` +
        `${esc(`TypeScript ÷ C, A = ${active}`)}</text>`,
    );
    for (let t = Math.round(r0 * 10); t <= Math.round(r1 * 10); t++) {
      const y = Y(t / 10);
      const one = t === 10;
      out.push(`<line x1="${px}" y1="${y}" x2="${px + panelW}" y2="${y}" stroke="${one ? '#555' : '#e0e0e0'}" stroke-width="${one ? 1.5 : 1}"/>`);
      out.push(`<text x="${px - 8}" y="${y + 4}" font-size="12" text-anchor="end" fill="#333"${one ? ' font-weight="bold"' : ''}>${(t / 10).toFixed(1)}×</text>`);
    }
    for (let d = x0; d <= x1; d++) {
      const x = X(10 ** d);
      out.push(`<line x1="${x}" y1="${ratioTop}" x2="${x}" y2="${ratioTop + ratioH}" stroke="#bbb" stroke-width="1"/>`);
      out.push(`<text x="${x}" y="${ratioTop + ratioH + 18}" font-size="12" text-anchor="middle" fill="#333">${(10 ** d).toLocaleString('en-US')}</text>`);
    }
    out.push(`<rect x="${px}" y="${ratioTop}" width="${panelW}" height="${ratioH}" fill="none" stroke="#555" stroke-width="1"/>`);
    out.push(
      `<text x="${px + panelW / 2}" y="${ratioTop + ratioH + 40}" font-size="13" text-anchor="middle" fill="#222">N, connections watched (log scale)</text>`,
    );
    if (p === 0) {
      const cy = ratioTop + ratioH / 2;
      out.push(
        `<text x="${18}" y="${cy}" font-size="13" text-anchor="middle" fill="#222" transform="rotate(-90 18 ${cy})">TS ÷ C per round (linear)</text>`,
      );
    }
    for (const { method, points } of ratios[p]) {
      if (points.length === 0) continue;
      const color = COLORS[method] ?? '#555';
      const d = points.map((q, i) => `${i === 0 ? 'M' : 'L'}${X(q.n).toFixed(1)},${Y(q.r).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2.4"/>`);
      for (const q of points)
        out.push(
          `<circle cx="${X(q.n).toFixed(1)}" cy="${Y(q.r).toFixed(1)}" r="4.2" fill="${color}"><title>${esc(`${method}, N=${q.n}, A=${active}: TS/C ${q.r.toFixed(2)}×`)}</title></circle>`,
        );
    }
  });

  // The ping-pong, where it was measured: µs per round trip as bars, with node:net beside.
  if (input.pingpong) {
    const pp = input.pingpong;
    const barX = left + 250;
    const barW = W - barX - 200;
    const max = Math.max(pp.ts, pp.c, pp.net, pp.uring?.ts ?? 0, pp.uring?.c ?? 0);
    out.push(
      `<text x="${left}" y="${ppTop - 10}" font-size="14" font-weight="bold" fill="#222">` +
        `${esc('1-byte ping-pong, µs per round trip (shorter is faster)')}</text>`,
    );
    // [label, µs, colour, the C bar its ratio is to (none for a C bar)]
    const bars: Array<[string, number, string, number | undefined]> = [
      ['C, same loop in-process', pp.c, '#777', undefined],
      ['TypeScript via sockfd (epoll)', pp.ts, COLORS.epoll, pp.c],
      ['node:net (libuv)', pp.net, '#8e44ad', pp.c],
      ...(pp.uring
        ? ([
            ['C io_uring, in-process', pp.uring.c, '#777', undefined],
            ['TypeScript via sockfd (io_uring)', pp.uring.ts, COLORS['io_uring-recv'], pp.uring.c],
          ] as Array<[string, number, string, number | undefined]>)
        : []),
    ];
    bars.forEach(([label, v, color, ref], i) => {
      const y = ppTop + i * 24;
      const w = (v / max) * barW;
      out.push(`<text x="${barX - 10}" y="${y + 14}" font-size="13" text-anchor="end" fill="#222">${esc(label)}</text>`);
      out.push(`<rect x="${barX}" y="${y + 2}" width="${w.toFixed(1)}" height="16" fill="${color}"/>`);
      const ratio = ref === undefined ? '' : ` (${(v / ref).toFixed(2)}× C)`;
      out.push(`<text x="${(barX + w + 8).toFixed(1)}" y="${y + 14}" font-size="13" fill="#222">${esc(`${v.toPrecision(3)} µs${ratio}`)}</text>`);
    });
  }

  // Legend: a column per method, TypeScript on the first row and C on the second.
  const methods = [...new Set(input.series.map((s) => s.method))];
  const ly = legendTop;
  const colW = 300;
  const lx0 = Math.max(10, (W - methods.length * colW) / 2 + 20);
  methods.forEach((method, col) => {
    (['TS', 'C'] as const).forEach((lang, row) => {
      if (!input.series.some((s) => s.method === method && s.lang === lang)) return;
      const x = lx0 + col * colW;
      const y = ly + row * 22;
      const color = COLORS[method] ?? '#555';
      const dash = lang === 'C' ? ' stroke-dasharray="7,5"' : '';
      out.push(`<line x1="${x}" y1="${y}" x2="${x + 40}" y2="${y}" stroke="${color}" stroke-width="2.4"${dash}/>`);
      out.push(
        lang === 'TS'
          ? `<circle cx="${x + 20}" cy="${y}" r="4.2" fill="${color}"/>`
          : `<rect x="${x + 16}" y="${y - 4}" width="8" height="8" fill="#fff" stroke="${color}" stroke-width="2"/>`,
      );
      const label = lang === 'TS' ? `${method}, TypeScript via sockfd` : `${method}, same loop in C (in-process)`;
      out.push(`<text x="${x + 48}" y="${y + 4}" font-size="13" fill="#222">${esc(label)}</text>`);
    });
  });
  notes.forEach((line, i) => {
    out.push(
      `<text x="${W / 2}" y="${ly + legendRows * 22 + 8 + i * 16}" font-size="11" text-anchor="middle" fill="#555">${esc(line)}</text>`,
    );
  });
  if (input.cores && input.cores.length > 0) out.push(...coresPanel(input.cores, left, coresTop, Math.min(W - left - 30, 760)));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A run of the cores suite alone: its panel, without the empty scale panels. */
function coresOnly(input: ChartInput, cores: CoresPoint[]): string {
  const left = 78;
  const w = 760;
  const W = left + w + 30;
  const top = 76;
  const notes = [...new Set(input.notes ?? [])];
  const H = top + CORES_H + notes.length * 16 + 16;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="30" font-size="19" font-weight="bold" text-anchor="middle" fill="#111">${esc(input.title)}</text>`,
    `<text x="${W / 2}" y="54" font-size="13" text-anchor="middle" fill="#444">${esc(input.subtitle)}</text>`,
    ...coresPanel(cores, left, top, w),
    ...notes.map(
      (line, i) => `<text x="${W / 2}" y="${top + CORES_H + 8 + i * 16}" font-size="11" text-anchor="middle" fill="#555">${esc(line)}</text>`,
    ),
    '</svg>',
  ];
  return out.join('\n') + '\n';
}

/** Height of the cores panel: title, plot, axis title, legend. */
const CORES_H = 32 + 240 + 58 + 3 * 16 + 10;
const CORES_COLORS: Record<string, string> = { sockfd: COLORS.epoll, cluster: '#8e44ad', net: '#777' };
const CORES_LABELS: Record<string, string> = {
  sockfd: 'sockfd, SO_REUSEPORT + one epoll loop per worker thread',
  cluster: 'node:cluster, one node:net server per worker process',
  net: 'a single node:net process (1 core)',
};

/**
 * The cores panel: requests/s (linear, from 0) against the core count, one line per server;
 * the single node:net process, measured once, is a dashed horizontal reference.
 */
function coresPanel(points: CoresPoint[], px: number, top: number, w: number): string[] {
  const out: string[] = [];
  const plotH = 240;
  const counts = [...new Set(points.filter((p) => p.impl !== 'net').map((p) => p.cores))].sort((a, b) => a - b);
  const c0 = Math.min(1, ...counts);
  const c1 = Math.max(c0 + 1, ...counts);
  const ymax = Math.max(...points.map((p) => p.rps), 1);
  const step = 10 ** Math.floor(Math.log10(ymax));
  const top1 = Math.ceil((ymax * 1.1) / step) * step;
  const X = (c: number): number => px + ((c - c0) / (c1 - c0)) * w;
  const Y = (v: number): number => top + 32 + plotH - (v / top1) * plotH;
  out.push(
    `<text x="${px + w / 2}" y="${top + 16}" font-size="14" font-weight="bold" text-anchor="middle" fill="#222">` +
      `${esc('echo server scaled across cores: requests/s (higher is better)')}</text>`,
  );
  for (let v = 0; v <= top1 + 1e-9; v += top1 / 5) {
    const y = Y(v);
    out.push(`<line x1="${px}" y1="${y}" x2="${px + w}" y2="${y}" stroke="${v === 0 ? '#555' : '#e0e0e0'}" stroke-width="1"/>`);
    out.push(`<text x="${px - 8}" y="${y + 4}" font-size="12" text-anchor="end" fill="#333">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  for (let c = c0; c <= c1; c++) {
    const x = X(c);
    out.push(`<line x1="${x}" y1="${Y(0)}" x2="${x}" y2="${Y(top1)}" stroke="#e0e0e0" stroke-width="1"/>`);
    out.push(`<text x="${x}" y="${Y(0) + 18}" font-size="12" text-anchor="middle" fill="#333">${c}</text>`);
  }
  out.push(`<rect x="${px}" y="${Y(top1)}" width="${w}" height="${plotH}" fill="none" stroke="#555" stroke-width="1"/>`);
  out.push(`<text x="${px + w / 2}" y="${Y(0) + 40}" font-size="13" text-anchor="middle" fill="#222">server cores (worker threads or processes)</text>`);
  const cy = Y(top1 / 2);
  out.push(`<text x="18" y="${cy}" font-size="13" text-anchor="middle" fill="#222" transform="rotate(-90 18 ${cy})">requests/s</text>`);
  for (const impl of ['cluster', 'sockfd']) {
    const pts = points.filter((p) => p.impl === impl).sort((a, b) => a.cores - b.cores);
    if (pts.length === 0) continue;
    const color = CORES_COLORS[impl];
    out.push(`<path d="${pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${X(p.cores).toFixed(1)},${Y(p.rps).toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2.4"/>`);
    for (const p of pts)
      out.push(
        `<circle cx="${X(p.cores).toFixed(1)}" cy="${Y(p.rps).toFixed(1)}" r="4.2" fill="${color}"><title>${esc(`${impl}, ${p.cores} cores: ${Math.round(p.rps)} requests/s, p99 ${Math.round(p.p99Us)} µs`)}</title></circle>`,
      );
  }
  const single = points.find((p) => p.impl === 'net');
  if (single) {
    const y = Y(single.rps).toFixed(1);
    out.push(`<line x1="${px}" y1="${y}" x2="${px + w}" y2="${y}" stroke="${CORES_COLORS.net}" stroke-width="2" stroke-dasharray="7,5"><title>${esc(`single node:net process: ${Math.round(single.rps)} requests/s`)}</title></line>`);
  }
  const ly = Y(0) + 58;
  ['sockfd', 'cluster', 'net'].forEach((impl, i) => {
    const x = px;
    const y0 = ly + i * 16;
    const dash = impl === 'net' ? ' stroke-dasharray="7,5"' : '';
    out.push(`<line x1="${x}" y1="${y0}" x2="${x + 30}" y2="${y0}" stroke="${CORES_COLORS[impl]}" stroke-width="2.4"${dash}/>`);
    out.push(`<text x="${x + 36}" y="${y0 + 4}" font-size="12" fill="#222">${esc(CORES_LABELS[impl])}</text>`);
  });
  return out;
}
