// bench/overhead — what one call through sockfd costs next to the same call made by C.
//
//   npm run bench:overhead [-- --iterations 50000 --rounds 21 --json]
//
// Each case is timed three ways in this same process, on the same fds: a TypeScript loop
// calling the public API; the "floor", a TypeScript loop calling an argument-less native
// function that makes the same syscall; and a C loop compiled into the bench
// (native/bench/overhead.cc). In-process matters: Node's extra threads make every fd-taking syscall
// slower (shared fd table), and a separate C program would not pay that. Rounds alternate
// TS, floor and C after a warm-up; the table shows medians of ns/call and of the
// per-round ratios, with a ~95 % interval for the ratio's median. A target counts as met or
// missed only when that whole interval is on one side of it; an interval that straddles the
// target is "within noise" (more rounds narrow it). --json prints the numbers as JSON.
import * as sockfd from './sockfd';
import { medianInterval, verdict, type Interval, type Verdict } from './stats';
// Read once into locals, as the scaling bench does: bench/sockfd.ts re-exports the package
// root with `export *`, whose getters a user importing the package itself never runs.
const {
  AF_UNIX, close, EAGAIN, epoll_create1, epoll_ctl, EPOLL_CTL_ADD, epoll_event, epoll_wait,
  EPOLLIN, FD_SET, fd_set, poll, pollfd, POLLIN, recv, select, send, SOCK_NONBLOCK,
  SOCK_STREAM, socketpair, timeval, tryRecv, native: binding,
} = sockfd;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const N = arg('iterations', 50_000);
const ROUNDS = arg('rounds', 21);
const JSON_OUT = process.argv.includes('--json');

// fds: `ready` is readable (one unread byte), `pair` carries send+recv, `empty` is a
// non-blocking socket with nothing to read.
const ready = new Int32Array(2);
socketpair(AF_UNIX, SOCK_STREAM, 0, ready);
send(ready[0], new Uint8Array([1]));
const pair = new Int32Array(2);
socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
const empty = new Int32Array(2);
socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, empty);
const fd = ready[1];

