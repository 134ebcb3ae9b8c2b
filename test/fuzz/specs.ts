// One entry per exported function and class of sockfd: the C parameter list as argument
// arbitraries. fuzz.test.ts fails when an export has no entry here (or an entry names no
// export), so a new function cannot ship unfuzzed.
//
// Each parameter mixes values of its own kind (most draws) with junk of every kind. Two
// kinds never mix in arbitrary junk, because a value a buggy library might coerce there
// could reach something the suite does not own or wait forever:
//  - fd parameters get fdArb (pool fds, closed or negative numbers, sentinel-derived bad
//    values) plus junk that cannot coerce to a small number (no '3', true, [], new Date(0),
//    -0, NaN: those would name the runner's stdin/stdout/IPC fds if coerced);
//  - a synchronous wait's timeout is 0/1 ms or a value that must be rejected but could
//    only coerce to a short wait (waitMsArb, tmoArb); `keep` stops arity mutation from
//    dropping it (a missing timeout is C's NULL: forever). The watchdog in world.ts turns
//    any wait that still blocks into EINTR and a failed property.
import fc from 'fast-check';
import * as S from '../helpers/lib';
import { POOL } from './world';
import {
  type R, addrlenArb, bigArb, bufArb, eventsArb, fdArb, fdsetArb, junkArb, numArb, optsArb, pollfdsArb, saArb,
  sigmaskArb, strArb, structArb, svArb, tmoArb, waitMsArb,
} from './recipes';

/** A parameter: values of its own kind, and those mixed with junk. */
export interface Param {
  own: fc.Arbitrary<R>;
  any: fc.Arbitrary<R>;
}

export interface Spec {
  /** One entry per C parameter, in order. */
  params: Param[];
  /** Arity mutation never drops parameters below this count (a wait's timeout). */
  keep?: number;
  /** The function returns a promise. */
  async?: boolean;
  /** A class: called with `new`. */
  ctor?: boolean;
  /** Parameters typed `unknown` (a predicate such as isEINTR): any value is valid there. */
  anyValue?: boolean;
}

const mix = (own: fc.Arbitrary<R>, ...more: Array<fc.Arbitrary<R>>): Param => ({
  own,
  any: fc.oneof({ arbitrary: own, weight: 4 }, { arbitrary: junkArb, weight: 1 }, { arbitrary: numArb(), weight: 1 },
    ...more.map((arbitrary) => ({ arbitrary, weight: 1 }))),
});

const fdJunk: fc.Arbitrary<R> = fc.oneof(
  fc.constantFrom('obj', 'fn', 'sym', 'proxy', 'revoked', 'throwget', 'nullProto', 'toPrimitive' as const).map((j) => ({ k: 'junk', j }) as R),
  fc.constantFrom<unknown>(undefined, null, 'abc', 2n ** 64n).map((v) => ({ k: 'v', v }) as R),
  fc.constant({ k: 'detached', view: 'u8' } as R),
);
const poolFd = fc.constantFrom(...POOL).map((p) => ({ k: 'fd', p }) as R);
const FD: Param = { own: poolFd, any: fc.oneof({ arbitrary: fdArb, weight: 8 }, { arbitrary: fdJunk, weight: 1 }) };
const N = (...named: number[]): Param => {
  const m = mix(numArb(...named), bigArb);
  return named.length > 0 ? { own: fc.constantFrom(...named).map((v) => ({ k: 'v', v }) as R), any: m.any } : m;
};
const BUF = mix(bufArb, saArb, structArb);
const SA = mix(saArb, structArb, bufArb);
const OPT_SA = mix(fc.oneof(saArb, saArb, fc.constantFrom<R>({ k: 'v', v: null }, { k: 'v', v: undefined })), structArb);
const ADDRLEN = mix(fc.oneof(addrlenArb, fc.constantFrom<R>({ k: 'v', v: null }, { k: 'v', v: undefined })));
const STR = mix(strArb);
const STRUCT = mix(structArb, saArb, bufArb);
const only = (a: fc.Arbitrary<R>): Param => ({ own: a, any: a });

