// The netns family — man 2 unshare, man 2 setns, man 7 netlink, man 7 rtnetlink, man 3 netlink,
// man 3 rtnetlink: the two namespace syscalls, the rtnetlink structs as classes over one buffer
// (layouts from native/netns.cc), and the NLMSG_* / RTA_* macros as in C.
//
// unshare and setns move the calling THREAD, not the process. In Node that means:
//  - call them on a worker_thread (sockfd/testnet does), never on the main thread of a program
//    that also uses node:net, dns or fs: the libuv threadpool (dns.lookup, fs, crypto) and
//    every socket the main thread already made stay in the namespace they started in, and
//    sockets the main thread makes afterwards would silently be in the new one;
//  - a socket belongs to the namespace of the thread that created it, for its whole life; its
//    fd number is process-wide, so any thread may use it afterwards;
//  - unshare(CLONE_NEWUSER) and unshare(CLONE_NEWNS) fail with EINVAL in a multi-threaded
//    process (every Node process): CLONE_NEWNET, CLONE_NEWUTS and CLONE_NEWIPC are the useful ones.
//
// Netlink is an ordinary socket: socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
// bind(fd, new sockaddr_nl()), sendto/recv of a Uint8Array that holds the messages.
import { binding } from './binding';
import { NLMSG_ALIGNTO, NLMSG_ERROR, NLMSG_HDRLEN, RTA_ALIGNTO } from './constants';
import { checkArgc, checkInt, invalidType, outOfRange } from './check';
import { ErrnoError } from './errors';
import { LE, Struct, receiverError } from './struct';

const L = binding.layout;
const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;
const I32 = 2 ** 31 - 1;
let isNlmsghdr: (o: unknown) => o is nlmsghdr;
let isRtattr: (o: unknown) => o is rtattr;

/** unshare(flags) — moves the calling thread into new namespaces (CLONE_NEWNET, ...). Returns 0; EPERM without CAP_SYS_ADMIN, EINVAL for a flag this process cannot unshare. Calling thread only: use a worker_thread. */
export const unshare: (flags: number) => number = binding.unshare;

/** setns(fd, nstype) — moves the calling thread into the namespace `fd` names (/proc/<pid>/task/<tid>/ns/net); nstype 0 or CLONE_NEWNET. Returns 0; EINVAL if fd is not such a namespace, EPERM without CAP_SYS_ADMIN. Calling thread only. */
export const setns: (fd: number, nstype: number) => number = binding.setns;

// ---------------------------------------------------------------------------------------
// Structs. Each is a zeroed struct of sizeof bytes, or a view over `bytes` (a message buffer).