const fds = pollfd.array(1);
fds[0].fd = fd;
fds[0].events = POLLIN;
const epfd = epoll_create1(0);
const ev = new epoll_event();
ev.events = EPOLLIN;
ev.data.fd = fd;
epoll_ctl(epfd, EPOLL_CTL_ADD, fd, ev);
const events = epoll_event.array(1);
const readfds = new fd_set();
FD_SET(fd, readfds);
const tv = new timeval(0, 0);
const byte = new Uint8Array(1);

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench/overhead: ${what} did not behave as the benchmark assumes`);
}

// Each TS loop is its own function so each call site stays monomorphic.
function tsPoll(): number {
  const t = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < N; i++) n += poll(fds, 1, 0);
  check(n === N, 'poll');
  return Number(process.hrtime.bigint() - t) / N;
}
function tsEpollWait(): number {
  const t = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < N; i++) n += epoll_wait(epfd, events, 1, 0);
  check(n === N, 'epoll_wait');
  return Number(process.hrtime.bigint() - t) / N;
}
function tsSelect(): number {
  const t = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < N; i++) n += select(fd + 1, readfds, null, null, tv);
  check(n === N, 'select');
  return Number(process.hrtime.bigint() - t) / N;
}
function tsSendRecv(): number {
  const t = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < N; i++) {
    send(pair[0], byte, 1);
    n += recv(pair[1], byte, 1);
  }
  check(n === N, 'send+recv');
  return Number(process.hrtime.bigint() - t) / N;
}
function tsEagain(): number {
  const t = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < N; i++) n += tryRecv(empty[0], byte, 1);
  check(n === -EAGAIN * N, 'tryRecv');
  return Number(process.hrtime.bigint() - t) / N;
}

// The floor (native/bench/overhead.cc): a TS loop calling an argument-less native function that
// makes the same syscall. What separates it from C no binding can remove.
binding.overheadFloorInit(fd, epfd, pair[0], pair[1], empty[0]);
// Read into locals once, as the TypeScript side reads its functions.
const { floorPoll: fPoll, floorEpollWait: fEpoll, floorSelect: fSelect, floorSend: fSend,
  floorRecv: fRecv, floorRecvEagain: fEagain } = binding;
function floor(call: () => number, expect: number, what: string): () => number {
  return () => {
    const t = process.hrtime.bigint();
    let n = 0;
    for (let i = 0; i < N; i++) n += call();
    check(n === expect * N, what);
    return Number(process.hrtime.bigint() - t) / N;
  };
}
const floorPoll = floor(() => fPoll(), 1, 'floor poll');
const floorEpoll = floor(() => fEpoll(), 1, 'floor epoll_wait');
const floorSelect = floor(() => fSelect(), 1, 'floor select');
const floorSendRecv = floor(() => (fSend(), fRecv()), 1, 'floor send+recv');
const floorEagain = floor(() => fEagain(), -EAGAIN, 'floor recv');

const cases = [
  { name: 'poll, 1 ready fd', ts: tsPoll, floor: floorPoll, c: () => binding.overheadPoll(fd, N), target: 1.15 },
  { name: 'epoll_wait, 1 ready fd', ts: tsEpollWait, floor: floorEpoll, c: () => binding.overheadEpollWait(epfd, N), target: 1.12 },
  { name: 'select, 1 fd', ts: tsSelect, floor: floorSelect, c: () => binding.overheadSelect(fd, N), target: 1.15 },
  { name: 'send+recv, 1 byte', ts: tsSendRecv, floor: floorSendRecv, c: () => binding.overheadSendRecv(pair[0], pair[1], N), target: 1.08 },
  { name: 'recv meeting EAGAIN (tryRecv)', ts: tsEagain, floor: floorEagain, c: () => binding.overheadRecvEagain(empty[0], N), target: 1.2 },
];

/** One case's result, as `sockfd bench` stores it in results.json (`overhead.cases`). */
export interface OverheadCase {
  name: string;
  tsNs: number;
  floorNs: number;
  cNs: number;
  /** TS / C: the median of the per-round ratios, with its ~95 % interval. */
  ratio: Interval;
  floorRatio: Interval;
  target: number;
  verdict: Verdict;
}

const header = `sockfd per-call overhead: ${N} calls per run, median of ${ROUNDS} runs, ~95 % interval of the ratio in brackets (node ${process.version}, ${process.arch})`;
if (!JSON_OUT) console.log(header);
for (const k of cases) {
  k.ts();
  k.floor();
  k.c();
}
const results: OverheadCase[] = [];
for (const k of cases) {
  const ts: number[] = [];
  const fl: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ts.push(k.ts());
    fl.push(k.floor());
    c.push(k.c());
  }
  // Ratios are taken per round (TS, floor and C of one round run back to back): load from
  // other processes then moves numerator and denominator alike.
  const ratio = medianInterval(ts.map((x, r) => x / c[r]));
  const floorRatio = medianInterval(fl.map((x, r) => x / c[r]));
  results.push({
    name: k.name, tsNs: medianInterval(ts).median, floorNs: medianInterval(fl).median, cNs: medianInterval(c).median,
    ratio, floorRatio, target: k.target, verdict: verdict(ratio, k.target),
  });
}

const x2 = (v: number) => v.toFixed(2) + '×';
const span = (i: Interval) => `${x2(i.median)} [${i.lo.toFixed(2)}–${i.hi.toFixed(2)}]`;
const rows = results.map((r) => [r.name, r.tsNs.toFixed(0), r.floorNs.toFixed(0), r.cNs.toFixed(0),
  span(r.ratio), span(r.floorRatio), `≤ ${r.target.toFixed(2)}×`, r.verdict]);
const head = ['call', 'TS ns/call', 'floor ns/call', 'C ns/call', 'TS / C', 'floor / C', 'target', 'verdict'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => '| ' + r.map((x, i) => (i === 0 ? x.padEnd(width[i]) : x.padStart(width[i]))).join(' | ') + ' |';
const text = [header, line(head), '|' + width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)];
const missed = results.filter((r) => r.verdict === 'missed').length;
const noisy = results.filter((r) => r.verdict === 'within noise').length;
if (missed > 0) text.push(`${missed} target(s) missed; 'floor' is the least any Node-API binding costs (see bench/README.md).`);
if (noisy > 0) text.push(`${noisy} target(s) within noise: the interval straddles the target; more --rounds narrow it.`);
if (JSON_OUT) {
  process.stdout.write(JSON.stringify({ iterations: N, rounds: ROUNDS, node: process.version, cases: results, text: text.join('\n') }, null, 2) + '\n');
} else {
  for (const l of text.slice(1)) console.log(l);
}

for (const f of [...ready, ...pair, ...empty, epfd]) close(f);
