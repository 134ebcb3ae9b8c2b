// The raw addon, typed. Nothing here is public API: lib/<family>.ts wraps or re-exports
// each function under its C name. Types mirror native/<family>.cc exactly.
import nodeGypBuild = require('node-gyp-build');
import * as path from 'node:path';

/** Any memory the addon can read or write: a TypedArray, Buffer, DataView or ArrayBuffer. */
export type Bytes = ArrayBufferView | ArrayBuffer;

/** native/msg.cc msgPlan's External: references to a message call's buffers (opaque). */
export type MsgPlan = { readonly __msgPlan: unique symbol };

/** sizeof and offsetof of one struct, as the compiler laid it out on this machine. */
export type Layout<F extends string> = { readonly size: number } & { readonly [K in F]: number };

/** The struct tcp_info fields native/sockopt.cc publishes offsets for. */
export type TcpInfoField =
  | 'tcpi_state' | 'tcpi_ca_state' | 'tcpi_retransmits' | 'tcpi_probes' | 'tcpi_backoff' | 'tcpi_options'
  | 'tcpi_rto' | 'tcpi_ato' | 'tcpi_snd_mss' | 'tcpi_rcv_mss' | 'tcpi_unacked' | 'tcpi_sacked' | 'tcpi_lost'
  | 'tcpi_retrans' | 'tcpi_pmtu' | 'tcpi_rcv_ssthresh' | 'tcpi_rtt' | 'tcpi_rttvar' | 'tcpi_snd_ssthresh'
  | 'tcpi_snd_cwnd' | 'tcpi_advmss' | 'tcpi_reordering' | 'tcpi_total_retrans' | 'tcpi_bytes_acked'
  | 'tcpi_bytes_received' | 'tcpi_segs_out' | 'tcpi_segs_in' | 'tcpi_bytes_sent';

