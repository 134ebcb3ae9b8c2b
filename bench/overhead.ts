// bench/overhead — what one call through sockfd costs next to the same call made by C.
//
//   npm run bench:overhead [-- --iterations 50000 --rounds 31 --vlen 64 --json]
//
// Each case is timed three ways in this same process, on the same fds: a TypeScript loop
// calling the public API; the "floor", a TypeScript loop calling an argument-less native
// function that makes the same syscall; and "in-process C", a C loop in the bench library
// (native/bench/overhead.cc) running with Node's threads beside it. In-process matters:
// Node's extra threads make every fd-taking syscall slower (shared fd table), and a
// separate single-threaded C program would not pay that. Each round runs every case once
// (TS, floor, C back to back), so a burst of outside load lands on all three columns of one
// round; the table shows medians of ns/call and of the per-round ratios, a ~95 % interval
// for the ratio's median and the spread (median absolute deviation) of TS and C. A target
// counts as met or missed only when that whole interval is on one side of it; an interval
// that straddles the target is "within noise" (more rounds narrow it).
//
// The datagram rows receive --vlen (64) 1-byte UDP datagrams queued on a loopback socket,
// by one recvfrom each or by one recvmmsg; only receiving is timed, and the cost is per
// datagram. A second table sets the two side by side: recvmmsg's batching win.
// --json prints the numbers as JSON.
import { loadavg } from 'node:os';
import * as sockfd from './sockfd';
import { medianInterval, relativeMad, verdict, type Interval, type Verdict } from './stats';
// Read once into locals, as the scaling bench does: bench/sockfd.ts re-exports the package
// root with `export *`, whose getters a user importing the package itself never runs.
const {
  AF_INET, AF_UNIX, bind, close, connect, EAGAIN, epoll_create1, epoll_ctl, EPOLL_CTL_ADD,
  epoll_event, epoll_wait, EPOLLIN, FD_SET, fd_set, getsockname, htonl, INADDR_LOOPBACK, iovec,
  mmsghdr, msghdr, poll, pollfd, POLLIN, recv, recvfrom, recvmmsg, recvmsg, select, send, sendmsg,
  sockaddr_in, socket, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, socketpair, timeval, tryRecv,
  native: binding,
} = sockfd;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const N = arg('iterations', 50_000);
const ROUNDS = arg('rounds', 31);
const VLEN = arg('vlen', 64);
// Datagram rows: batches of VLEN per run, about N datagrams in all.
const BATCHES = Math.max(1, Math.round(N / VLEN));
const LOAD_START = loadavg();
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

// sendmsg/recvmsg over `pair`, as README teaches: a msghdr whose msg_iov is an iovec.array.
const outMsg = new msghdr();
const outIov = iovec.array(1);
outIov[0].iov_base = new Uint8Array([0x78]);
outMsg.msg_iov = outIov;
const inMsg = new msghdr();
const inIov = iovec.array(1);
inIov[0].iov_base = new Uint8Array(1);
inMsg.msg_iov = inIov;

// Datagrams: UDP over 127.0.0.1, `dgram` bound, `peer` connected to it (blocking sockets:
// recvmmsg waits for the whole batch, so a late datagram cannot shorten a batch).
const dgram = socket(AF_INET, SOCK_DGRAM, 0);
const here = new sockaddr_in();
here.sin_family = AF_INET;
here.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
bind(dgram, here);
getsockname(dgram, here);
const peer = socket(AF_INET, SOCK_DGRAM, 0);
connect(peer, here);
// recvfrom: one buffer and one sockaddr_in for the sender, reused.
const from = new sockaddr_in();
const dbuf = new Uint8Array(1);
// recvmmsg: an mmsghdr.array(VLEN), each entry with a 1-byte iovec and a sockaddr_in name.
const msgvec = mmsghdr.array(VLEN);
for (const m of msgvec) {
  const iov = iovec.array(1);
  iov[0].iov_base = new Uint8Array(1);
  m.msg_hdr.msg_iov = iov;
  m.msg_hdr.msg_name = new sockaddr_in();
}

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

function tsSendmsgRecvmsg(): number {
  const t = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < N; i++) {
    sendmsg(pair[0], outMsg);
    n += recvmsg(pair[1], inMsg);
  }
  check(n === N, 'sendmsg+recvmsg');
  return Number(process.hrtime.bigint() - t) / N;
}

