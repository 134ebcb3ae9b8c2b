// bench/scan — one multiplexer call over N ready fds INCLUDING the scan of its result, as a
// user writes it with the public struct API, next to the same round in C in this process.
//
//   npm run build:ts && node dist/bench/scan.js [--n 100] [--iterations 400] [--rounds 31]
//
// Rows (N socketpairs, one unread byte in each, so every fd is ready on every call):
//   poll    poll(fds, N, 0), then `fds[i].revents & POLLIN` for each i
//   epoll   epoll_wait(epfd, events, N, 0), then `events[i].events & EPOLLIN` and
//           `events[i].data.fd` for each returned event
//   select  readfds.bytes.set(master.bytes) (C's `rset = master`), select(maxfd + 1, ...),
//           then FD_ISSET(fd, readfds) for every fd up to the highest
// Columns: TS (the public API above), raw (the same call, scanned through a typed array over
// the same buffer: what a struct accessor could cost at best), C (native/bench/scan.cc).
// Runs alternate TS, raw and C; the table shows medians and the median of the per-round
// TS/C ratios with its ~95 % interval (bench/stats.ts).
import * as sockfd from './sockfd';
import { median, medianInterval, verdict } from './stats';

const {
  AF_UNIX, epoll_create1, epoll_ctl, EPOLL_CTL_ADD, epoll_event, epoll_wait, EPOLLIN, FD_ISSET,
  FD_SET, fd_set, poll, pollfd, POLLIN, select, send, SOCK_NONBLOCK, SOCK_STREAM, socketpair,
  timeval, close, native,
} = sockfd;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const N = arg('n', 100);
const ITER = arg('iterations', 400);
const ROUNDS = arg('rounds', 31);

// The C loops (native/bench/scan.cc, in sockfd_bench.so).
const c = native;

const rfds = new Int32Array(N);
const opened: number[] = [];
const one = new Uint8Array([1]);
for (let i = 0; i < N; i++) {
  const sv = new Int32Array(2);
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
  send(sv[1], one);
  rfds[i] = sv[0];
  opened.push(sv[0], sv[1]);
}
const maxfd = Math.max(...opened);
let fdSum = 0;
for (const fd of rfds) fdSum += fd;

const fds = pollfd.array(N);
for (let i = 0; i < N; i++) {
  fds[i].fd = rfds[i];
  fds[i].events = POLLIN;
}
const epfd = epoll_create1(0);
for (const fd of rfds) {
  const ev = new epoll_event();
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epfd, EPOLL_CTL_ADD, fd, ev);
}
const events = epoll_event.array(N);
const master = new fd_set();
for (const fd of rfds) FD_SET(fd, master);
const readfds = new fd_set();
const tv = new timeval(0, 0);

function fail(what: string): never {
  throw new Error(`bench/scan: ${what}: not every fd was reported ready`);
}
function timed(body: () => void): () => number {
  return () => {
    const t = process.hrtime.bigint();
    body();
    return Number(process.hrtime.bigint() - t) / ITER;
  };
}

// Each loop is its own function so each call site stays monomorphic.
const tsPoll = timed(() => {
  for (let r = 0; r < ITER; r++) {
    const k = poll(fds, N, 0);
    let seen = 0;
    for (let i = 0; i < N; i++) if (fds[i].revents & POLLIN) seen++;
    if (k !== N || seen !== N) fail('poll');
  }
});
const pollU16 = new Uint16Array(fds[0].bytes.buffer);
const rawPoll = timed(() => {
  // struct pollfd is { int fd; short events; short revents; }: revents is u16 #3 of 4.
  for (let r = 0; r < ITER; r++) {
    const k = poll(fds, N, 0);
    let seen = 0;
    for (let i = 0; i < N; i++) if (pollU16[i * 4 + 3] & POLLIN) seen++;
    if (k !== N || seen !== N) fail('poll (raw)');
  }
});
const tsEpoll = timed(() => {
  for (let r = 0; r < ITER; r++) {
    const k = epoll_wait(epfd, events, N, 0);
    let sum = 0;
    for (let i = 0; i < k; i++) if (events[i].events & EPOLLIN) sum += events[i].data.fd;
    if (k !== N || sum !== fdSum) fail('epoll_wait');
  }
});
const EV = events[0].bytes.byteLength / 4; // int32 words per event: 3 (packed x86-64) or 4
const DATA = EV === 3 ? 1 : 2;
const epollI32 = new Int32Array(events[0].bytes.buffer);
const rawEpoll = timed(() => {
  for (let r = 0; r < ITER; r++) {
    const k = epoll_wait(epfd, events, N, 0);
    let sum = 0;
    for (let i = 0; i < k; i++) if (epollI32[i * EV] & EPOLLIN) sum += epollI32[i * EV + DATA];
    if (k !== N || sum !== fdSum) fail('epoll_wait (raw)');
  }
});
const tsSelect = timed(() => {
  for (let r = 0; r < ITER; r++) {
    readfds.bytes.set(master.bytes);
    const k = select(maxfd + 1, readfds, null, null, tv);
    let seen = 0;
    for (let fd = 0; fd <= maxfd; fd++) if (FD_ISSET(fd, readfds)) seen++;
    if (k !== N || seen !== N) fail('select');
  }
});
const setBytes = readfds.bytes;
const rawSelect = timed(() => {
  for (let r = 0; r < ITER; r++) {
    setBytes.set(master.bytes);
    const k = select(maxfd + 1, readfds, null, null, tv);
    let seen = 0;
    for (let fd = 0; fd <= maxfd; fd++) if ((setBytes[fd >> 3] >> (fd & 7)) & 1) seen++;
    if (k !== N || seen !== N) fail('select (raw)');
  }
});

const cases = [
  { name: `poll + revents scan, N=${N}`, ts: tsPoll, raw: rawPoll, c: () => c.benchScanPoll(rfds, ITER) },
  { name: `epoll_wait + events scan, N=${N}`, ts: tsEpoll, raw: rawEpoll, c: () => c.benchScanEpoll(epfd, N, fdSum, ITER) },
  ...(maxfd < 1024
    ? [{ name: `select + FD_ISSET scan, N=${N}`, ts: tsSelect, raw: rawSelect, c: () => c.benchScanSelect(rfds, ITER) }]
    : []),
];

const fmt = (x: number) => x.toFixed(2);
console.log(`sockfd scan: ${ITER} rounds per run, median of ${ROUNDS} runs, ~95 % interval of TS/C (node ${process.version})`);
console.log('| round | TS µs | raw µs | C µs | TS / C | raw / C | target ≤ 1.05× |');
console.log('|---|--:|--:|--:|--:|--:|--:|');
for (const k of cases) {
  for (let w = 0; w < 5; w++) k.ts(), k.raw(), k.c();
  const ts: number[] = [], raw: number[] = [], cc: number[] = [], rt: number[] = [], rr: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = k.ts(), b = k.raw(), x = k.c();
    ts.push(a); raw.push(b); cc.push(x); rt.push(a / x); rr.push(b / x);
  }
  const ci = medianInterval(rt);
  console.log(`| ${k.name} | ${fmt(median(ts) / 1000)} | ${fmt(median(raw) / 1000)} | ${fmt(median(cc) / 1000)} | ` +
    `${fmt(ci.median)}× [${fmt(ci.lo)}–${fmt(ci.hi)}] | ${fmt(median(rr))}× | ${verdict(ci, 1.05)} |`);
}
for (const fd of [...opened, epfd]) close(fd);