/** struct nlmsghdr — the header of every netlink message (man 7 netlink). */
export class nlmsghdr extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('nlmsghdr', member, o);
  }
  static {
    isNlmsghdr = (o: unknown): o is nlmsghdr => typeof o === 'object' && o !== null && #brand in o;
  }
  /** A zeroed nlmsghdr, or a view over the first sizeof bytes of `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('nlmsghdr', arguments.length, 0, ['bytes']);
    super(L.nlmsghdr.size, bytes);
  }
  /** Length of the message, header included (__u32). */
  get nlmsg_len(): number { nlmsghdr.#check(this, 'nlmsg_len'); return this.view.getUint32(L.nlmsghdr.nlmsg_len, LE); }
  set nlmsg_len(v: number) { nlmsghdr.#check(this, 'nlmsg_len'); this.view.setUint32(L.nlmsghdr.nlmsg_len, checkInt('nlmsghdr', 'nlmsg_len', v, 0, U32), LE); }
  /** Message type: RTM_NEWLINK, NLMSG_ERROR, ... (__u16). */
  get nlmsg_type(): number { nlmsghdr.#check(this, 'nlmsg_type'); return this.view.getUint16(L.nlmsghdr.nlmsg_type, LE); }
  set nlmsg_type(v: number) { nlmsghdr.#check(this, 'nlmsg_type'); this.view.setUint16(L.nlmsghdr.nlmsg_type, checkInt('nlmsghdr', 'nlmsg_type', v, 0, U16), LE); }
  /** NLM_F_* flags (__u16). */
  get nlmsg_flags(): number { nlmsghdr.#check(this, 'nlmsg_flags'); return this.view.getUint16(L.nlmsghdr.nlmsg_flags, LE); }
  set nlmsg_flags(v: number) { nlmsghdr.#check(this, 'nlmsg_flags'); this.view.setUint16(L.nlmsghdr.nlmsg_flags, checkInt('nlmsghdr', 'nlmsg_flags', v, 0, U16), LE); }
  /** Sequence number (__u32). */
  get nlmsg_seq(): number { nlmsghdr.#check(this, 'nlmsg_seq'); return this.view.getUint32(L.nlmsghdr.nlmsg_seq, LE); }
  set nlmsg_seq(v: number) { nlmsghdr.#check(this, 'nlmsg_seq'); this.view.setUint32(L.nlmsghdr.nlmsg_seq, checkInt('nlmsghdr', 'nlmsg_seq', v, 0, U32), LE); }
  /** Sending port id (__u32). */
  get nlmsg_pid(): number { nlmsghdr.#check(this, 'nlmsg_pid'); return this.view.getUint32(L.nlmsghdr.nlmsg_pid, LE); }
  set nlmsg_pid(v: number) { nlmsghdr.#check(this, 'nlmsg_pid'); this.view.setUint32(L.nlmsghdr.nlmsg_pid, checkInt('nlmsghdr', 'nlmsg_pid', v, 0, U32), LE); }
}

/** struct nlmsgerr — the payload of NLMSG_ERROR: `error` is 0 (an ACK) or a negative errno. */
export class nlmsgerr extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('nlmsgerr', member, o);
  }
  /** The header of the request this answers (a view into this struct). */
  readonly msg: nlmsghdr;
  /** A zeroed nlmsgerr, or a view over `bytes` (NLMSG_DATA of an NLMSG_ERROR message). */
  constructor(bytes?: Uint8Array) {
    checkArgc('nlmsgerr', arguments.length, 0, ['bytes']);
    super(L.nlmsgerr.size, bytes);
    this.msg = new nlmsghdr(this.bytes.subarray(L.nlmsgerr.msg));
  }
  /** 0 for an ACK, else the negative errno (int). */
  get error(): number { nlmsgerr.#check(this, 'error'); return this.view.getInt32(L.nlmsgerr.error, LE); }
  set error(v: number) { nlmsgerr.#check(this, 'error'); this.view.setInt32(L.nlmsgerr.error, checkInt('nlmsgerr', 'error', v, -I32 - 1, I32), LE); }
}

/** struct rtattr — a routing attribute: length, type, then RTA_DATA (man 3 rtnetlink). */
export class rtattr extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('rtattr', member, o);
  }
  static {
    isRtattr = (o: unknown): o is rtattr => typeof o === 'object' && o !== null && #brand in o;
  }
  /** A zeroed rtattr, or a view over the first sizeof bytes of `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('rtattr', arguments.length, 0, ['bytes']);
    super(L.rtattr.size, bytes);
  }
  /** Length of the attribute, header included (unsigned short). */
  get rta_len(): number { rtattr.#check(this, 'rta_len'); return this.view.getUint16(L.rtattr.rta_len, LE); }
  set rta_len(v: number) { rtattr.#check(this, 'rta_len'); this.view.setUint16(L.rtattr.rta_len, checkInt('rtattr', 'rta_len', v, 0, U16), LE); }
  /** Attribute type: IFLA_*, IFA_*, RTA_*, TCA_* (unsigned short). */
  get rta_type(): number { rtattr.#check(this, 'rta_type'); return this.view.getUint16(L.rtattr.rta_type, LE); }
  set rta_type(v: number) { rtattr.#check(this, 'rta_type'); this.view.setUint16(L.rtattr.rta_type, checkInt('rtattr', 'rta_type', v, 0, U16), LE); }
}

/** struct ifinfomsg — the body of RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK. */
export class ifinfomsg extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('ifinfomsg', member, o);
  }
  /** A zeroed ifinfomsg, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('ifinfomsg', arguments.length, 0, ['bytes']);
    super(L.ifinfomsg.size, bytes);
  }
  /** AF_UNSPEC (unsigned char). */
  get ifi_family(): number { ifinfomsg.#check(this, 'ifi_family'); return this.view.getUint8(L.ifinfomsg.ifi_family); }
  set ifi_family(v: number) { ifinfomsg.#check(this, 'ifi_family'); this.view.setUint8(L.ifinfomsg.ifi_family, checkInt('ifinfomsg', 'ifi_family', v, 0, U8)); }
  /** Device type, ARPHRD_* (unsigned short). */
  get ifi_type(): number { ifinfomsg.#check(this, 'ifi_type'); return this.view.getUint16(L.ifinfomsg.ifi_type, LE); }
  set ifi_type(v: number) { ifinfomsg.#check(this, 'ifi_type'); this.view.setUint16(L.ifinfomsg.ifi_type, checkInt('ifinfomsg', 'ifi_type', v, 0, U16), LE); }
  /** Interface index (int). */
  get ifi_index(): number { ifinfomsg.#check(this, 'ifi_index'); return this.view.getInt32(L.ifinfomsg.ifi_index, LE); }
  set ifi_index(v: number) { ifinfomsg.#check(this, 'ifi_index'); this.view.setInt32(L.ifinfomsg.ifi_index, checkInt('ifinfomsg', 'ifi_index', v, -I32 - 1, I32), LE); }
  /** IFF_* device flags (unsigned int). */
  get ifi_flags(): number { ifinfomsg.#check(this, 'ifi_flags'); return this.view.getUint32(L.ifinfomsg.ifi_flags, LE); }
  set ifi_flags(v: number) { ifinfomsg.#check(this, 'ifi_flags'); this.view.setUint32(L.ifinfomsg.ifi_flags, checkInt('ifinfomsg', 'ifi_flags', v, 0, U32), LE); }
  /** Which ifi_flags bits to change (unsigned int). */
  get ifi_change(): number { ifinfomsg.#check(this, 'ifi_change'); return this.view.getUint32(L.ifinfomsg.ifi_change, LE); }
  set ifi_change(v: number) { ifinfomsg.#check(this, 'ifi_change'); this.view.setUint32(L.ifinfomsg.ifi_change, checkInt('ifinfomsg', 'ifi_change', v, 0, U32), LE); }
}

/** struct ifaddrmsg — the body of RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR. */
export class ifaddrmsg extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('ifaddrmsg', member, o);
  }
  /** A zeroed ifaddrmsg, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('ifaddrmsg', arguments.length, 0, ['bytes']);
    super(L.ifaddrmsg.size, bytes);
  }
  /** AF_INET or AF_INET6 (__u8). */
  get ifa_family(): number { ifaddrmsg.#check(this, 'ifa_family'); return this.view.getUint8(L.ifaddrmsg.ifa_family); }
  set ifa_family(v: number) { ifaddrmsg.#check(this, 'ifa_family'); this.view.setUint8(L.ifaddrmsg.ifa_family, checkInt('ifaddrmsg', 'ifa_family', v, 0, U8)); }
  /** Prefix length (__u8). */
  get ifa_prefixlen(): number { ifaddrmsg.#check(this, 'ifa_prefixlen'); return this.view.getUint8(L.ifaddrmsg.ifa_prefixlen); }
  set ifa_prefixlen(v: number) { ifaddrmsg.#check(this, 'ifa_prefixlen'); this.view.setUint8(L.ifaddrmsg.ifa_prefixlen, checkInt('ifaddrmsg', 'ifa_prefixlen', v, 0, U8)); }
  /** IFA_F_* flags (__u8). */
  get ifa_flags(): number { ifaddrmsg.#check(this, 'ifa_flags'); return this.view.getUint8(L.ifaddrmsg.ifa_flags); }
  set ifa_flags(v: number) { ifaddrmsg.#check(this, 'ifa_flags'); this.view.setUint8(L.ifaddrmsg.ifa_flags, checkInt('ifaddrmsg', 'ifa_flags', v, 0, U8)); }
  /** RT_SCOPE_* (__u8). */
  get ifa_scope(): number { ifaddrmsg.#check(this, 'ifa_scope'); return this.view.getUint8(L.ifaddrmsg.ifa_scope); }
  set ifa_scope(v: number) { ifaddrmsg.#check(this, 'ifa_scope'); this.view.setUint8(L.ifaddrmsg.ifa_scope, checkInt('ifaddrmsg', 'ifa_scope', v, 0, U8)); }
  /** Interface index (__u32). */
  get ifa_index(): number { ifaddrmsg.#check(this, 'ifa_index'); return this.view.getUint32(L.ifaddrmsg.ifa_index, LE); }
  set ifa_index(v: number) { ifaddrmsg.#check(this, 'ifa_index'); this.view.setUint32(L.ifaddrmsg.ifa_index, checkInt('ifaddrmsg', 'ifa_index', v, 0, U32), LE); }
}

/** struct rtmsg — the body of RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE. */
export class rtmsg extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('rtmsg', member, o);
  }
  /** A zeroed rtmsg, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('rtmsg', arguments.length, 0, ['bytes']);
    super(L.rtmsg.size, bytes);
  }
  /** AF_INET or AF_INET6 (unsigned char). */
  get rtm_family(): number { rtmsg.#check(this, 'rtm_family'); return this.view.getUint8(L.rtmsg.rtm_family); }
  set rtm_family(v: number) { rtmsg.#check(this, 'rtm_family'); this.view.setUint8(L.rtmsg.rtm_family, checkInt('rtmsg', 'rtm_family', v, 0, U8)); }
  /** Destination prefix length (unsigned char). */
  get rtm_dst_len(): number { rtmsg.#check(this, 'rtm_dst_len'); return this.view.getUint8(L.rtmsg.rtm_dst_len); }
  set rtm_dst_len(v: number) { rtmsg.#check(this, 'rtm_dst_len'); this.view.setUint8(L.rtmsg.rtm_dst_len, checkInt('rtmsg', 'rtm_dst_len', v, 0, U8)); }
  /** Source prefix length (unsigned char). */
  get rtm_src_len(): number { rtmsg.#check(this, 'rtm_src_len'); return this.view.getUint8(L.rtmsg.rtm_src_len); }
  set rtm_src_len(v: number) { rtmsg.#check(this, 'rtm_src_len'); this.view.setUint8(L.rtmsg.rtm_src_len, checkInt('rtmsg', 'rtm_src_len', v, 0, U8)); }
  /** TOS filter (unsigned char). */
  get rtm_tos(): number { rtmsg.#check(this, 'rtm_tos'); return this.view.getUint8(L.rtmsg.rtm_tos); }
  set rtm_tos(v: number) { rtmsg.#check(this, 'rtm_tos'); this.view.setUint8(L.rtmsg.rtm_tos, checkInt('rtmsg', 'rtm_tos', v, 0, U8)); }
  /** Routing table, RT_TABLE_* (unsigned char). */
  get rtm_table(): number { rtmsg.#check(this, 'rtm_table'); return this.view.getUint8(L.rtmsg.rtm_table); }
  set rtm_table(v: number) { rtmsg.#check(this, 'rtm_table'); this.view.setUint8(L.rtmsg.rtm_table, checkInt('rtmsg', 'rtm_table', v, 0, U8)); }
  /** Routing protocol, RTPROT_* (unsigned char). */
  get rtm_protocol(): number { rtmsg.#check(this, 'rtm_protocol'); return this.view.getUint8(L.rtmsg.rtm_protocol); }
  set rtm_protocol(v: number) { rtmsg.#check(this, 'rtm_protocol'); this.view.setUint8(L.rtmsg.rtm_protocol, checkInt('rtmsg', 'rtm_protocol', v, 0, U8)); }
  /** RT_SCOPE_* (unsigned char). */
  get rtm_scope(): number { rtmsg.#check(this, 'rtm_scope'); return this.view.getUint8(L.rtmsg.rtm_scope); }
  set rtm_scope(v: number) { rtmsg.#check(this, 'rtm_scope'); this.view.setUint8(L.rtmsg.rtm_scope, checkInt('rtmsg', 'rtm_scope', v, 0, U8)); }
  /** RTN_* (unsigned char). */
  get rtm_type(): number { rtmsg.#check(this, 'rtm_type'); return this.view.getUint8(L.rtmsg.rtm_type); }
  set rtm_type(v: number) { rtmsg.#check(this, 'rtm_type'); this.view.setUint8(L.rtmsg.rtm_type, checkInt('rtmsg', 'rtm_type', v, 0, U8)); }
  /** RTM_F_* flags (unsigned int). */
  get rtm_flags(): number { rtmsg.#check(this, 'rtm_flags'); return this.view.getUint32(L.rtmsg.rtm_flags, LE); }
  set rtm_flags(v: number) { rtmsg.#check(this, 'rtm_flags'); this.view.setUint32(L.rtmsg.rtm_flags, checkInt('rtmsg', 'rtm_flags', v, 0, U32), LE); }
}

/** struct tcmsg — the body of RTM_NEWQDISC / RTM_DELQDISC / RTM_GETQDISC (man 8 tc). */
export class tcmsg extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('tcmsg', member, o);
  }
  /** A zeroed tcmsg, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('tcmsg', arguments.length, 0, ['bytes']);
    super(L.tcmsg.size, bytes);
  }
  /** AF_UNSPEC (unsigned char). */
  get tcm_family(): number { tcmsg.#check(this, 'tcm_family'); return this.view.getUint8(L.tcmsg.tcm_family); }
  set tcm_family(v: number) { tcmsg.#check(this, 'tcm_family'); this.view.setUint8(L.tcmsg.tcm_family, checkInt('tcmsg', 'tcm_family', v, 0, U8)); }
  /** Interface index (int). */
  get tcm_ifindex(): number { tcmsg.#check(this, 'tcm_ifindex'); return this.view.getInt32(L.tcmsg.tcm_ifindex, LE); }
  set tcm_ifindex(v: number) { tcmsg.#check(this, 'tcm_ifindex'); this.view.setInt32(L.tcmsg.tcm_ifindex, checkInt('tcmsg', 'tcm_ifindex', v, -I32 - 1, I32), LE); }
  /** Qdisc handle, major:minor as one __u32. */
  get tcm_handle(): number { tcmsg.#check(this, 'tcm_handle'); return this.view.getUint32(L.tcmsg.tcm_handle, LE); }
  set tcm_handle(v: number) { tcmsg.#check(this, 'tcm_handle'); this.view.setUint32(L.tcmsg.tcm_handle, checkInt('tcmsg', 'tcm_handle', v, 0, U32), LE); }
  /** Parent handle: TC_H_ROOT for the root qdisc (__u32). */
  get tcm_parent(): number { tcmsg.#check(this, 'tcm_parent'); return this.view.getUint32(L.tcmsg.tcm_parent, LE); }
  set tcm_parent(v: number) { tcmsg.#check(this, 'tcm_parent'); this.view.setUint32(L.tcmsg.tcm_parent, checkInt('tcmsg', 'tcm_parent', v, 0, U32), LE); }
  /** Info (__u32). */
  get tcm_info(): number { tcmsg.#check(this, 'tcm_info'); return this.view.getUint32(L.tcmsg.tcm_info, LE); }
  set tcm_info(v: number) { tcmsg.#check(this, 'tcm_info'); this.view.setUint32(L.tcmsg.tcm_info, checkInt('tcmsg', 'tcm_info', v, 0, U32), LE); }
}

/** struct tc_ratespec — a rate in bytes per second and how to count a packet (linux/pkt_sched.h). */
export class tc_ratespec extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('tc_ratespec', member, o);
  }
  /** A zeroed tc_ratespec, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('tc_ratespec', arguments.length, 0, ['bytes']);
    super(L.tc_ratespec.size, bytes);
  }
  /** log2 of the rate table's cell size (unsigned char). */
  get cell_log(): number { tc_ratespec.#check(this, 'cell_log'); return this.view.getUint8(L.tc_ratespec.cell_log); }
  set cell_log(v: number) { tc_ratespec.#check(this, 'cell_log'); this.view.setUint8(L.tc_ratespec.cell_log, checkInt('tc_ratespec', 'cell_log', v, 0, U8)); }
  /** TC_LINKLAYER_* (__u8). */
  get linklayer(): number { tc_ratespec.#check(this, 'linklayer'); return this.view.getUint8(L.tc_ratespec.linklayer); }
  set linklayer(v: number) { tc_ratespec.#check(this, 'linklayer'); this.view.setUint8(L.tc_ratespec.linklayer, checkInt('tc_ratespec', 'linklayer', v, 0, U8)); }
  /** Per-packet overhead in bytes (unsigned short). */
  get overhead(): number { tc_ratespec.#check(this, 'overhead'); return this.view.getUint16(L.tc_ratespec.overhead, LE); }
  set overhead(v: number) { tc_ratespec.#check(this, 'overhead'); this.view.setUint16(L.tc_ratespec.overhead, checkInt('tc_ratespec', 'overhead', v, 0, U16), LE); }
  /** Cell alignment (short). */
  get cell_align(): number { tc_ratespec.#check(this, 'cell_align'); return this.view.getInt16(L.tc_ratespec.cell_align, LE); }
  set cell_align(v: number) { tc_ratespec.#check(this, 'cell_align'); this.view.setInt16(L.tc_ratespec.cell_align, checkInt('tc_ratespec', 'cell_align', v, -0x8000, 0x7fff), LE); }
  /** Minimum packet unit (unsigned short). */
  get mpu(): number { tc_ratespec.#check(this, 'mpu'); return this.view.getUint16(L.tc_ratespec.mpu, LE); }
  set mpu(v: number) { tc_ratespec.#check(this, 'mpu'); this.view.setUint16(L.tc_ratespec.mpu, checkInt('tc_ratespec', 'mpu', v, 0, U16), LE); }
  /** Rate in bytes per second (__u32; TCA_TBF_RATE64 carries larger rates). */
  get rate(): number { tc_ratespec.#check(this, 'rate'); return this.view.getUint32(L.tc_ratespec.rate, LE); }
  set rate(v: number) { tc_ratespec.#check(this, 'rate'); this.view.setUint32(L.tc_ratespec.rate, checkInt('tc_ratespec', 'rate', v, 0, U32), LE); }
}

/** struct tc_tbf_qopt — TCA_TBF_PARMS, the token bucket filter's parameters (man 8 tc-tbf). */
export class tc_tbf_qopt extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('tc_tbf_qopt', member, o);
  }
  /** The rate (a view into this struct). */
  readonly rate: tc_ratespec;
  /** The peak rate (a view into this struct); rate 0 = none. */
  readonly peakrate: tc_ratespec;
  /** A zeroed tc_tbf_qopt, or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('tc_tbf_qopt', arguments.length, 0, ['bytes']);
    super(L.tc_tbf_qopt.size, bytes);
    this.rate = new tc_ratespec(this.bytes.subarray(L.tc_tbf_qopt.rate));
    this.peakrate = new tc_ratespec(this.bytes.subarray(L.tc_tbf_qopt.peakrate));
  }
  /** Bytes that may wait in the queue (__u32). */
  get limit(): number { tc_tbf_qopt.#check(this, 'limit'); return this.view.getUint32(L.tc_tbf_qopt.limit, LE); }
  set limit(v: number) { tc_tbf_qopt.#check(this, 'limit'); this.view.setUint32(L.tc_tbf_qopt.limit, checkInt('tc_tbf_qopt', 'limit', v, 0, U32), LE); }
  /** Bucket size in scheduler ticks (__u32; TCA_TBF_BURST gives it in bytes instead). */
  get buffer(): number { tc_tbf_qopt.#check(this, 'buffer'); return this.view.getUint32(L.tc_tbf_qopt.buffer, LE); }
  set buffer(v: number) { tc_tbf_qopt.#check(this, 'buffer'); this.view.setUint32(L.tc_tbf_qopt.buffer, checkInt('tc_tbf_qopt', 'buffer', v, 0, U32), LE); }
  /** Peak-rate bucket in ticks (__u32). */
  get mtu(): number { tc_tbf_qopt.#check(this, 'mtu'); return this.view.getUint32(L.tc_tbf_qopt.mtu, LE); }
  set mtu(v: number) { tc_tbf_qopt.#check(this, 'mtu'); this.view.setUint32(L.tc_tbf_qopt.mtu, checkInt('tc_tbf_qopt', 'mtu', v, 0, U32), LE); }
}

// ---------------------------------------------------------------------------------------
// The macros of man 3 netlink and man 3 rtnetlink. Where C returns a pointer into the message
// buffer, these return a struct or a Uint8Array viewing the same memory: the ArrayBuffer the
// header views, up to its end (never past it). Where C's macro assigns to its `len` argument
// (NLMSG_NEXT, RTA_NEXT), `len` is an Int32Array whose [0] is that int.

/** The remaining bytes of the ArrayBuffer from a struct's first byte. */
function rest(s: Struct, skip: number): Uint8Array {
  const b = s.bytes;
  const start = Math.min(b.byteOffset + skip, b.buffer.byteLength);
  return new Uint8Array(b.buffer, start, b.buffer.byteLength - start);
}
function checkLen(fn: string, len: unknown): Int32Array {
  if (!(ArrayBuffer.isView(len) && len instanceof Int32Array && len.length >= 1)) {
    throw invalidType(fn, 'len', 'an Int32Array of length >= 1 (C\'s int, updated in place)', len);
  }
  return len;
}
function checkHdr(fn: string, nlh: unknown): nlmsghdr {
  if (!isNlmsghdr(nlh)) throw invalidType(fn, 'nlh', 'an nlmsghdr', nlh);
  return nlh;
}
function checkRta(fn: string, rta: unknown): rtattr {
  if (!isRtattr(rta)) throw invalidType(fn, 'rta', 'an rtattr', rta);
  return rta;
}

/** NLMSG_ALIGN(len) — `len` rounded up to NLMSG_ALIGNTO (4). */
export function NLMSG_ALIGN(len: number): number {
  checkArgc('NLMSG_ALIGN', arguments.length, 1, ['len']);
  checkInt('NLMSG_ALIGN', 'len', len, 0, U32 - NLMSG_ALIGNTO);
  return len + ((NLMSG_ALIGNTO - (len % NLMSG_ALIGNTO)) % NLMSG_ALIGNTO); // no 32-bit wrap near 2**32
}
/** NLMSG_LENGTH(len) — nlmsg_len of a message with `len` payload bytes: len + NLMSG_HDRLEN. */
export function NLMSG_LENGTH(len: number): number {
  checkArgc('NLMSG_LENGTH', arguments.length, 1, ['len']);
  checkInt('NLMSG_LENGTH', 'len', len, 0, U32 - 2 * NLMSG_HDRLEN);
  return len + NLMSG_HDRLEN;
}
/** NLMSG_SPACE(len) — bytes a message with `len` payload bytes takes: NLMSG_ALIGN(NLMSG_LENGTH(len)). */
export function NLMSG_SPACE(len: number): number {
  checkArgc('NLMSG_SPACE', arguments.length, 1, ['len']);
  checkInt('NLMSG_SPACE', 'len', len, 0, U32 - 2 * NLMSG_HDRLEN);
  return NLMSG_ALIGN(len + NLMSG_HDRLEN);
}
/** NLMSG_DATA(nlh) — the payload after the header: nlmsg_len - NLMSG_HDRLEN bytes (as many as the buffer holds). */
export function NLMSG_DATA(nlh: nlmsghdr): Uint8Array {
  checkArgc('NLMSG_DATA', arguments.length, 1, ['nlh']);
  checkHdr('NLMSG_DATA', nlh);
  const r = rest(nlh, NLMSG_HDRLEN);
  return r.subarray(0, Math.max(0, nlh.nlmsg_len - NLMSG_HDRLEN));
}
/** NLMSG_OK(nlh, len) — whether `nlh` is a whole message within the `len` bytes left. */
export function NLMSG_OK(nlh: nlmsghdr | null, len: number): boolean {
  checkArgc('NLMSG_OK', arguments.length, 2, ['nlh', 'len']);
  checkInt('NLMSG_OK', 'len', len, -I32 - 1, I32);
  if (nlh === null) return false;
  checkHdr('NLMSG_OK', nlh);
  return len >= L.nlmsghdr.size && nlh.nlmsg_len >= L.nlmsghdr.size && nlh.nlmsg_len <= len;
}
/**
 * NLMSG_NEXT(nlh, len) — the next message; subtracts NLMSG_ALIGN(nlmsg_len) from len[0], as C
 * does. null where the buffer has no room for another header (NLMSG_OK(null, n) is false).
 */
export function NLMSG_NEXT(nlh: nlmsghdr, len: Int32Array): nlmsghdr | null {
  checkArgc('NLMSG_NEXT', arguments.length, 2, ['nlh', 'len']);
  checkHdr('NLMSG_NEXT', nlh);
  checkLen('NLMSG_NEXT', len);
  const step = NLMSG_ALIGN(Math.min(nlh.nlmsg_len, U32 - NLMSG_ALIGNTO));
  len[0] -= step;
  const r = rest(nlh, step);
  return r.length >= L.nlmsghdr.size ? new nlmsghdr(r) : null;
}
/** NLMSG_PAYLOAD(nlh, len) — payload bytes after a `len`-byte family header: nlmsg_len - NLMSG_SPACE(len). */
export function NLMSG_PAYLOAD(nlh: nlmsghdr, len: number): number {
  checkArgc('NLMSG_PAYLOAD', arguments.length, 2, ['nlh', 'len']);
  checkHdr('NLMSG_PAYLOAD', nlh);
  return nlh.nlmsg_len - NLMSG_SPACE(len);
}

/** RTA_ALIGN(len) — `len` rounded up to RTA_ALIGNTO (4). */
export function RTA_ALIGN(len: number): number {
  checkArgc('RTA_ALIGN', arguments.length, 1, ['len']);
  checkInt('RTA_ALIGN', 'len', len, 0, U32 - RTA_ALIGNTO);
  return len + ((RTA_ALIGNTO - (len % RTA_ALIGNTO)) % RTA_ALIGNTO);
}
/** RTA_LENGTH(len) — rta_len of an attribute with `len` data bytes. */
export function RTA_LENGTH(len: number): number {
  checkArgc('RTA_LENGTH', arguments.length, 1, ['len']);
  checkInt('RTA_LENGTH', 'len', len, 0, U16);
  return RTA_ALIGN(L.rtattr.size) + len;
}
/** RTA_SPACE(len) — bytes an attribute with `len` data bytes takes: RTA_ALIGN(RTA_LENGTH(len)). */
export function RTA_SPACE(len: number): number {
  checkArgc('RTA_SPACE', arguments.length, 1, ['len']);
  checkInt('RTA_SPACE', 'len', len, 0, U16);
  return RTA_ALIGN(RTA_ALIGN(L.rtattr.size) + len);
}
/** RTA_DATA(rta) — the attribute's data: RTA_PAYLOAD(rta) bytes (as many as the buffer holds). */
export function RTA_DATA(rta: rtattr): Uint8Array {
  checkArgc('RTA_DATA', arguments.length, 1, ['rta']);
  checkRta('RTA_DATA', rta);
  const hdr = RTA_ALIGN(L.rtattr.size);
  return rest(rta, hdr).subarray(0, Math.max(0, rta.rta_len - hdr));
}
/** RTA_PAYLOAD(rta) — the number of data bytes: rta_len - RTA_LENGTH(0). */
export function RTA_PAYLOAD(rta: rtattr): number {
  checkArgc('RTA_PAYLOAD', arguments.length, 1, ['rta']);
  checkRta('RTA_PAYLOAD', rta);
  return rta.rta_len - RTA_ALIGN(L.rtattr.size);
}
/** RTA_OK(rta, len) — whether `rta` is a whole attribute within the `len` bytes left. */
export function RTA_OK(rta: rtattr | null, len: number): boolean {
  checkArgc('RTA_OK', arguments.length, 2, ['rta', 'len']);
  checkInt('RTA_OK', 'len', len, -I32 - 1, I32);
  if (rta === null) return false;
  checkRta('RTA_OK', rta);
  return len >= L.rtattr.size && rta.rta_len >= L.rtattr.size && rta.rta_len <= len;
}
/** RTA_NEXT(rta, attrlen) — the next attribute; subtracts RTA_ALIGN(rta_len) from attrlen[0]. null past the buffer. */
export function RTA_NEXT(rta: rtattr, attrlen: Int32Array): rtattr | null {
  checkArgc('RTA_NEXT', arguments.length, 2, ['rta', 'attrlen']);
  checkRta('RTA_NEXT', rta);
  if (!(ArrayBuffer.isView(attrlen) && attrlen instanceof Int32Array && attrlen.length >= 1)) {
    throw invalidType('RTA_NEXT', 'attrlen', 'an Int32Array of length >= 1 (C\'s int, updated in place)', attrlen);
  }
  const step = RTA_ALIGN(rta.rta_len);
  attrlen[0] -= step;
  const r = rest(rta, step);
  return r.length >= L.rtattr.size ? new rtattr(r) : null;
}

/**
 * The ErrnoError an NLMSG_ERROR message carries (syscall `syscall`, e.g. 'RTM_NEWLINK'), or
 * null for an ACK (error 0) and for any other message type. A friendly helper, not C.
 */
export function nlmsgError(nlh: nlmsghdr, syscall = 'netlink'): ErrnoError | null {
  checkArgc('nlmsgError', arguments.length, 1, ['nlh', 'syscall']);
  checkHdr('nlmsgError', nlh);
  if (typeof syscall !== 'string') throw invalidType('nlmsgError', 'syscall', 'a string', syscall);
  if (nlh.nlmsg_type !== NLMSG_ERROR) return null;
  if (nlh.nlmsg_len < NLMSG_LENGTH(4)) throw outOfRange('nlmsgError', `nlh.nlmsg_len ${nlh.nlmsg_len} is too short for an NLMSG_ERROR`);
  const data = NLMSG_DATA(nlh);
  if (data.length < 4) throw outOfRange('nlmsgError', 'nlh: the buffer ends before nlmsgerr.error');
  const error = new DataView(data.buffer, data.byteOffset, 4).getInt32(0, LE);
  if (error === 0) return null;
  if (error > 0 || error === -I32 - 1) throw outOfRange('nlmsgError', `nlmsgerr.error must be 0 or a negative errno, got ${error}`);
  return new ErrnoError(syscall, -error);
}