// A batch row: VLEN datagrams queued (untimed, by C), then `receive` takes them all; returns
// ns per datagram. `receive` returns how many datagrams it took.
const fill = binding.overheadFillDgrams;
function batches(receive: () => number, what: string): number {
  let ns = 0;
  let n = 0;
  for (let b = 0; b < BATCHES; b++) {
    fill(peer, VLEN);
    const t = process.hrtime.bigint();
    n += receive();
    ns += Number(process.hrtime.bigint() - t);
  }
  check(n === BATCHES * VLEN, what);
  return ns / (BATCHES * VLEN);
}
function tsRecvfrom(): number {
  return batches(() => {
    let n = 0;
    for (let i = 0; i < VLEN; i++) n += recvfrom(dgram, dbuf, 1, 0, from);
    return n;
  }, 'recvfrom');
}
function tsRecvmmsg(): number {
  return batches(() => {
    const got = recvmmsg(dgram, msgvec, VLEN, 0);
    let n = 0;
    for (let i = 0; i < got; i++) n += msgvec[i].msg_len;
    return n;
  }, 'recvmmsg');
}

// The floor (native/bench/overhead.cc): a TS loop calling an argument-less native function that
// makes the same syscall. What separates it from C no binding can remove.
binding.overheadFloorInit(fd, epfd, pair[0], pair[1], empty[0]);
binding.overheadFloorInitMsg(pair[0], pair[1], dgram, VLEN);
// Read into locals once, as the TypeScript side reads its functions.
const { floorPoll: fPoll, floorEpollWait: fEpoll, floorSelect: fSelect, floorSend: fSend,
  floorRecv: fRecv, floorRecvEagain: fEagain, floorSendmsg: fSendmsg, floorRecvmsg: fRecvmsg,
  floorRecvfrom: fRecvfrom, floorRecvmmsg: fRecvmmsg } = binding;
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
const floorSendmsgRecvmsg = floor(() => (fSendmsg(), fRecvmsg()), 1, 'floor sendmsg+recvmsg');
const floorRecvfrom = (): number => batches(() => {
  let n = 0;
  for (let i = 0; i < VLEN; i++) n += fRecvfrom();
  return n;
}, 'floor recvfrom');
const floorRecvmmsg = (): number => batches(() => fRecvmmsg(), 'floor recvmmsg');

// Targets: issue 12's per-call table where it has one (poll, epoll_wait, send+recv, tryRecv);
// sendmsg+recvmsg as send+recv; a datagram received costs at least as much as a tryRecv.
const cases = [
  { name: 'poll, 1 ready fd', ts: tsPoll, floor: floorPoll, c: () => binding.overheadPoll(fd, N), target: 1.1 },
  { name: 'epoll_wait, 1 ready fd', ts: tsEpollWait, floor: floorEpoll, c: () => binding.overheadEpollWait(epfd, N), target: 1.1 },
  { name: 'select, 1 fd', ts: tsSelect, floor: floorSelect, c: () => binding.overheadSelect(fd, N), target: 1.15 },
  { name: 'send+recv, 1 byte', ts: tsSendRecv, floor: floorSendRecv, c: () => binding.overheadSendRecv(pair[0], pair[1], N), target: 1.1 },
  { name: 'recv meeting EAGAIN (tryRecv)', ts: tsEagain, floor: floorEagain, c: () => binding.overheadRecvEagain(empty[0], N), target: 1.15 },
  { name: 'sendmsg+recvmsg, 1 byte', ts: tsSendmsgRecvmsg, floor: floorSendmsgRecvmsg, c: () => binding.overheadSendmsgRecvmsg(pair[0], pair[1], N), target: 1.1 },
  { name: `recvfrom, per datagram (${VLEN} queued, UDP)`, ts: tsRecvfrom, floor: floorRecvfrom, c: () => binding.overheadRecvfromBatch(dgram, peer, VLEN, BATCHES), target: 1.15 },
  { name: `recvmmsg, per datagram (batch of ${VLEN}, UDP)`, ts: tsRecvmmsg, floor: floorRecvmmsg, c: () => binding.overheadRecvmmsgBatch(dgram, peer, VLEN, BATCHES), target: 1.15 },
];
const RECVFROM = 6;
const RECVMMSG = 7;

/** One case's result, as `sockfd bench` stores it in results.json (`overhead.cases`). */
export interface OverheadCase {
  name: string;
  /** Medians of ns per call (per datagram for the datagram rows). */
  tsNs: number;
  floorNs: number;
  cNs: number;
  /** The spread of the runs: median absolute deviation over the median (0.02 = 2 %). */
  tsSpread: number;
  cSpread: number;
  /** TS / C: the median of the per-round ratios, with its ~95 % interval. */
  ratio: Interval;
  floorRatio: Interval;
  target: number;
  verdict: Verdict;
}

/** recvmmsg's batching win: recvfrom ns ÷ recvmmsg ns per datagram, per round, each language. */
export interface Batching {
  vlen: number;
  tsRecvfromNs: number;
  tsRecvmmsgNs: number;
  cRecvfromNs: number;
  cRecvmmsgNs: number;
  tsWin: Interval;
  cWin: Interval;
}