export interface Binding {
  // errors.cc
  setErrnoError(ctor: new (...args: never[]) => Error): void;
  strerror(errnum: number): string;
  // constants.cc
  readonly constants: Readonly<Record<string, number>>;
  readonly errnos: Readonly<Record<string, number>>;
  /** Limits that are not socket-API constants: NSIG (signal numbers are 1..NSIG-1). */
  readonly limits: { readonly NSIG: number };
  readonly layout: {
    readonly sockaddr_in: Layout<'sin_family' | 'sin_port' | 'sin_addr'>;
    readonly sockaddr_in6: Layout<
      'sin6_family' | 'sin6_port' | 'sin6_flowinfo' | 'sin6_addr' | 'sin6_scope_id'
    >;
    readonly sockaddr_un: Layout<'sun_family' | 'sun_path'>;
    readonly sockaddr_storage: Layout<'ss_family'>;
    readonly linger: Layout<'l_onoff' | 'l_linger'>;
    readonly timeval: Layout<'tv_sec' | 'tv_usec'>;
    readonly timespec: Layout<'tv_sec' | 'tv_nsec'>;
    readonly fd_set: Layout<'word'>;
    readonly pollfd: Layout<'fd' | 'events' | 'revents'>;
    readonly epoll_event: Layout<'events' | 'data'>;
    readonly ucred: Layout<'pid' | 'uid' | 'gid'>;
    readonly tcp_info: Layout<TcpInfoField>;
    readonly ip_mreqn: Layout<'imr_multiaddr' | 'imr_address' | 'imr_ifindex'>;
    readonly ipv6_mreq: Layout<'ipv6mr_multiaddr' | 'ipv6mr_interface'>;
    readonly sigset_t: Layout<never>;
    readonly itimerspec: Layout<'it_interval' | 'it_value'>;
    readonly signalfd_siginfo: Layout<
      'ssi_signo' | 'ssi_errno' | 'ssi_code' | 'ssi_pid' | 'ssi_uid' | 'ssi_fd' | 'ssi_tid' | 'ssi_band' |
      'ssi_overrun' | 'ssi_trapno' | 'ssi_status' | 'ssi_int' | 'ssi_ptr' | 'ssi_utime' | 'ssi_stime' | 'ssi_addr'
    >;
    readonly iovec: Layout<'iov_base' | 'iov_len'>;
    readonly cmsghdr: Layout<'cmsg_len' | 'cmsg_level' | 'cmsg_type' | 'align' | 'data'>;
    readonly in_pktinfo: Layout<'ipi_ifindex' | 'ipi_spec_dst' | 'ipi_addr'>;
    readonly in6_pktinfo: Layout<'ipi6_addr' | 'ipi6_ifindex'>;
    readonly io_uring_params: Layout<
      'sq_entries' | 'cq_entries' | 'flags' | 'sq_thread_cpu' | 'sq_thread_idle' | 'features' | 'wq_fd' | 'resv' |
      'sq_off' | 'cq_off'
    >;
    readonly io_sqring_offsets: Layout<'head' | 'tail' | 'ring_mask' | 'ring_entries' | 'flags' | 'dropped' | 'array'>;
    readonly io_cqring_offsets: Layout<'head' | 'tail' | 'ring_mask' | 'ring_entries' | 'overflow' | 'cqes' | 'flags'>;
    readonly io_uring_sqe: Layout<'opcode' | 'flags' | 'ioprio' | 'fd' | 'off' | 'addr' | 'len' | 'op_flags' | 'user_data'>;
    readonly io_uring_cqe: Layout<'user_data' | 'res' | 'flags'>;
    readonly nlmsghdr: Layout<'nlmsg_len' | 'nlmsg_type' | 'nlmsg_flags' | 'nlmsg_seq' | 'nlmsg_pid'>;
    readonly nlmsgerr: Layout<'error' | 'msg'>;
    readonly rtattr: Layout<'rta_len' | 'rta_type'>;
    readonly ifinfomsg: Layout<'ifi_family' | 'ifi_type' | 'ifi_index' | 'ifi_flags' | 'ifi_change'>;
    readonly ifaddrmsg: Layout<'ifa_family' | 'ifa_prefixlen' | 'ifa_flags' | 'ifa_scope' | 'ifa_index'>;
    readonly rtmsg: Layout<
      'rtm_family' | 'rtm_dst_len' | 'rtm_src_len' | 'rtm_tos' | 'rtm_table' | 'rtm_protocol' | 'rtm_scope' | 'rtm_type' | 'rtm_flags'
    >;
    readonly sockaddr_nl: Layout<'nl_family' | 'nl_pid' | 'nl_groups'>;
    readonly tcmsg: Layout<'tcm_family' | 'tcm_ifindex' | 'tcm_handle' | 'tcm_parent' | 'tcm_info'>;
    readonly tc_ratespec: Layout<'cell_log' | 'linklayer' | 'overhead' | 'cell_align' | 'mpu' | 'rate'>;
    readonly tc_tbf_qopt: Layout<'rate' | 'peakrate' | 'limit' | 'buffer' | 'mtu'>;
  };
  // inet.cc
  inet_pton(af: number, src: string, dst: Bytes): number;
  inet_ntop(af: number, src: Bytes): string;
  inet_addr(cp: string): number;
  // socket.cc
  socket(domain: number, type: number, protocol: number): number;
  socketpair(domain: number, type: number, protocol: number, sv: Int32Array): number;
  bind(fd: number, addr: Bytes, addrlen: number): number;
  listen(fd: number, backlog: number): number;
  accept(fd: number, addr?: Bytes | null, addrlen?: Uint32Array | null): number;
  accept4(fd: number, addr: Bytes | null | undefined, addrlen: Uint32Array | null | undefined, flags: number): number;
  tryAccept(fd: number, addr?: Bytes | null, addrlen?: Uint32Array | null): number;
  tryAccept4(fd: number, addr: Bytes | null | undefined, addrlen: Uint32Array | null | undefined, flags: number): number;
  connect(fd: number, addr: Bytes, addrlen: number): number;
  tryConnect(fd: number, addr: Bytes, addrlen: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
  getsockname(fd: number, addr: Bytes, addrlen: Uint32Array): number;
  getpeername(fd: number, addr: Bytes, addrlen: Uint32Array): number;
  // io.cc
  send(fd: number, buf: Bytes, len?: number, flags?: number, offset?: number): number;
  recv(fd: number, buf: Bytes, len?: number, flags?: number, offset?: number): number;
  read(fd: number, buf: Bytes, count?: number, offset?: number): number;
  write(fd: number, buf: Bytes, count?: number, offset?: number): number;
  sendto(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, addr: Bytes | null | undefined, addrlen: number | undefined, offset?: number): number;
  recvfrom(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, addr: Bytes | null | undefined, addrlen: Uint32Array | null | undefined, offset?: number): number;
  trySend(fd: number, buf: Bytes, len?: number, flags?: number, offset?: number): number;
  tryRecv(fd: number, buf: Bytes, len?: number, flags?: number, offset?: number): number;
  tryRead(fd: number, buf: Bytes, count?: number, offset?: number): number;
  tryWrite(fd: number, buf: Bytes, count?: number, offset?: number): number;
  trySendto(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, addr: Bytes | null | undefined, addrlen: number | undefined, offset?: number): number;
  tryRecvfrom(fd: number, buf: Bytes, len: number | undefined, flags: number | undefined, addr: Bytes | null | undefined, addrlen: Uint32Array | null | undefined, offset?: number): number;
  // sockopt.cc
  setsockopt(fd: number, level: number, optname: number, optval: number | Bytes, optlen?: number): number;
  getsockopt(fd: number, level: number, optname: number): number;
  getsockopt(fd: number, level: number, optname: number, optval: Bytes, optlen?: number): number;
  fcntl(fd: number, cmd: number, arg?: number): number;
  // netif.cc
  ioctl(fd: number, request: number, argp: Int32Array): number;
  if_nametoindex(ifname: string): number;
  if_indextoname(ifindex: number): string;
  // select.cc, poll.cc, epoll.cc — structs, sets and arrays are passed as their memory (an
  // ArrayBuffer is read fastest); null or an EMPTY buffer stands for C's NULL. `restart` is
  // { restart: true } of the public wrappers, passed only when options were given. A
  // sigmask is an Int32Array of signal numbers (lib/mux.ts sigmaskArg): the addon never
  // reads a JS array, whose getters could run after it took a pointer.
  select(nfds: number, readfds: Bytes | null, writefds: Bytes | null, exceptfds: Bytes | null, timeout: Bytes | null, restart?: boolean): number;
  pselect(nfds: number, readfds: Bytes | null, writefds: Bytes | null, exceptfds: Bytes | null, timeout: Bytes | null, sigmask: Int32Array | null, restart?: boolean): number;
  poll(fds: Bytes, nfds: number, timeout: number, restart?: boolean): number;
  ppoll(fds: Bytes, nfds: number, tmo_p: Bytes | null, sigmask: Int32Array | null, restart?: boolean): number;
  pollNfdsMax(): number;
  epoll_create1(flags: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, event: Bytes | null): number;
  epoll_wait(epfd: number, events: Bytes, maxevents: number, timeout: number, restart?: boolean): number;
  epoll_pwait(epfd: number, events: Bytes, maxevents: number, timeout: number, sigmask: Int32Array | null, restart?: boolean): number;
  epoll_pwait2(epfd: number, events: Bytes, maxevents: number, timeout: Bytes | null, sigmask: Int32Array | null, restart?: boolean): number;
  setEpollDataU64(event: Bytes, offset: number, value: bigint): void;
  // eventfd.cc — sigset_t and itimerspec arguments are the structs' bytes (lib/eventfd.ts)
  sigemptyset(set: Bytes): number;
  sigfillset(set: Bytes): number;
  sigaddset(set: Bytes, signum: number): number;
  sigdelset(set: Bytes, signum: number): number;
  sigismember(set: Bytes, signum: number): number;
  sigprocmask(how: number, set: Bytes | null, oldset: Bytes | null): number;
  pthread_sigmask(how: number, set: Bytes | null, oldset: Bytes | null): number;
  signalfd(fd: number, mask: Bytes, flags: number): number;
  eventfd(initval: number, flags: number): number;
  eventfd_read(fd: number, value: BigUint64Array): number;
  eventfd_write(fd: number, value: bigint | number): number;
  timerfd_create(clockid: number, flags: number): number;
  timerfd_settime(fd: number, flags: number, new_value: Bytes, old_value: Bytes | null): number;
  timerfd_gettime(fd: number, curr_value: Bytes): number;
  gettid(): number;
  tgkill(tgid: number, tid: number, sig: number): number;
  routeSignals(set: Bytes, oldset: Bytes | null): number;
  unrouteSignals(set: Bytes): number;
  // msg.cc — the messages as lib/msg.ts `Plan` holds them: one flat array with, per message,
  // its name, control and struct iovec[] memory then its iov_base buffers; and the 5
  // value-result numbers per message (written back in place).
  readv(fd: number, iov: Bytes, bases: Array<Bytes | null>, iovcnt: number): number;
  writev(fd: number, iov: Bytes, bases: Array<Bytes | null>, iovcnt: number): number;
  sendmsg(fd: number, vlen: 1, bufs: unknown[] | MsgPlan, nums: Uint32Array, flags: number): number;
  recvmsg(fd: number, vlen: 1, bufs: unknown[] | MsgPlan, nums: Uint32Array, flags: number): number;
  trySendmsg(fd: number, vlen: 1, bufs: unknown[] | MsgPlan, nums: Uint32Array, flags: number): number;
  tryRecvmsg(fd: number, vlen: 1, bufs: unknown[] | MsgPlan, nums: Uint32Array, flags: number): number;
  sendmmsg(fd: number, vlen: number, bufs: unknown[] | MsgPlan, nums: Uint32Array, flags: number): number;
  recvmmsg(fd: number, vlen: number, bufs: unknown[] | MsgPlan, nums: Uint32Array, flags: number, timeout: Bytes | null): number;
  msgPlan(bufs: unknown[]): MsgPlan;
  CMSG_SPACE(length: number): number;
  CMSG_LEN(length: number): number;
  // uring.cc, uring_prep.cc — an sqe is passed as (id, seq): its ring's id and its sequence
  // number, from io_uring_get_sqe's result (id * 2**32 + seq, or -1 when the ring is full).
  io_uring_setup(entries: number, params: Bytes): number;
  io_uring_enter(fd: number, to_submit: number, min_complete: number, flags: number): number;
  io_uring_register(fd: number, opcode: number, arg: Bytes | null, nr_args: number): number;
  io_uring_mmap(fd: number, offset: number): ArrayBuffer;
  io_uring_get_sqe(fd: number): number;
  // The ring's control block (native/uring.h Ctl): u32 id, local, published, khead,
  // entries, mask, 2 × pad, then a u64 user_data per slot. lib/uring.ts's alone.
  io_uring_ctl(fd: number): ArrayBuffer;
  io_uring_sqe_set_data64(id: number, seq: number, data: bigint | number): undefined;
  io_uring_prep_nop(id: number, seq: number): undefined;
  io_uring_prep_recv(id: number, seq: number, fd: number, buf: Bytes, len: number, flags: number): undefined;
  io_uring_prep_send(id: number, seq: number, fd: number, buf: Bytes, len: number, flags: number): undefined;
  io_uring_prep_poll_add(id: number, seq: number, fd: number, poll_mask: number): undefined;
  io_uring_prep_poll_multishot(id: number, seq: number, fd: number, poll_mask: number): undefined;
  io_uring_prep_poll_remove(id: number, seq: number, user_data: bigint | number): undefined;
  io_uring_prep_accept(id: number, seq: number, fd: number, addr: Bytes | null | undefined, addrlen: Uint32Array | null | undefined, flags: number): undefined;
  io_uring_prep_timeout(id: number, seq: number, ts: Bytes, count: number, flags: number): undefined;
  // netns.cc
  unshare(flags: number): number;
  setns(fd: number, nstype: number): number;
  // watch.cc
  watchInit(dispatch: (fd: number, events: number, status: number) => void): void;
  watch(fd: number, events: number, ref: boolean): void;
  watching(fd: number): number;
}

/**
 * The loaded addon: a prebuild from prebuilds/ when one matches, else build/Release.
 *
 * A copy of its exports: an object Node-API filled with ~170 properties one by one is in
 * V8's dictionary mode (every `binding.poll` a hash lookup), while an object literal made by
 * spreading it gets fast properties, so the wrappers may read `binding.x` per call.
 */
export const binding: Binding = { ...load(path.join(__dirname, '..')) };

/** node-gyp-build's load, with a failure that says how to get a working addon. */
function load(dir: string): Binding {
  try {
    return nodeGypBuild(dir) as Binding;
  } catch (err) {
    const why = err instanceof Error ? err.message.trim() : String(err);
    throw new Error(
      `sockfd: could not load the native addon from ${dir}: ${why}\n` +
        'Build it from source (needs a C++17 compiler, make and python3): run ' +
        `\`npm rebuild sockfd --build-from-source\` in your project, or \`npx node-gyp rebuild\` in ${dir}`,
      { cause: err },
    );
  }
}