const DOMAIN = N(S.AF_UNIX, S.AF_INET, S.AF_INET6, 9999);
const TYPE = N(S.SOCK_STREAM, S.SOCK_DGRAM, S.SOCK_SEQPACKET, S.SOCK_STREAM | S.SOCK_NONBLOCK, S.SOCK_DGRAM | S.SOCK_CLOEXEC, S.SOCK_RAW);
const PROTO = N(0, S.IPPROTO_TCP, S.IPPROTO_UDP);
const MSG = N(0, S.MSG_DONTWAIT, S.MSG_PEEK, S.MSG_WAITALL, S.MSG_OOB, S.MSG_TRUNC, S.MSG_NOSIGNAL, S.MSG_MORE, S.MSG_ERRQUEUE, S.MSG_PEEK | S.MSG_TRUNC);
const LEN = N(0, 1, 3, 7, 16, 64, 128, 129);
const OFF = N(0, 1, 3, 7, 16, 64, 128, 129);
const LEVEL = N(S.SOL_SOCKET, S.IPPROTO_TCP, S.IPPROTO_IP, S.IPPROTO_IPV6);
const OPTNAME = N(S.SO_RCVBUF, S.SO_SNDBUF, S.SO_REUSEADDR, S.SO_LINGER, S.SO_RCVTIMEO, S.SO_SNDTIMEO, S.SO_ERROR, S.SO_TYPE,
  S.SO_KEEPALIVE, S.TCP_NODELAY, S.IP_TTL);
// optlen: a number, or a socklen_t (getsockopt's value-result form)
const OPTLEN = mix(numArb(0, 1, 3, 4, 8, 12, 16, 64, 129), addrlenArb);
const OPTVAL = mix(fc.oneof(numArb(0, 1, 4096), bufArb, structArb));
const CMD = N(S.F_GETFD, S.F_SETFD, S.F_GETFL, S.F_SETFL, S.F_DUPFD, S.F_DUPFD_CLOEXEC);
const HOW = N(S.SHUT_RD, S.SHUT_WR, S.SHUT_RDWR);
const OP = N(S.EPOLL_CTL_ADD, S.EPOLL_CTL_MOD, S.EPOLL_CTL_DEL);
const EV = mix(fc.oneof(structArb, fc.constant<R>({ k: 'v', v: null })), eventsArb);
const AF = N(S.AF_INET, S.AF_INET6, S.AF_UNIX);
const INT = N();
const FDSET = mix(fc.oneof(fdsetArb, fc.constant<R>({ k: 'v', v: null })), structArb);
const EVENTS = mix(eventsArb, structArb, bufArb);
const MAXEV = N(1, 2, 8, 9);
const SV = mix(svArb);
const SETSIZE = N(1, 64, 1024, 1025, 4096);

// eventfd.ts. A sigset_t from structArb is the empty set (its window is zeroed), and the
// masks sigprocmask/pthread_sigmask are given are only that or null: SIG_BLOCK/SIG_UNBLOCK of
// the empty set change nothing, and SIG_SETMASK of it is the mask the suite's thread already
// has (Node's main thread blocks nothing), so fuzzing never changes the process's signal mask
// — the watchdog's SIGUSR2 keeps arriving. tgkill's signal is only 0 (the existence check) or
// a value that is rejected or EINVAL and could coerce to nothing but 0: it never sends a signal.
const SIGSET = mix(fc.oneof(structArb, structArb, fc.constant<R>({ k: 'v', v: null })), bufArb);
const SIGNUM = N(1, S.SIGUSR2, 31, 32, 33, S.SIGRTMAX, 0, 65);
const HOWSIG = N(S.SIG_BLOCK, S.SIG_UNBLOCK, S.SIG_SETMASK, 3, -1);
const ITS = mix(fc.oneof(structArb, fc.constant<R>({ k: 'v', v: null })), bufArb);
const SAFE_SIG: Param = only(fc.oneof(
  fc.constantFrom<unknown>(0, 0, -1, 65, 2 ** 31, -(2 ** 31) - 1, 0.5, NaN, Infinity, -0, 2 ** 32, null, undefined, 'abc', 0n,
    2n ** 64n).map((v) => ({ k: 'v', v }) as R),
  fc.constantFrom('obj', 'fn', 'sym', 'proxy', 'revoked', 'throwget', 'nullProto').map((j) => ({ k: 'junk', j }) as R),
));
const PID = mix(fc.constantFrom<R>({ k: 'v', v: process.pid }, { k: 'v', v: -1 }, { k: 'v', v: 0 }, { k: 'v', v: 2 ** 31 - 1 }));
const U64OUT = mix(fc.constantFrom<R>({ k: 'buf', len: 8, mis: 0, view: 'bigu64' }, { k: 'buf', len: 16, mis: 1, view: 'bigu64' },
  { k: 'buf', len: 8, mis: 1, view: 'bigu64' }), bufArb);
