// bench/overhead — what one call through sockfd costs next to the same call made by C.
//
//   npm run bench:overhead [-- --iterations 50000 --rounds 21]
//
// Each case is timed three ways in this same process, on the same fds: a TypeScript loop
// calling the public API; the "floor", a TypeScript loop calling an argument-less native
// function that makes the same syscall; and a C loop compiled into the addon
// (native/overhead.cc). In-process matters: Node's extra threads make every fd-taking syscall
// slower (shared fd table), and a separate C program would not pay that. Rounds alternate
// TS, floor and C after a warm-up; the table shows medians of ns/call and of the
// per-round ratios.
import * as sockfd from './sockfd';
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

// The floor (native/overhead.cc): a TS loop calling an argument-less native function that
// makes the same syscall. What separates it from C no binding can remove.
binding.overheadFloorInit(fd, epfd, pair[0], pair[1], empty[0]);
// Read once: the addon's exports object is in dictionary mode, a per-call lookup.
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(`sockfd per-call overhead: ${N} calls per run, median of ${ROUNDS} runs (node ${process.version}, ${process.arch})`);
for (const k of cases) {
  k.ts();
  k.floor();
  k.c();
}
const rows: string[][] = [];
let missed = 0;
for (const k of cases) {
  const ts: number[] = [];
  const fl: number[] = [];
  const c: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ts.push(k.ts());
    fl.push(k.floor());
    c.push(k.c());
  }
  // Ratios are taken per round (TS, floor and C of one round run back to back) and their
  // median reported: load from other processes then moves numerator and denominator alike.
  const ratio = median(ts.map((x, r) => x / c[r]));
  const floorRatio = median(fl.map((x, r) => x / c[r]));
  if (ratio > k.target) missed++;
  rows.push([k.name, median(ts).toFixed(0), median(fl).toFixed(0), median(c).toFixed(0),
    ratio.toFixed(2) + '×', floorRatio.toFixed(2) + '×', `≤ ${k.target.toFixed(2)}×`,
    ratio <= k.target ? 'yes' : 'no']);
}

const head = ['call', 'TS ns/call', 'floor ns/call', 'C ns/call', 'ratio', 'floor ratio', 'target', 'met'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => '| ' + r.map((x, i) => (i === 0 ? x.padEnd(width[i]) : x.padStart(width[i]))).join(' | ') + ' |';
console.log(line(head));
console.log('|' + width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
for (const r of rows) console.log(line(r));
if (missed > 0) console.log(`${missed} target(s) missed; 'floor' is the least any Node-API binding costs (see bench/README.md).`);

for (const f of [...ready, ...pair, ...empty, epfd]) close(f);
