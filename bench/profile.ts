// bench/profile — one per-call loop of bench/overhead, run alone for a few seconds so a
// profiler can look at it (bench/README.md "Where the nanoseconds go"):
//
//   node dist/bench/profile.js <call> <ts|floor|c> [seconds]
//   taskset -c 1 perf record -e cpu-clock -F 5000 -g -D 500 -o ts.data \
//     node --perf-basic-prof dist/bench/profile.js poll ts 3
//   perf report -i ts.data --no-children --sort dso,sym --stdio -g none
//
// <call>: poll, epoll_wait, send+recv, tryRecv, sendmsg+recvmsg (a msghdr over a one-entry
// iovec.array each way, as bench/overhead). ts is the public API as a user calls it,
// floor the argument-less Node-API function making the same syscall, c the C loop of
// sockfd_bench.so in this process. Prints the calls made and ns per call, measured around
// the whole run (with the profiler attached: its cost is in the number).
import * as sockfd from './sockfd';

const {
  AF_UNIX, close, EAGAIN, epoll_create1, epoll_ctl, EPOLL_CTL_ADD, epoll_event, epoll_wait, EPOLLIN,
  iovec, msghdr, poll, pollfd, POLLIN, recv, recvmsg, send, sendmsg, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM,
  socketpair, tryRecv, native,
} = sockfd;

const [call, side = 'ts', secs = '3'] = process.argv.slice(2);
const CALLS = ['poll', 'epoll_wait', 'send+recv', 'tryRecv', 'sendmsg+recvmsg'];
if (!CALLS.includes(call) || !['ts', 'floor', 'c'].includes(side) || !(Number(secs) > 0)) {
  process.stderr.write(`usage: profile <${CALLS.join('|')}> <ts|floor|c> [seconds]\n`);
  process.exit(2);
}

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
const byte = new Uint8Array(1);
native.overheadFloorInit(fd, epfd, pair[0], pair[1], empty[0]);
const outMsg = new msghdr();
const outIov = iovec.array(1);
outIov[0].iov_base = new Uint8Array([0x78]);
outMsg.msg_iov = outIov;
const inMsg = new msghdr();
const inIov = iovec.array(1);
inIov[0].iov_base = new Uint8Array(1);
inMsg.msg_iov = inIov;
// The msg floors also want a datagram socket (for floorRecvfrom/floorRecvmmsg, unused here).
const dg = new Int32Array(2);
socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
native.overheadFloorInitMsg(pair[0], pair[1], dg[1], 1);

const BATCH = 10_000;
// One batch of BATCH calls; each returns the sum of the results, checked below.
const loops: Record<string, Record<string, () => number>> = {
  poll: {
    ts: () => { let n = 0; for (let i = 0; i < BATCH; i++) n += poll(fds, 1, 0); return n; },
    floor: () => { let n = 0; for (let i = 0; i < BATCH; i++) n += native.floorPoll(); return n; },
    c: () => (native.overheadPoll(fd, BATCH), BATCH),
  },
  epoll_wait: {
    ts: () => { let n = 0; for (let i = 0; i < BATCH; i++) n += epoll_wait(epfd, events, 1, 0); return n; },
    floor: () => { let n = 0; for (let i = 0; i < BATCH; i++) n += native.floorEpollWait(); return n; },
    c: () => (native.overheadEpollWait(epfd, BATCH), BATCH),
  },
  'send+recv': {
    ts: () => { let n = 0; for (let i = 0; i < BATCH; i++) { send(pair[0], byte, 1); n += recv(pair[1], byte, 1); } return n; },
    floor: () => { let n = 0; for (let i = 0; i < BATCH; i++) { native.floorSend(); n += native.floorRecv(); } return n; },
    c: () => (native.overheadSendRecv(pair[0], pair[1], BATCH), BATCH),
  },
  'sendmsg+recvmsg': {
    ts: () => { let n = 0; for (let i = 0; i < BATCH; i++) { sendmsg(pair[0], outMsg); n += recvmsg(pair[1], inMsg); } return n; },
    floor: () => { let n = 0; for (let i = 0; i < BATCH; i++) { native.floorSendmsg(); n += native.floorRecvmsg(); } return n; },
    c: () => (native.overheadSendmsgRecvmsg(pair[0], pair[1], BATCH), BATCH),
  },
  tryRecv: {
    ts: () => { let n = 0; for (let i = 0; i < BATCH; i++) n -= tryRecv(empty[0], byte, 1) / EAGAIN; return n; },
    floor: () => { let n = 0; for (let i = 0; i < BATCH; i++) n -= native.floorRecvEagain() / EAGAIN; return n; },
    c: () => (native.overheadRecvEagain(empty[0], BATCH), BATCH),
  },
};
const run = loops[call][side];
const end = performance.now() + Number(secs) * 1000;
const t0 = process.hrtime.bigint();
let calls = 0;
do {
  if (run() !== BATCH) throw new Error(`profile: ${call} (${side}) did not behave as the benchmark assumes`);
  calls += BATCH;
} while (performance.now() < end);
const ns = Number(process.hrtime.bigint() - t0) / calls;
process.stdout.write(`${call} ${side}: ${calls} calls, ${ns.toFixed(0)} ns/call\n`);
for (const f of [...ready, ...pair, ...empty, ...dg, epfd]) close(f);