// The msg family: iovec arrays (holes, foreign entries, lengths past their buffers),
// msghdrs and mmsghdr arrays over them, and cmsghdrs inside and outside a control buffer.
// Each value is built fresh when drawn.
const IOV_KINDS = ['two', 'empty', 'holey', 'foreign', 'standalone', 'max', 'over', 'nullBase'] as const;
function makeIov(k: (typeof IOV_KINDS)[number]): unknown {
  switch (k) {
    case 'two': { const v = S.iovec.array(2); v[0].iov_base = Buffer.alloc(3); v[1].iov_base = new Uint8Array(5); return v; }
    case 'empty': return S.iovec.array(0);
    case 'holey': { const v = S.iovec.array(3); v[0].iov_base = Buffer.alloc(2); return [v[0], , v[2]]; }
    case 'foreign': return [new S.timeval(), { iov_base: Buffer.alloc(4), iov_len: 4 }];
    case 'standalone': { const a = new S.iovec(); a.iov_base = Buffer.alloc(4); return [a, new S.iovec()]; }
    case 'max': return S.iovec.array(1024);
    case 'over': return S.iovec.array(1025);
    case 'nullBase': { const v = S.iovec.array(1); v[0].iov_base = Buffer.alloc(2); v[0].iov_base = null; return v; }
  }
}
const IOVS = mix(fc.constantFrom(...IOV_KINDS).map((k) => ({ k: 'v', v: makeIov(k) }) as R));
// No kind sends SCM_RIGHTS: an fd the run received would be a new open fd (C's behaviour, not a bug).
const MSG_KINDS = ['data', 'named', 'control', 'creds', 'badlen', 'empty'] as const;
function makeMsg(k: (typeof MSG_KINDS)[number] | 'rights'): S.msghdr {
  const m = new S.msghdr();
  if (k === 'empty') return m;
  m.msg_iov = makeIov('two') as S.iovec[];
  if (k === 'named') m.msg_name = new S.sockaddr_in();
  if (k === 'control' || k === 'rights' || k === 'creds' || k === 'badlen') m.msg_control = new Uint8Array(S.CMSG_SPACE(8));
  if (k === 'rights') {
    const c = S.CMSG_FIRSTHDR(m)!;
    c.cmsg_level = S.SOL_SOCKET;
    c.cmsg_type = S.SCM_RIGHTS;
    c.cmsg_len = S.CMSG_LEN(4);
  }
  if (k === 'creds') {
    const c = S.CMSG_FIRSTHDR(m)!;
    c.cmsg_level = S.SOL_SOCKET;
    c.cmsg_type = S.SCM_CREDENTIALS;
    c.cmsg_len = S.CMSG_LEN(4); // shorter than a ucred: the kernel refuses it
  }
  if (k === 'badlen') CMSG_GARBAGE(m);
  return m;
}
function CMSG_GARBAGE(m: S.msghdr): void {
  const c = S.CMSG_FIRSTHDR(m)!;
  c.cmsg_len = 1e6;
}
const MSGH = mix(fc.constantFrom(...MSG_KINDS).map((k) => ({ k: 'v', v: makeMsg(k) }) as R), structArb);
const MMSG_KINDS = ['two', 'holey', 'plain', 'many'] as const;
function makeMmsg(k: (typeof MMSG_KINDS)[number]): unknown {
  const v = S.mmsghdr.array(k === 'many' ? 1030 : 2);
  if (k === 'holey') return [v[0], , v[1]];
  if (k === 'plain') return [{ msg_hdr: makeMsg('data'), msg_len: 0 }];
  v[0].msg_hdr.msg_iov = makeIov('two') as S.iovec[];
  return v;
}
const MMSG = mix(fc.constantFrom(...MMSG_KINDS).map((k) => ({ k: 'v', v: makeMmsg(k) }) as R));
const VLEN = N(0, 1, 2, 3, 1024, 1025, 1030);
function makeCmsg(k: 'first' | 'standalone' | 'garbage'): unknown {
  if (k === 'standalone') return new S.cmsghdr();
  const m = makeMsg(k === 'first' ? 'rights' : 'badlen');
  return S.CMSG_FIRSTHDR(m);
}
const CMSG = mix(fc.constantFrom('first', 'standalone', 'garbage' as const).map((k) => ({ k: 'v', v: makeCmsg(k) }) as R), structArb);
const MMSG_FLAGS = N(0, S.MSG_DONTWAIT, S.MSG_WAITFORONE | S.MSG_DONTWAIT, S.MSG_PEEK | S.MSG_DONTWAIT);

