// setsockopt, getsockopt, fcntl — man 2 setsockopt, man 7 socket, man 7 tcp, man 7 ip,
// man 7 ipv6, man 2 fcntl. The typed option structs tcp_info (TCP_INFO), ip_mreqn
// (IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_IF) and ipv6_mreq (IPV6_JOIN_GROUP,
// IPV6_LEAVE_GROUP) live here; ucred (SO_PEERCRED) lives in ucred.ts, shared with the msg
// family. Layouts come from the addon (native/sockopt.cc).
import { binding, type Bytes } from './binding';
import { checkArgc, checkFd, checkInt, invalidType } from './check';
import { in6_addr, in_addr, socklen_t } from './sockaddr';
import { LE, Struct, isStruct, receiverError } from './struct';

// setsockopt and getsockopt check their count, fd and optval here (a struct is passed as
// its bytes); fcntl is the addon's function itself, which checks its arguments.
const OPT_PARAMS = ['fd', 'level', 'optname', 'optval', 'optlen'] as const;

/** An optlen argument: a number, or a socklen_t (getsockopt stores the kernel's length in it). */
export type Optlen = number | socklen_t;

/**
 * The number inside an optlen argument. A socklen_t's `value` must be a writable data
 * property: it is read without running a getter, and the write-back after getsockopt then
 * cannot fail. Anything else goes to the addon, which checks it.
 */
function optlenArg(fn: string, optlen: unknown): unknown {
  if (!(optlen instanceof socklen_t)) return optlen;
  const d = Object.getOwnPropertyDescriptor(optlen, 'value');
  if (d === undefined || !('value' in d) || d.writable !== true) {
    throw invalidType(fn, 'optlen', 'a socklen_t with a writable value', optlen);
  }
  return checkInt(fn, 'optlen', d.value, 0, 0xffffffff);
}

/** Records the length getsockopt returned in a tcp_info (internal: set in its class body). */
let setTcpInfoLen: (s: tcp_info, n: number) => void;
let isTcpInfo: (o: unknown) => o is tcp_info;

/**
 * setsockopt(fd, level, optname, optval, optlen?) — optval is a number for int options, a
 * struct (linger, timeval, ip_mreqn, ipv6_mreq, ...) or a buffer for the others; optlen (a
 * number or a socklen_t) defaults to its size. Returns 0.
 */
export function setsockopt(fd: number, level: number, optname: number, optval: number | Struct | Bytes, optlen?: Optlen): number {
  checkArgc('setsockopt', arguments.length, 4, OPT_PARAMS);
  checkFd('setsockopt', 'fd', fd);
  const len = optlenArg('setsockopt', optlen) as number | undefined;
  if (isStruct(optval)) return binding.setsockopt(fd, level, optname, optval.bytes, len);
  return binding.setsockopt(fd, level, optname, optval, len);
}

/**
 * getsockopt(fd, level, optname) — the value of an int option.
 * getsockopt(fd, level, optname, optval, optlen?) — fills a struct (linger, timeval, ucred,
 * tcp_info, ...) or buffer and returns the length the kernel wrote. `optlen` is C's
 * `socklen_t *`: a socklen_t's value is the capacity in and the kernel's length out (a
 * number is the capacity only); without it the capacity is the whole struct or buffer. A
 * tcp_info also records the length (`tcp_info.optlen`): fields past it read undefined.
 */
export function getsockopt(fd: number, level: number, optname: number): number;
export function getsockopt(fd: number, level: number, optname: number, optval: Struct | Bytes, optlen?: Optlen): number;
export function getsockopt(fd: number, level: number, optname: number, optval?: Struct | Bytes, optlen?: Optlen): number {
  checkArgc('getsockopt', arguments.length, 3, OPT_PARAMS);
  checkFd('getsockopt', 'fd', fd);
  if (optval === undefined) {
    if (optlen !== undefined) throw invalidType('getsockopt', 'optlen', 'undefined without an optval', optlen);
    return binding.getsockopt(fd, level, optname);
  }
  const len = optlenArg('getsockopt', optlen) as number | undefined;
  let n: number;
  if (isStruct(optval)) {
    n = binding.getsockopt(fd, level, optname, optval.bytes, len);
    if (isTcpInfo(optval)) setTcpInfoLen(optval, n);
  } else if (ArrayBuffer.isView(optval) || optval instanceof ArrayBuffer) {
    n = binding.getsockopt(fd, level, optname, optval, len);
  } else {
    throw invalidType('getsockopt', 'optval', 'a struct, an ArrayBufferView or an ArrayBuffer', optval);
  }
  if (optlen instanceof socklen_t) optlen.value = n;
  return n;
}

/** fcntl(fd, cmd, arg?) — F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD, F_DUPFD_CLOEXEC. */
export const fcntl: (fd: number, cmd: number, arg?: number) => number = binding.fcntl;

// ---------------------------------------------------------------------------------------
// struct tcp_info

const TI = binding.layout.tcp_info;