/** What the C column is: the loop runs in this process, beside Node's threads. */
const C_KIND = 'in-process C (a C loop in sockfd_bench.so, in this Node process: Node\'s threads beside it)';
const header = `sockfd per-call overhead: ${N} calls per run (datagrams: ${BATCHES} batches of ${VLEN}), median of ${ROUNDS} runs, ~95 % interval of the ratio in brackets; C = in-process C (node ${process.version}, ${process.arch}, load ${LOAD_START.map((l) => l.toFixed(2)).join(' ')})`;
if (!JSON_OUT) console.log(header);
for (const k of cases) {
  k.ts();
  k.floor();
  k.c();
}
const ts: number[][] = cases.map(() => []);
const fl: number[][] = cases.map(() => []);
const c: number[][] = cases.map(() => []);
// Every round runs every case (TS, floor and C back to back), so the runs of a case are
// spread over the whole suite and a burst of outside load lands on one round, not on one row.
for (let r = 0; r < ROUNDS; r++) {
  cases.forEach((k, i) => {
    ts[i].push(k.ts());
    fl[i].push(k.floor());
    c[i].push(k.c());
  });
}
// Ratios are taken per round: load from other processes then moves numerator and
// denominator alike.
const results: OverheadCase[] = cases.map((k, i) => {
  const ratio = medianInterval(ts[i].map((x, r) => x / c[i][r]));
  return {
    name: k.name, tsNs: medianInterval(ts[i]).median, floorNs: medianInterval(fl[i]).median, cNs: medianInterval(c[i]).median,
    tsSpread: relativeMad(ts[i]), cSpread: relativeMad(c[i]),
    ratio, floorRatio: medianInterval(fl[i].map((x, r) => x / c[i][r])), target: k.target, verdict: verdict(ratio, k.target),
  };
});
const batching: Batching = {
  vlen: VLEN,
  tsRecvfromNs: results[RECVFROM].tsNs,
  tsRecvmmsgNs: results[RECVMMSG].tsNs,
  cRecvfromNs: results[RECVFROM].cNs,
  cRecvmmsgNs: results[RECVMMSG].cNs,
  tsWin: medianInterval(ts[RECVFROM].map((x, r) => x / ts[RECVMMSG][r])),
  cWin: medianInterval(c[RECVFROM].map((x, r) => x / c[RECVMMSG][r])),
};

const x2 = (v: number) => v.toFixed(2) + '×';
const span = (i: Interval) => `${x2(i.median)} [${i.lo.toFixed(2)}–${i.hi.toFixed(2)}]`;
const pct = (v: number) => `±${(v * 100).toFixed(1)} %`;
function table(head: string[], rows: string[][]): string[] {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((x, i) => (i === 0 ? x.padEnd(width[i]) : x.padStart(width[i]))).join(' | ') + ' |';
  return [line(head), '|' + width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.map(line)];
}
const rows = results.map((r) => [r.name, r.tsNs.toFixed(0), r.floorNs.toFixed(0), r.cNs.toFixed(0),
  `${pct(r.tsSpread)} / ${pct(r.cSpread)}`, span(r.ratio), span(r.floorRatio), `≤ ${r.target.toFixed(2)}×`, r.verdict]);
const text = [header, ...table(
  ['call', 'TS ns/call', 'floor ns/call', 'in-process C ns/call', 'spread TS / C', 'TS / C', 'floor / C', 'target', 'verdict'], rows)];
const missed = results.filter((r) => r.verdict === 'missed').length;
const noisy = results.filter((r) => r.verdict === 'within noise').length;
if (missed > 0) text.push(`${missed} target(s) missed; 'floor' is the least any Node-API binding costs (see bench/README.md).`);
if (noisy > 0) text.push(`${noisy} target(s) within noise: the interval straddles the target; more --rounds narrow it.`);
const b = batching;
text.push('', `recvmmsg vs recvfrom, ns per datagram (UDP over 127.0.0.1, ${VLEN} 1-byte datagrams queued per batch; the win is recvfrom ÷ recvmmsg per round)`,
  ...table(['', 'recvfrom ns/datagram', 'recvmmsg ns/datagram', 'recvmmsg win'], [
    ['TS (sockfd)', b.tsRecvfromNs.toFixed(0), b.tsRecvmmsgNs.toFixed(0), span(b.tsWin)],
    ['in-process C', b.cRecvfromNs.toFixed(0), b.cRecvmmsgNs.toFixed(0), span(b.cWin)],
  ]));
const LOAD_END = loadavg();
if (JSON_OUT) {
  process.stdout.write(JSON.stringify({
    iterations: N, rounds: ROUNDS, vlen: VLEN, batches: BATCHES, node: process.version, c: C_KIND,
    loadavg: { start: LOAD_START, end: LOAD_END }, cases: results, batching, text: text.join('\n'),
  }, null, 2) + '\n');
} else {
  for (const l of text.slice(1)) console.log(l);
  console.log(`load average at the end: ${LOAD_END.map((l) => l.toFixed(2)).join(' ')}`);
}

for (const f of [...ready, ...pair, ...empty, epfd, dgram, peer]) close(f);