// Options of a wait, or of an async call; a detaching getter may target argument `targets`.
const WOPT = (...targets: number[]) => mix(optsArb(...targets));

// uring.ts. min_complete is 0 or a value that must be rejected and could coerce to nothing
// but 0: a wait for completions that never come would block the run (`keep` holds it).
// SQEs come from the pool's ring; a prep helper given one fills it with the drawn fd and
// buffer (a guarded window). A run is one call, so the request is never submitted: closing
// the pool frees it (test/uring.test.ts drives submissions).
const SQE_P = mix(fc.constant<R>({ k: 'sqe' }), structArb);
const RING = mix(fc.constantFrom<R>({ k: 'fd', p: 'uring' }, { k: 'fd', p: 'uring' }, { k: 'fd', p: 'stream0' }));
const MIN_COMPLETE = only(fc.constantFrom<unknown>(0, 0, 0, -1, 0.5, NaN, 2 ** 32, null, undefined, 'abc', 0n)
  .map((v) => ({ k: 'v', v }) as R));
const URING_PARAMS: Param = mix(fc.constant<R>({ k: 'v', v: undefined }).map(() => ({ k: 'v', v: new S.io_uring_params() }) as R), structArb);
const U64 = mix(fc.constantFrom<R>({ k: 'v', v: 0 }, { k: 'v', v: 1n }, { k: 'v', v: 2n ** 64n - 1n }, { k: 'v', v: 2n ** 64n }, { k: 'v', v: -1n }), bigArb);
const POLLMASK = N(S.POLLIN, S.POLLOUT, S.POLLIN | S.POLLOUT, 0, -1);

// netns.ts. unshare's flags are only values the kernel or the argument layer refuses, or 0
// (a no-op): a fuzzed CLONE_NEWNET would move the suite's own thread into a new namespace.
// 1 and -1 carry CSIGNAL bits, which unshare(2) rejects with EINVAL before anything else.
const UNSHARE_FLAGS: Param = only(fc.oneof(
  fc.constantFrom<unknown>(0, 1, -1, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 0.5, NaN, Infinity, null, undefined, 'abc', 0n)
    .map((v) => ({ k: 'v', v }) as R),
  fc.constantFrom('obj', 'fn', 'sym', 'proxy', 'revoked', 'throwget', 'nullProto').map((j) => ({ k: 'junk', j }) as R),
));
// setns is given pool fds (sockets, pipes, epoll, eventfd: EINVAL) and closed or bad numbers:
// the suite holds no namespace fd, so no draw can move its thread.
const NSTYPE = N(0, S.CLONE_NEWNET, S.CLONE_NEWUTS, 1);
function makeNl(k: 'hdr' | 'two' | 'huge' | 'short' | 'err'): unknown {
  const buf = new Uint8Array(k === 'short' ? 20 : 64);
  const h = new S.nlmsghdr(buf);
  if (k === 'hdr') h.nlmsg_len = S.NLMSG_LENGTH(4);
  if (k === 'two') { h.nlmsg_len = 19; new S.nlmsghdr(buf.subarray(20)).nlmsg_len = 16; }
  if (k === 'huge') h.nlmsg_len = 0xffffffff;
  if (k === 'short') h.nlmsg_len = 20;
  if (k === 'err') { h.nlmsg_type = S.NLMSG_ERROR; h.nlmsg_len = S.NLMSG_LENGTH(20); new S.nlmsgerr(S.NLMSG_DATA(h)).error = -S.ENODEV; }
  return h;
}
const NLH = mix(fc.constantFrom('hdr', 'two', 'huge', 'short', 'err' as const).map((k) => ({ k: 'v', v: makeNl(k) }) as R), structArb);
function makeRta(k: 'one' | 'huge' | 'zero'): unknown {
  const r = new S.rtattr(new Uint8Array(k === 'zero' ? 4 : 24));
  r.rta_len = k === 'one' ? S.RTA_LENGTH(4) : k === 'huge' ? 0xffff : 0;
  return r;
}
const RTA = mix(fc.constantFrom('one', 'huge', 'zero' as const).map((k) => ({ k: 'v', v: makeRta(k) }) as R), structArb);
const LENBOX = mix(fc.constantFrom(0, 16, 36, -1, 2 ** 31 - 1).map((n) => ({ k: 'v', v: new Int32Array([n]) }) as R), bufArb);
const OPT_NLH = mix(fc.oneof(NLH.own, fc.constant<R>({ k: 'v', v: null })), structArb);
const OPT_RTA = mix(fc.oneof(RTA.own, fc.constant<R>({ k: 'v', v: null })), structArb);
const NLLEN = N(0, 4, 16, 17, 20, 2 ** 31 - 1, 0xffff, -1);