/**
 * struct tcp_info — man 7 tcp, TCP_INFO: `getsockopt(fd, IPPROTO_TCP, TCP_INFO, info)`.
 * Fields keep their C names and widths: __u8 and __u32 fields are numbers, __u64 fields
 * (tcpi_bytes_*) are bigints. The kernel writes as much of the struct as it knows (an older
 * kernel writes less), and getsockopt records that length in `optlen`: a field that does
 * not lie wholly inside it reads `undefined`, never a stale or zero byte. A new tcp_info
 * has optlen 0 (every field undefined); one made over `bytes` has optlen = sizeof.
 */
export class tcp_info extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The length the kernel returned (getsockopt's optlen). */
  #len: number;
  static {
    setTcpInfoLen = (s: tcp_info, n: number) => {
      s.#len = n;
    };
    isTcpInfo = (o: unknown): o is tcp_info => typeof o === 'object' && o !== null && #brand in o;
  }
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('tcp_info', member, o);
  }
  /** A zeroed tcp_info (optlen 0), or a view over `bytes` (optlen = sizeof). */
  constructor(bytes?: Uint8Array) {
    checkArgc('tcp_info', arguments.length, 0, ['bytes']);
    super(TI.size, bytes);
    this.#len = bytes === undefined ? 0 : TI.size;
  }
  /** The number of valid bytes: what getsockopt's optlen returned (set it after a raw fill). */
  get optlen(): number {
    tcp_info.#check(this, 'optlen');
    return this.#len;
  }
  set optlen(v: number) {
    tcp_info.#check(this, 'optlen');
    this.#len = checkInt('tcp_info', 'optlen', v, 0, TI.size);
  }
  static #u8(s: tcp_info, f: keyof typeof TI): number | undefined {
    tcp_info.#check(s, f);
    const off = TI[f];
    return off + 1 <= s.#len ? s.view.getUint8(off) : undefined;
  }
  static #u32(s: tcp_info, f: keyof typeof TI): number | undefined {
    tcp_info.#check(s, f);
    const off = TI[f];
    return off + 4 <= s.#len ? s.view.getUint32(off, LE) : undefined;
  }
  static #u64(s: tcp_info, f: keyof typeof TI): bigint | undefined {
    tcp_info.#check(s, f);
    const off = TI[f];
    return off + 8 <= s.#len ? s.view.getBigUint64(off, LE) : undefined;
  }
  /** TCP state: TCP_ESTABLISHED, TCP_LISTEN, ... */
  get tcpi_state(): number | undefined { return tcp_info.#u8(this, 'tcpi_state'); }
  /** Congestion-avoidance state. */
  get tcpi_ca_state(): number | undefined { return tcp_info.#u8(this, 'tcpi_ca_state'); }
  /** Retransmits of the current segment without an ACK. */
  get tcpi_retransmits(): number | undefined { return tcp_info.#u8(this, 'tcpi_retransmits'); }
  /** Zero-window probes sent without an answer. */
  get tcpi_probes(): number | undefined { return tcp_info.#u8(this, 'tcpi_probes'); }
  /** Exponential backoff of the retransmit timer. */
  get tcpi_backoff(): number | undefined { return tcp_info.#u8(this, 'tcpi_backoff'); }
  /** TCPI_OPT_* bits negotiated (timestamps, SACK, window scaling, ECN). */
  get tcpi_options(): number | undefined { return tcp_info.#u8(this, 'tcpi_options'); }
  /** Retransmission timeout, µs. */
  get tcpi_rto(): number | undefined { return tcp_info.#u32(this, 'tcpi_rto'); }
  /** Delayed-ACK timeout, µs. */
  get tcpi_ato(): number | undefined { return tcp_info.#u32(this, 'tcpi_ato'); }
  /** Send MSS. */
  get tcpi_snd_mss(): number | undefined { return tcp_info.#u32(this, 'tcpi_snd_mss'); }
  /** Receive MSS estimate. */
  get tcpi_rcv_mss(): number | undefined { return tcp_info.#u32(this, 'tcpi_rcv_mss'); }
  /** Segments sent and not yet acknowledged. */
  get tcpi_unacked(): number | undefined { return tcp_info.#u32(this, 'tcpi_unacked'); }
  /** Segments SACKed by the peer. */
  get tcpi_sacked(): number | undefined { return tcp_info.#u32(this, 'tcpi_sacked'); }
  /** Segments presumed lost. */
  get tcpi_lost(): number | undefined { return tcp_info.#u32(this, 'tcpi_lost'); }
  /** Segments retransmitted and not yet acknowledged. */
  get tcpi_retrans(): number | undefined { return tcp_info.#u32(this, 'tcpi_retrans'); }
  /** Path MTU. */
  get tcpi_pmtu(): number | undefined { return tcp_info.#u32(this, 'tcpi_pmtu'); }
  /** Receive slow-start threshold. */
  get tcpi_rcv_ssthresh(): number | undefined { return tcp_info.#u32(this, 'tcpi_rcv_ssthresh'); }
  /** Smoothed round-trip time, µs. */
  get tcpi_rtt(): number | undefined { return tcp_info.#u32(this, 'tcpi_rtt'); }
  /** Round-trip time variance, µs. */
  get tcpi_rttvar(): number | undefined { return tcp_info.#u32(this, 'tcpi_rttvar'); }
  /** Send slow-start threshold. */
  get tcpi_snd_ssthresh(): number | undefined { return tcp_info.#u32(this, 'tcpi_snd_ssthresh'); }
  /** Congestion window, segments. */
  get tcpi_snd_cwnd(): number | undefined { return tcp_info.#u32(this, 'tcpi_snd_cwnd'); }
  /** Advertised MSS. */
  get tcpi_advmss(): number | undefined { return tcp_info.#u32(this, 'tcpi_advmss'); }
  /** Reordering metric. */
  get tcpi_reordering(): number | undefined { return tcp_info.#u32(this, 'tcpi_reordering'); }
  /** Retransmitted segments over the connection's life. */
  get tcpi_total_retrans(): number | undefined { return tcp_info.#u32(this, 'tcpi_total_retrans'); }
  /** Bytes the peer acknowledged (RFC 4898 tcpEStatsAppHCThruOctetsAcked). */
  get tcpi_bytes_acked(): bigint | undefined { return tcp_info.#u64(this, 'tcpi_bytes_acked'); }
  /** Bytes received and acknowledged (RFC 4898 tcpEStatsAppHCThruOctetsReceived). */
  get tcpi_bytes_received(): bigint | undefined { return tcp_info.#u64(this, 'tcpi_bytes_received'); }
  /** Segments sent. */
  get tcpi_segs_out(): number | undefined { return tcp_info.#u32(this, 'tcpi_segs_out'); }
  /** Segments received. */
  get tcpi_segs_in(): number | undefined { return tcp_info.#u32(this, 'tcpi_segs_in'); }
  /** Bytes sent, retransmissions included (RFC 4898 tcpEStatsPerfHCDataOctetsOut). */
  get tcpi_bytes_sent(): bigint | undefined { return tcp_info.#u64(this, 'tcpi_bytes_sent'); }
}

// ---------------------------------------------------------------------------------------
// Multicast membership: struct ip_mreqn, struct ipv6_mreq

const MR = binding.layout.ip_mreqn;
const MR6 = binding.layout.ipv6_mreq;

/**
 * struct ip_mreqn — man 7 ip: IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (and IP_MULTICAST_IF).
 * `imr_multiaddr` is the group, `imr_address` a local address (INADDR_ANY for any), both
 * in_addr views into this struct in network byte order; `imr_ifindex` the interface index
 * (if_nametoindex; 0 for any).
 */
export class ip_mreqn extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('ip_mreqn', member, o);
  }
  /** The multicast group (a view into this struct). */
  readonly imr_multiaddr: in_addr;
  /** The local address of the interface, or INADDR_ANY (a view into this struct). */
  readonly imr_address: in_addr;
  /** A zeroed ip_mreqn, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('ip_mreqn', arguments.length, 0, ['bytes']);
    super(MR.size, bytes);
    this.imr_multiaddr = new in_addr(this.bytes.subarray(MR.imr_multiaddr, MR.imr_multiaddr + 4));
    this.imr_address = new in_addr(this.bytes.subarray(MR.imr_address, MR.imr_address + 4));
  }
  /** Interface index (int); 0 lets the kernel choose. */
  get imr_ifindex(): number {
    ip_mreqn.#check(this, 'imr_ifindex');
    return this.view.getInt32(MR.imr_ifindex, LE);
  }
  set imr_ifindex(v: number) {
    ip_mreqn.#check(this, 'imr_ifindex');
    this.view.setInt32(MR.imr_ifindex, checkInt('ip_mreqn', 'imr_ifindex', v, -(2 ** 31), 2 ** 31 - 1), LE);
  }
}

/**
 * struct ipv6_mreq — man 7 ipv6: IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP. `ipv6mr_multiaddr` is
 * the group (an in6_addr view into this struct), `ipv6mr_interface` the interface index.
 */
export class ipv6_mreq extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('ipv6_mreq', member, o);
  }
  /** The multicast group (a view into this struct). */
  readonly ipv6mr_multiaddr: in6_addr;
  /** A zeroed ipv6_mreq, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('ipv6_mreq', arguments.length, 0, ['bytes']);
    super(MR6.size, bytes);
    this.ipv6mr_multiaddr = new in6_addr(this.bytes.subarray(MR6.ipv6mr_multiaddr, MR6.ipv6mr_multiaddr + 16));
  }
  /** Interface index (unsigned int); 0 lets the kernel choose. */
  get ipv6mr_interface(): number {
    ipv6_mreq.#check(this, 'ipv6mr_interface');
    return this.view.getUint32(MR6.ipv6mr_interface, LE);
  }
  set ipv6mr_interface(v: number) {
    ipv6_mreq.#check(this, 'ipv6mr_interface');
    this.view.setUint32(MR6.ipv6mr_interface, checkInt('ipv6_mreq', 'ipv6mr_interface', v, 0, 0xffffffff), LE);
  }
}