export const SPECS: Record<string, Spec> = {
  // errors.ts
  ErrnoError: { ctor: true, params: [STR, N(1, 11, 104), STR, STR, FD] },
  errnoName: { params: [N(1, 11, 104, 133, 4096)] },
  isEINTR: { params: [mix(junkArb)], anyValue: true },
  strerror: { params: [N(1, 11, 104, 133, 4096)] },
  // struct.ts
  Struct: { ctor: true, params: [N(4, 16), mix(bufArb)] },
  linger: { ctor: true, params: [INT, INT, mix(bufArb)] },
  timespec: { ctor: true, params: [INT, N(999_999_999, 1_000_000_000), mix(bufArb)] },
  timeval: { ctor: true, params: [INT, N(999_999, 1_000_000), mix(bufArb)] },
  sizeof: { params: [STRUCT] },
  // sockaddr.ts
  Sockaddr: { ctor: true, params: [N(16, 28, 110), mix(bufArb), mix(bufArb)] },
  htonl: { params: [N(0xffffffff, 0x7f000001)] },
  htons: { params: [N(0xffff, 8080)] },
  ntohl: { params: [N(0xffffffff, 0x0100007f)] },
  ntohs: { params: [N(0xffff, 0x901f)] },
  in_addr: { ctor: true, params: [mix(bufArb)] },
  in6_addr: { ctor: true, params: [mix(bufArb)] },
  sockaddr_in: { ctor: true, params: [mix(bufArb), mix(bufArb)] },
  sockaddr_in6: { ctor: true, params: [mix(bufArb), mix(bufArb)] },
  sockaddr_un: { ctor: true, params: [mix(bufArb), mix(bufArb)] },
  sockaddr_nl: { ctor: true, params: [mix(bufArb), mix(bufArb)] },
  sockaddr_storage: { ctor: true, params: [] },
  socklen_t: { ctor: true, params: [N(16, 28, 110, 128)] },
  parseAddress: { params: [STR] },
  // inet.ts
  inet_addr: { params: [STR] },
  inet_ntop: { params: [AF, mix(bufArb, structArb)] },
  inet_pton: { params: [AF, STR, mix(bufArb, structArb)] },
  // socket.ts
  socket: { params: [DOMAIN, TYPE, PROTO] },
  socketpair: { params: [N(S.AF_UNIX, S.AF_UNIX, S.AF_INET), TYPE, PROTO, SV] },
  bind: { params: [FD, SA, ADDRLEN] },
  listen: { params: [FD, N(0, 1, 4096, -1)] },
  accept: { params: [FD, OPT_SA, ADDRLEN] },
  accept4: { params: [FD, OPT_SA, ADDRLEN, N(0, S.SOCK_NONBLOCK, S.SOCK_CLOEXEC)] },
  tryAccept: { params: [FD, OPT_SA, ADDRLEN] },
  tryAccept4: { params: [FD, OPT_SA, ADDRLEN, N(0, S.SOCK_NONBLOCK, S.SOCK_CLOEXEC)] },
  connect: { params: [FD, SA, ADDRLEN] },
  tryConnect: { params: [FD, SA, ADDRLEN] },
  shutdown: { params: [FD, HOW] },
  close: { params: [FD] },
  getsockname: { params: [FD, SA, ADDRLEN] },
  getpeername: { params: [FD, SA, ADDRLEN] },
  // io.ts
  send: { params: [FD, BUF, LEN, MSG, OFF] },
  recv: { params: [FD, BUF, LEN, MSG, OFF] },
  trySend: { params: [FD, BUF, LEN, MSG, OFF] },
  tryRecv: { params: [FD, BUF, LEN, MSG, OFF] },
  read: { params: [FD, BUF, LEN, OFF] },
  write: { params: [FD, BUF, LEN, OFF] },
  tryRead: { params: [FD, BUF, LEN, OFF] },
  tryWrite: { params: [FD, BUF, LEN, OFF] },
  sendto: { params: [FD, BUF, LEN, MSG, OPT_SA, ADDRLEN, OFF] },
  trySendto: { params: [FD, BUF, LEN, MSG, OPT_SA, ADDRLEN, OFF] },
  recvfrom: { params: [FD, BUF, LEN, MSG, OPT_SA, ADDRLEN, OFF] },
  tryRecvfrom: { params: [FD, BUF, LEN, MSG, OPT_SA, ADDRLEN, OFF] },
  sendAll: { params: [FD, BUF, MSG] },
  // sockopt.ts
  setsockopt: { params: [FD, LEVEL, OPTNAME, OPTVAL, OPTLEN] },
  getsockopt: { params: [FD, LEVEL, OPTNAME, mix(fc.oneof(bufArb, structArb)), OPTLEN] },
  fcntl: { params: [FD, CMD, N(0, S.O_NONBLOCK, S.FD_CLOEXEC, 100)] },
  tcp_info: { ctor: true, params: [mix(bufArb)] },
  ip_mreqn: { ctor: true, params: [mix(bufArb)] },
  ipv6_mreq: { ctor: true, params: [mix(bufArb)] },
  // ucred.ts
  ucred: { ctor: true, params: [INT, N(0, 0xffffffff, 2 ** 32), N(0, 0xffffffff, 2 ** 32), mix(bufArb)] },
  // netif.ts
  ioctl: { params: [FD, N(S.FIONREAD, S.SIOCINQ, S.SIOCOUTQ, S.FIONBIO, 0x8933, 0x5401), mix(bufArb, structArb)] },
  if_nametoindex: { params: [mix(fc.oneof(strArb, fc.constantFrom<R>({ k: 'str', s: 'lo' }, { k: 'str', s: 'x'.repeat(16) })))] },
  if_indextoname: { params: [N(0, 1, 2, 0x7fffffff, 2 ** 32 - 1, 2 ** 32)] },
  // select.ts
  fd_set: { ctor: true, params: [SETSIZE] },
  FD_ZERO: { params: [FDSET] },
  FD_SET: { params: [N(0, 63, 64, 1023, 1024, 2047), FDSET] },
  FD_CLR: { params: [N(0, 63, 64, 1023, 1024, 2047), FDSET] },
  FD_ISSET: { params: [N(0, 63, 64, 1023, 1024, 2047), FDSET] },
  select: { keep: 5, params: [N(0, 64, 1024, 1025, 2048), FDSET, FDSET, FDSET, only(tmoArb('timeval')), WOPT(1, 2, 3, 4)] },
  pselect: {
    keep: 5,
    params: [N(0, 64, 1024, 1025, 2048), FDSET, FDSET, FDSET, only(tmoArb('timespec')), mix(sigmaskArb(1, 2, 3, 4)), WOPT(1, 2, 3, 4)],
  },
  // poll.ts
  pollfd: { ctor: true, params: [mix(bufArb)] },
  'pollfd.array': { params: [N(0, 1, 4, 4096, 1e8)] },
  poll: { keep: 3, params: [mix(pollfdsArb(2), structArb), N(0, 1, 2, 4, 5), only(waitMsArb), WOPT(0)] },
  ppoll: { keep: 3, params: [mix(pollfdsArb(2), structArb), N(0, 1, 2, 4, 5), only(tmoArb('timespec')), mix(sigmaskArb(0, 2)), WOPT(0, 2)] },
  // epoll.ts
  epoll_create1: { params: [N(0, S.EPOLL_CLOEXEC)] },
  epoll_ctl: { params: [FD, OP, FD, EV] },
  epoll_data: { ctor: true, params: [mix(bufArb), mix(bufArb)] },
  epoll_event: { ctor: true, params: [mix(bufArb)] },
  'epoll_event.array': { params: [N(0, 1, 4, 4096, 1e8)] },
  epoll_wait: { keep: 4, params: [FD, EVENTS, MAXEV, only(waitMsArb), WOPT(1)] },
  epoll_pwait: { keep: 4, params: [FD, EVENTS, MAXEV, only(waitMsArb), mix(sigmaskArb(1)), WOPT(1)] },
  epoll_pwait2: { keep: 4, params: [FD, EVENTS, MAXEV, only(tmoArb('timespec')), mix(sigmaskArb(1, 3)), WOPT(1, 3)] },
  // eventfd.ts
  sigset_t: { ctor: true, params: [mix(bufArb)] },
  itimerspec: { ctor: true, params: [mix(bufArb)] },
  signalfd_siginfo: { ctor: true, params: [mix(bufArb)] },
  sigemptyset: { params: [SIGSET] },
  sigfillset: { params: [SIGSET] },
  sigaddset: { params: [SIGSET, SIGNUM] },
  sigdelset: { params: [SIGSET, SIGNUM] },
  sigismember: { params: [SIGSET, SIGNUM] },
  sigprocmask: { params: [HOWSIG, SIGSET, SIGSET] },
  pthread_sigmask: { params: [HOWSIG, SIGSET, SIGSET] },
  signalfd: { params: [mix(fc.oneof(poolFd, fc.constant<R>({ k: 'v', v: -1 }))), SIGSET, N(0, S.SFD_NONBLOCK, S.SFD_CLOEXEC, 1)] },
  eventfd: { params: [N(0, 1, 0xffffffff), N(0, S.EFD_NONBLOCK, S.EFD_SEMAPHORE | S.EFD_NONBLOCK, 1)] },
  eventfd_read: { params: [FD, U64OUT] },
  eventfd_write: { params: [FD, mix(fc.constantFrom<R>({ k: 'v', v: 1 }, { k: 'v', v: 1n }, { k: 'v', v: 2n ** 64n - 1n }, { k: 'v', v: 2n ** 64n }), bigArb)] },
  timerfd_create: { params: [N(S.CLOCK_MONOTONIC, S.CLOCK_REALTIME, S.CLOCK_BOOTTIME, 99), N(0, S.TFD_NONBLOCK, 1)] },
  timerfd_settime: { params: [FD, N(0, S.TFD_TIMER_ABSTIME, 7), ITS, ITS] },
  timerfd_gettime: { params: [FD, ITS] },
  gettid: { params: [] },
  tgkill: { params: [PID, PID, SAFE_SIG] },
  threadsNotBlocking: { params: [N(1, S.SIGUSR1, S.SIGTERM, 64, 65, 0)] },
  // routeSignals/unrouteSignals get only SIGSET: the empty set (or a rejected value), so
  // nothing is ever blocked or routed and the watchdog's SIGUSR2 keeps reaching its listener.
  routeSignals: { params: [SIGSET, SIGSET] },
  unrouteSignals: { params: [SIGSET] },
  // msg.ts
  iovec: { ctor: true, params: [mix(bufArb)] },
  'iovec.array': { params: [N(0, 1, 4, 1024, 1025, 1e8)] },
  readv: { params: [FD, IOVS, N(0, 1, 2, 3, 1024, 1025)] },
  writev: { params: [FD, IOVS, N(0, 1, 2, 3, 1024, 1025)] },
  msghdr: { ctor: true, params: [] },
  sendmsg: { params: [FD, MSGH, MSG] },
  recvmsg: { params: [FD, MSGH, MSG] },
  mmsghdr: { ctor: true, params: [] },
  'mmsghdr.array': { params: [N(0, 1, 4, 1024, 1e8)] },
  sendmmsg: { params: [FD, MMSG, VLEN, MMSG_FLAGS] },
  recvmmsg: { params: [FD, MMSG, VLEN, MMSG_FLAGS, only(tmoArb('timespec'))] },
  cmsghdr: { ctor: true, params: [mix(bufArb)] },
  CMSG_SPACE: { params: [N(0, 4, 12, 1 << 30, 2 ** 31)] },
  CMSG_LEN: { params: [N(0, 4, 12, 1 << 30, 2 ** 31)] },
  CMSG_FIRSTHDR: { params: [MSGH] },
  CMSG_NXTHDR: { params: [MSGH, CMSG] },
  CMSG_DATA: { params: [CMSG] },
  scmRights: { params: [CMSG] },
  in_pktinfo: { ctor: true, params: [mix(bufArb)] },
  in6_pktinfo: { ctor: true, params: [mix(bufArb)] },
  // uring.ts
  io_uring_params: { ctor: true, params: [mix(bufArb)] },
  io_sqring_offsets: { ctor: true, params: [mix(bufArb)] },
  io_cqring_offsets: { ctor: true, params: [mix(bufArb)] },
  io_uring_sqe: { ctor: true, params: [mix(bufArb)] },
  io_uring_cqe: { ctor: true, params: [mix(bufArb)] },
  io_uring_setup: { params: [N(1, 2, 4, 0, 32768, 32769), URING_PARAMS] },
  io_uring_enter: { keep: 3, params: [RING, N(0, 1, 4, 5), MIN_COMPLETE, N(0, S.IORING_ENTER_GETEVENTS, S.IORING_ENTER_SQ_WAKEUP)] },
  io_uring_register: { params: [RING, N(S.IORING_REGISTER_PROBE, S.IORING_REGISTER_EVENTFD, S.IORING_UNREGISTER_EVENTFD, 0, 1000),
    mix(fc.oneof(bufArb, fc.constant<R>({ k: 'v', v: null }))), N(0, 1, 2, 256, 257)] },
  io_uring_mmap: { params: [RING, N(S.IORING_OFF_SQ_RING, S.IORING_OFF_CQ_RING, S.IORING_OFF_SQES, 1)] },
  io_uring_get_sqe: { params: [RING] },
  io_uring_sqe_set_data64: { params: [SQE_P, U64] },
  io_uring_prep_nop: { params: [SQE_P] },
  io_uring_prep_recv: { params: [SQE_P, FD, BUF, LEN, MSG] },
  io_uring_prep_send: { params: [SQE_P, FD, BUF, LEN, MSG] },
  io_uring_prep_poll_add: { params: [SQE_P, FD, POLLMASK] },
  io_uring_prep_poll_multishot: { params: [SQE_P, FD, POLLMASK] },
  io_uring_prep_poll_remove: { params: [SQE_P, U64] },
  io_uring_prep_accept: { params: [SQE_P, FD, OPT_SA, mix(fc.constant<R>({ k: 'v', v: null })), N(0, S.SOCK_NONBLOCK, -1)] },
  io_uring_prep_timeout: { params: [SQE_P, mix(fc.constant<R>({ k: 'tmo', s: 'timespec', sec: 0, frac: 1000 }), structArb), N(0, 1), N(0, S.IORING_TIMEOUT_ABS, 99)] },
  // netns.ts
  unshare: { params: [UNSHARE_FLAGS] },
  setns: { params: [FD, NSTYPE] },
  nlmsghdr: { ctor: true, params: [mix(bufArb)] },
  nlmsgerr: { ctor: true, params: [mix(bufArb)] },
  rtattr: { ctor: true, params: [mix(bufArb)] },
  ifinfomsg: { ctor: true, params: [mix(bufArb)] },
  ifaddrmsg: { ctor: true, params: [mix(bufArb)] },
  rtmsg: { ctor: true, params: [mix(bufArb)] },
  tcmsg: { ctor: true, params: [mix(bufArb)] },
  tc_ratespec: { ctor: true, params: [mix(bufArb)] },
  tc_tbf_qopt: { ctor: true, params: [mix(bufArb)] },
  NLMSG_ALIGN: { params: [NLLEN] },
  NLMSG_LENGTH: { params: [NLLEN] },
  NLMSG_SPACE: { params: [NLLEN] },
  NLMSG_DATA: { params: [NLH] },
  NLMSG_OK: { params: [OPT_NLH, NLLEN] },
  NLMSG_NEXT: { params: [NLH, LENBOX] },
  NLMSG_PAYLOAD: { params: [NLH, NLLEN] },
  RTA_ALIGN: { params: [NLLEN] },
  RTA_LENGTH: { params: [NLLEN] },
  RTA_SPACE: { params: [NLLEN] },
  RTA_DATA: { params: [RTA] },
  RTA_PAYLOAD: { params: [RTA] },
  RTA_OK: { params: [OPT_RTA, NLLEN] },
  RTA_NEXT: { params: [RTA, LENBOX] },
  nlmsgError: { params: [NLH, STR] },
  // async.ts: pending waits are cancelled when the run closes its pool through close().
  readable: { async: true, params: [FD, WOPT(0)] },
  writable: { async: true, params: [FD, WOPT(0)] },
  recvAsync: { async: true, params: [FD, BUF, LEN, MSG, OFF, WOPT(1)] },
  sendAsync: { async: true, params: [FD, BUF, LEN, MSG, OFF, WOPT(1)] },
  sendAllAsync: { async: true, params: [FD, BUF, LEN, MSG, OFF, WOPT(1)] },
  acceptAsync: { async: true, params: [FD, OPT_SA, ADDRLEN, WOPT(1)] },
  accept4Async: { async: true, params: [FD, OPT_SA, ADDRLEN, N(0, S.SOCK_NONBLOCK), WOPT(1)] },
  connectAsync: { async: true, params: [FD, SA, ADDRLEN, WOPT(1)] },
  sendmsgAsync: { async: true, params: [FD, MSGH, MSG, WOPT(1)] },
  recvmsgAsync: { async: true, params: [FD, MSGH, MSG, WOPT(1)] },
  epollWaitAsync: { async: true, params: [FD, EVENTS, MAXEV, N(-1, 0, 1, 5), WOPT(1)] },
};
