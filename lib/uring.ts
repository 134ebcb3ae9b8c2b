// io_uring(7) (native/uring.cc, native/uring_prep.cc): io_uring_setup, io_uring_enter,
// io_uring_register, the ring regions C maps with mmap(2) (io_uring_mmap here), and the
// liburing-style helpers that fill SQEs: io_uring_get_sqe, io_uring_sqe_set_data64,
// io_uring_prep_nop / _recv / _send / _poll_add / _poll_multishot / _poll_remove / _accept /
// _timeout.
//
// Memory safety: JS never writes memory the kernel reads as an SQE or a ring index. The
// ArrayBuffers io_uring_mmap returns are copies laid out as the kernel's regions (same
// sq_off/cq_off offsets): CQEs arrive in the CQ copy during io_uring_enter, and JS consumes
// them as C does (read up to tail, store head). io_uring_get_sqe and io_uring_sqe_set_data64
// run here, over a control block the addon checks (RingState below). SQEs are written by
// the prep helpers in native code, over memory the addon owns: send copies the bytes at
// prep time, recv copies them into `buf` when the CQE arrives (buf is kept alive until
// then). docs/api.md "## io_uring" has the whole contract.
import { binding } from './binding';
import { checkArgc, checkBytes, checkFd, checkFlags, checkInt, invalidType, outOfRange } from './check';
import { IORING_OFF_SQES } from './constants';
import { isSockaddr, type Sockaddr } from './sockaddr';
import { LE, receiverError, Struct, isTimespec, type timespec } from './struct';

const P = binding.layout.io_uring_params;
const SQO = binding.layout.io_sqring_offsets;
const CQO = binding.layout.io_cqring_offsets;
const SQE = binding.layout.io_uring_sqe;
const CQE = binding.layout.io_uring_cqe;
const {
  io_uring_setup: nativeSetup, io_uring_enter: nativeEnter, io_uring_register: nativeRegister,
  io_uring_mmap: nativeMmap, io_uring_ctl: nativeCtl, io_uring_sqe_set_data64: nativeSetData,
  io_uring_prep_nop: nativeNop, io_uring_prep_recv: nativeRecv, io_uring_prep_send: nativeSend,
  io_uring_prep_poll_add: nativePollAdd, io_uring_prep_poll_multishot: nativePollMulti,
  io_uring_prep_poll_remove: nativePollRemove, io_uring_prep_accept: nativeAccept,
  io_uring_prep_timeout: nativeTimeout,
} = binding;

/** struct io_sqring_offsets — where each SQ ring field sits in the IORING_OFF_SQ_RING region (read-only). */
export class io_sqring_offsets extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static #get(o: unknown, f: keyof typeof SQO): number {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('io_sqring_offsets', f, o);
    return (o as io_sqring_offsets).view.getUint32(SQO[f], LE);
  }
  /** A zeroed io_sqring_offsets; or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('io_sqring_offsets', arguments.length, 0, ['bytes']);
    super(SQO.size, bytes);
  }
  /** Offset of the head index (the kernel advances it). */
  get head(): number { return io_sqring_offsets.#get(this, 'head'); }
  /** Offset of the tail index. */
  get tail(): number { return io_sqring_offsets.#get(this, 'tail'); }
  /** Offset of ring_mask (sq_entries - 1). */
  get ring_mask(): number { return io_sqring_offsets.#get(this, 'ring_mask'); }
  /** Offset of ring_entries. */
  get ring_entries(): number { return io_sqring_offsets.#get(this, 'ring_entries'); }
  /** Offset of the SQ flags (IORING_SQ_CQ_OVERFLOW, ...). */
  get flags(): number { return io_sqring_offsets.#get(this, 'flags'); }
  /** Offset of the dropped-SQE counter. */
  get dropped(): number { return io_sqring_offsets.#get(this, 'dropped'); }
  /** Offset of the index array (slot i holds i here). */
  get array(): number { return io_sqring_offsets.#get(this, 'array'); }
}

/** struct io_cqring_offsets — where each CQ ring field sits in the IORING_OFF_CQ_RING region (read-only). */
export class io_cqring_offsets extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static #get(o: unknown, f: keyof typeof CQO): number {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('io_cqring_offsets', f, o);
    return (o as io_cqring_offsets).view.getUint32(CQO[f], LE);
  }
  /** A zeroed io_cqring_offsets; or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('io_cqring_offsets', arguments.length, 0, ['bytes']);
    super(CQO.size, bytes);
  }
  /** Offset of the head index (the consumer, JS, stores it). */
  get head(): number { return io_cqring_offsets.#get(this, 'head'); }
  /** Offset of the tail index (advanced as CQEs arrive). */
  get tail(): number { return io_cqring_offsets.#get(this, 'tail'); }
  /** Offset of ring_mask (cq_entries - 1). */
  get ring_mask(): number { return io_cqring_offsets.#get(this, 'ring_mask'); }
  /** Offset of ring_entries. */
  get ring_entries(): number { return io_cqring_offsets.#get(this, 'ring_entries'); }
  /** Offset of the overflow counter. */
  get overflow(): number { return io_cqring_offsets.#get(this, 'overflow'); }
  /** Offset of the io_uring_cqe array. */
  get cqes(): number { return io_cqring_offsets.#get(this, 'cqes'); }
  /** Offset of the CQ flags. */
  get flags(): number { return io_cqring_offsets.#get(this, 'flags'); }
}

/**
 * struct io_uring_params — io_uring_setup's in/out argument: set `flags` (and `cq_entries`
 * with IORING_SETUP_CQSIZE) before the call; the kernel fills sq_entries, cq_entries,
 * features, sq_off and cq_off.
 */
export class io_uring_params extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  readonly #sq: io_sqring_offsets;
  readonly #cq: io_cqring_offsets;
  static #v(o: unknown, f: string): DataView {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('io_uring_params', f, o);
    return (o as io_uring_params).view;
  }
  static #set(o: unknown, f: 'sq_entries' | 'cq_entries' | 'flags' | 'sq_thread_cpu' | 'sq_thread_idle' | 'wq_fd', v: number): void {
    io_uring_params.#v(o, f).setUint32(P[f], checkInt(`io_uring_params.${f}`, f, v, 0, 0xffffffff), LE);
  }
  /** A zeroed io_uring_params; or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('io_uring_params', arguments.length, 0, ['bytes']);
    super(P.size, bytes);
    this.#sq = new io_sqring_offsets(this.bytes.subarray(P.sq_off, P.sq_off + SQO.size));
    this.#cq = new io_cqring_offsets(this.bytes.subarray(P.cq_off, P.cq_off + CQO.size));
  }
  /** SQ ring size (the kernel's, after the call). */
  get sq_entries(): number { return io_uring_params.#v(this, 'sq_entries').getUint32(P.sq_entries, LE); }
  set sq_entries(v: number) { io_uring_params.#set(this, 'sq_entries', v); }
  /** CQ ring size (in with IORING_SETUP_CQSIZE; the kernel's after the call). */
  get cq_entries(): number { return io_uring_params.#v(this, 'cq_entries').getUint32(P.cq_entries, LE); }
  set cq_entries(v: number) { io_uring_params.#set(this, 'cq_entries', v); }
  /** IORING_SETUP_* flags (sockfd supports CQSIZE, CLAMP, SUBMIT_ALL, COOP_TASKRUN). */
  get flags(): number { return io_uring_params.#v(this, 'flags').getUint32(P.flags, LE); }
  set flags(v: number) { io_uring_params.#set(this, 'flags', v); }
  /** SQPOLL's CPU (unused: SQPOLL is not supported). */
  get sq_thread_cpu(): number { return io_uring_params.#v(this, 'sq_thread_cpu').getUint32(P.sq_thread_cpu, LE); }
  set sq_thread_cpu(v: number) { io_uring_params.#set(this, 'sq_thread_cpu', v); }
  /** SQPOLL's idle time in ms (unused: SQPOLL is not supported). */
  get sq_thread_idle(): number { return io_uring_params.#v(this, 'sq_thread_idle').getUint32(P.sq_thread_idle, LE); }
  set sq_thread_idle(v: number) { io_uring_params.#set(this, 'sq_thread_idle', v); }
  /** IORING_FEAT_* bits the kernel reports. */
  get features(): number { return io_uring_params.#v(this, 'features').getUint32(P.features, LE); }
  /** ATTACH_WQ's ring fd (unused: ATTACH_WQ is not supported). */
  get wq_fd(): number { return io_uring_params.#v(this, 'wq_fd').getUint32(P.wq_fd, LE); }
  set wq_fd(v: number) { io_uring_params.#set(this, 'wq_fd', v); }
  /** The SQ ring's field offsets (a view over this struct). */
  get sq_off(): io_sqring_offsets { io_uring_params.#v(this, 'sq_off'); return this.#sq; }
  /** The CQ ring's field offsets (a view over this struct). */
  get cq_off(): io_cqring_offsets { io_uring_params.#v(this, 'cq_off'); return this.#cq; }
}

/** struct io_uring_cqe — one completion: user_data (a bigint), res (the result or -errno), flags. */
export class io_uring_cqe extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  static #v(o: unknown, f: string): DataView {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('io_uring_cqe', f, o);
    return (o as io_uring_cqe).view;
  }
  /** A zeroed io_uring_cqe; or a view over `bytes` (a slot of the CQ ring's cqes array). */
  constructor(bytes?: Uint8Array) {
    checkArgc('io_uring_cqe', arguments.length, 0, ['bytes']);
    super(CQE.size, bytes);
  }
  /** The user_data of the SQE this completes (io_uring_sqe_set_data64). */
  get user_data(): bigint { return io_uring_cqe.#v(this, 'user_data').getBigUint64(CQE.user_data, LE); }
  /** The result: a byte count, an fd, a poll mask — or -errno. */
  get res(): number { return io_uring_cqe.#v(this, 'res').getInt32(CQE.res, LE); }
  /** IORING_CQE_F_* (IORING_CQE_F_MORE: a multishot request stays armed). */
  get flags(): number { return io_uring_cqe.#v(this, 'flags').getUint32(CQE.flags, LE); }
}

let sqeKey: (o: unknown) => [number, number] | null;
let sqeRing: (o: io_uring_sqe) => RingState;
let makeSqe: (st: RingState, slot: number, seq: number) => io_uring_sqe;
let reuseSqe: (s: io_uring_sqe, seq: number) => io_uring_sqe;

/**
 * struct io_uring_sqe — a submission queue entry, read-only. The one io_uring_get_sqe
 * returns is a view of the ring's SQE-array copy and names its slot for the prep helpers;
 * its addr fields read 0 (the kernel's copy holds addresses of the addon's own memory).
 * Like C's pointer into the SQE array, it is the same object each time its slot comes
 * round again (io_uring_get_sqe).
 */
export class io_uring_sqe extends Struct {
  #id = 0;
  #seq = 0;
  #ring: RingState | null = null;
  static {
    sqeKey = (o: unknown) => (typeof o === 'object' && o !== null && #id in o && o.#id !== 0 ? [o.#id, o.#seq] : null);
    sqeRing = (o: io_uring_sqe) => o.#ring!;
    makeSqe = (st: RingState, slot: number, seq: number): io_uring_sqe => {
      const s = new io_uring_sqe(new Uint8Array(st.sqes, slot * SQE.size, SQE.size));
      s.#id = st.id;
      s.#seq = seq;
      s.#ring = st;
      return s;
    };
    reuseSqe = (s: io_uring_sqe, seq: number): io_uring_sqe => {
      s.#seq = seq;
      return s;
    };
  }
  static #v(o: unknown, f: string): DataView {
    if (typeof o !== 'object' || o === null || !(#id in o)) throw receiverError('io_uring_sqe', f, o);
    return (o as io_uring_sqe).view;
  }
  /** A zeroed io_uring_sqe (which no prep helper accepts); or a view over `bytes`. */
  constructor(bytes?: Uint8Array) {
    checkArgc('io_uring_sqe', arguments.length, 0, ['bytes']);
    super(SQE.size, bytes);
  }
  /** IORING_OP_*. */
  get opcode(): number { return io_uring_sqe.#v(this, 'opcode').getUint8(SQE.opcode); }
  /** IOSQE_* flags. */
  get flags(): number { return io_uring_sqe.#v(this, 'flags').getUint8(SQE.flags); }
  /** The fd the request acts on. */
  get fd(): number { return io_uring_sqe.#v(this, 'fd').getInt32(SQE.fd, LE); }
  /** off (TIMEOUT: the completion count). */
  get off(): bigint { return io_uring_sqe.#v(this, 'off').getBigUint64(SQE.off, LE); }
  /** addr: 0 in this view (see the class comment). */
  get addr(): bigint { return io_uring_sqe.#v(this, 'addr').getBigUint64(SQE.addr, LE); }
  /** len: a byte count, or IORING_POLL_ADD_MULTI for a multishot poll. */
  get len(): number { return io_uring_sqe.#v(this, 'len').getUint32(SQE.len, LE); }
  /** The per-opcode flags word (msg_flags, poll32_events, accept_flags, timeout_flags). */
  get op_flags(): number { return io_uring_sqe.#v(this, 'op_flags').getUint32(SQE.op_flags, LE); }
  /** The user_data the CQE will carry. */
  get user_data(): bigint { return io_uring_sqe.#v(this, 'user_data').getBigUint64(SQE.user_data, LE); }
}

/**
 * io_uring_setup(entries, params) — a new io_uring with at least `entries` SQEs; returns its
 * fd (close-on-exec; close it with close()). Fills `params`. Flags other than
 * IORING_SETUP_CQSIZE, _CLAMP, _SUBMIT_ALL and _COOP_TASKRUN are a RangeError.
 */
export function io_uring_setup(entries: number, params: io_uring_params): number {
  checkArgc('io_uring_setup', arguments.length, 2, ['entries', 'params']);
  checkInt('io_uring_setup', 'entries', entries, 1, 32768);
  if (!(params instanceof io_uring_params)) throw invalidType('io_uring_setup', 'params', 'an io_uring_params', params);
  return nativeSetup(entries, params.bytes);
}

/**
 * io_uring_enter(fd, to_submit, min_complete, flags) — submits up to `to_submit` prepared
 * SQEs and, with IORING_ENTER_GETEVENTS, waits for `min_complete` completions (blocking the
 * thread, as in C); then moves CQEs into the CQ ring copy. Returns the number submitted.
 */
export function io_uring_enter(fd: number, to_submit: number, min_complete: number, flags: number): number {
  checkArgc('io_uring_enter', arguments.length, 4, ['fd', 'to_submit', 'min_complete', 'flags']);
  checkFd('io_uring_enter', 'fd', fd);
  checkInt('io_uring_enter', 'to_submit', to_submit, 0, 0xffffffff);
  checkInt('io_uring_enter', 'min_complete', min_complete, 0, 0xffffffff);
  checkFlags('io_uring_enter', 'flags', flags);
  return nativeEnter(fd, to_submit, min_complete, flags);
}

/**
 * io_uring_register(fd, opcode, arg, nr_args) — IORING_REGISTER_PROBE (arg: a buffer of
 * 16 + 8 * nr_args bytes the kernel fills), IORING_REGISTER_EVENTFD / _EVENTFD_ASYNC (arg:
 * an Int32Array holding the eventfd, nr_args 1), IORING_UNREGISTER_EVENTFD (arg null,
 * nr_args 0). Other opcodes are a RangeError. Returns the kernel's result.
 */
export function io_uring_register(fd: number, opcode: number, arg: ArrayBufferView | ArrayBuffer | null, nr_args: number): number {
  checkArgc('io_uring_register', arguments.length, 4, ['fd', 'opcode', 'arg', 'nr_args']);
  checkFd('io_uring_register', 'fd', fd);
  checkInt('io_uring_register', 'opcode', opcode, 0, 0xffffffff);
  if (arg !== null) checkBytes('io_uring_register', 'arg', arg);
  checkInt('io_uring_register', 'nr_args', nr_args, 0, 256);
  return nativeRegister(fd, opcode, arg, nr_args);
}

/**
 * io_uring_mmap(fd, offset) — the region C maps with mmap(2) at IORING_OFF_SQ_RING,
 * IORING_OFF_CQ_RING or IORING_OFF_SQES, as an ArrayBuffer with the kernel's layout. It is
 * a copy the addon keeps in step (see the file comment); closing the ring detaches it.
 */
export function io_uring_mmap(fd: number, offset: number): ArrayBuffer {
  checkArgc('io_uring_mmap', arguments.length, 2, ['fd', 'offset']);
  checkFd('io_uring_mmap', 'fd', fd);
  checkInt('io_uring_mmap', 'offset', offset, 0, Number.MAX_SAFE_INTEGER);
  return nativeMmap(fd, offset);
}

/**
 * What lib keeps of a ring for io_uring_get_sqe and io_uring_sqe_set_data64, which make no
 * Node-API call: the ring's control block (native/uring.h Ctl; the addon checks what JS
 * writes there before it uses it), its SQE-array copy and one io_uring_sqe per slot.
 */
interface RingState {
  readonly fd: number;
  readonly id: number;
  readonly ctl: ArrayBuffer;
  readonly u32: Uint32Array; // over ctl: [0] id, [1] local, [2] published, [3] khead, [4] entries, [5] mask, then user_data
  readonly entries: number;
  readonly sqes: ArrayBuffer;
  readonly sqeU32: Uint32Array; // over the SQE-array copy
  readonly objs: Array<io_uring_sqe | undefined>;
}
const CTL_LOCAL = 1;
const CTL_PUBLISHED = 2;
const CTL_KHEAD = 3;
const CTL_UD = 8; // u32 index of ud[0]
const UD_LO = LE ? 0 : 1; // which u32 of a u64 holds its low half
const SQE_UD = SQE.user_data / 4; // u32 index of user_data within an SQE

// The state of each ring by fd. A closed ring's control block is detached (byteLength 0):
// its entry is made anew from whatever ring the number names next.
const rings = new Map<number, RingState>();

function ringState(fd: number): RingState {
  let st = rings.get(fd);
  if (st === undefined || st.ctl.byteLength === 0) {
    const ctl = nativeCtl(fd); // throws the TypeError of a number that is not a ring
    const u32 = new Uint32Array(ctl);
    const sqes = nativeMmap(fd, IORING_OFF_SQES);
    st = { fd, id: u32[0], ctl, u32, entries: u32[4], sqes, sqeU32: new Uint32Array(sqes), objs: new Array(u32[4]) };
    rings.set(fd, st);
  }
  return st;
}

/**
 * io_uring_get_sqe(fd) — the next free SQE of the ring, or null when the SQ ring is full
 * (submit with io_uring_enter first). Until a prep helper fills it, it is a NOP whose CQE
 * is not shown.
 */
export function io_uring_get_sqe(fd: number): io_uring_sqe | null {
  checkArgc('io_uring_get_sqe', arguments.length, 1, ['fd']);
  checkFd('io_uring_get_sqe', 'fd', fd);
  // As liburing does in C: a slot is free unless the kernel has not consumed it yet
  // (local - khead, the kernel's SQ head as of the last io_uring_enter). No Node-API call:
  // building the io_uring_sqe view and crossing into the addon cost more than this.
  const st = ringState(fd);
  const u = st.u32;
  const seq = u[CTL_LOCAL];
  if (((seq - u[CTL_KHEAD]) >>> 0) >= st.entries) return null;
  u[CTL_LOCAL] = (seq + 1) >>> 0;
  const slot = seq % st.entries; // entries is a power of two: seq & mask
  const w = st.sqeU32; // a zeroed SQE (a NOP) in JS's copy; a loop the JIT inlines (fill() calls into C++)
  for (let i = slot * 16, end = i + 16; i < end; i++) w[i] = 0;
  u[CTL_UD + 2 * slot] = 0;
  u[CTL_UD + 2 * slot + 1] = 0;
  const s = st.objs[slot];
  if (s !== undefined) return reuseSqe(s, seq);
  return (st.objs[slot] = makeSqe(st, slot, seq));
}

function sqeArg(fn: string, sqe: unknown): [number, number] {
  const k = sqeKey(sqe);
  if (k === null) throw invalidType(fn, 'sqe', 'an io_uring_sqe from io_uring_get_sqe', sqe);
  return k;
}

function u64Arg(fn: string, param: string, v: unknown): bigint | number {
  if (typeof v === 'bigint') {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw outOfRange(fn, `${param} must be a bigint in [0, 2**64 - 1], got ${v}`);
    return v;
  }
  return checkInt(fn, param, v, 0, Number.MAX_SAFE_INTEGER);
}

/** io_uring_sqe_set_data64(sqe, data) — the user_data (a bigint or a safe integer) the CQE will carry. */
export function io_uring_sqe_set_data64(sqe: io_uring_sqe, data: bigint | number): void {
  const fn = 'io_uring_sqe_set_data64';
  checkArgc(fn, arguments.length, 2, ['sqe', 'data']);
  const [id, seq] = sqeArg(fn, sqe);
  const v = u64Arg(fn, 'data', data);
  const st = sqeRing(sqe);
  const u = st.u32;
  // Handed out and not yet submitted: seq in [published, local). A closed ring (its block
  // detached) or a submitted sqe takes the native call, which throws the error.
  if (st.ctl.byteLength === 0 || ((seq - u[CTL_PUBLISHED]) >>> 0) >= ((u[CTL_LOCAL] - u[CTL_PUBLISHED]) >>> 0)) {
    nativeSetData(id, seq, v);
    return;
  }
  let lo: number, hi: number;
  if (typeof v === 'number') {
    lo = v % 0x1_0000_0000;
    hi = (v - lo) / 0x1_0000_0000;
  } else {
    lo = Number(v & 0xffff_ffffn);
    hi = Number(v >> 32n);
  }
  const slot = seq % st.entries;
  u[CTL_UD + 2 * slot + UD_LO] = lo; // what the addon gives the request when it submits it
  u[CTL_UD + 2 * slot + 1 - UD_LO] = hi;
  const w = st.sqeU32; // and JS's copy of the SQE shows it
  w[slot * 16 + SQE_UD + UD_LO] = lo;
  w[slot * 16 + SQE_UD + 1 - UD_LO] = hi;
}

/** io_uring_prep_nop(sqe) — IORING_OP_NOP: completes with res 0. */
export function io_uring_prep_nop(sqe: io_uring_sqe): void {
  checkArgc('io_uring_prep_nop', arguments.length, 1, ['sqe']);
  const [id, seq] = sqeArg('io_uring_prep_nop', sqe);
  nativeNop(id, seq);
}

/**
 * io_uring_prep_recv(sqe, fd, buf, len, flags) — IORING_OP_RECV of up to `len` bytes into
 * `buf`: the kernel receives into the addon's memory, and the bytes are copied into `buf`
 * when the CQE arrives (io_uring_enter). `buf` is kept alive until then.
 */
export function io_uring_prep_recv(sqe: io_uring_sqe, fd: number, buf: ArrayBufferView | ArrayBuffer, len: number, flags: number): void {
  const fn = 'io_uring_prep_recv';
  checkArgc(fn, arguments.length, 5, IO_PARAMS);
  const [id, seq] = sqeArg(fn, sqe);
  checkIo(fn, fd, buf, len, flags);
  nativeRecv(id, seq, fd, buf, len, flags);
}

/**
 * io_uring_prep_send(sqe, fd, buf, len, flags) — IORING_OP_SEND of `len` bytes of `buf`,
 * copied now (buf may change afterwards). MSG_NOSIGNAL is always added; MSG_ZEROCOPY is a
 * RangeError (the kernel would keep reading the addon's copy after the CQE).
 */
export function io_uring_prep_send(sqe: io_uring_sqe, fd: number, buf: ArrayBufferView | ArrayBuffer, len: number, flags: number): void {
  const fn = 'io_uring_prep_send';
  checkArgc(fn, arguments.length, 5, IO_PARAMS);
  const [id, seq] = sqeArg(fn, sqe);
  checkIo(fn, fd, buf, len, flags);
  nativeSend(id, seq, fd, buf, len, flags);
}

const IO_PARAMS = ['sqe', 'fd', 'buf', 'len', 'flags'];
// The checks of recv and send after the sqe. Each helper calls its native function itself:
// one call site shared by both would be polymorphic, and V8 then calls the Node-API
// function through its generic path (Builtin_HandleApiCall, ~0.3 µs) instead of the
// direct one.
function checkIo(fn: string, fd: number, buf: ArrayBufferView | ArrayBuffer, len: number, flags: number): void {
  checkFd(fn, 'fd', fd);
  checkBytes(fn, 'buf', buf);
  checkInt(fn, 'len', len, 0, Number.MAX_SAFE_INTEGER);
  if (len > buf.byteLength) throw outOfRange(fn, `len ${len} exceeds the ${buf.byteLength} bytes of buf`);
  checkFlags(fn, 'flags', flags);
}

/** io_uring_prep_poll_add(sqe, fd, poll_mask) — IORING_OP_POLL_ADD: one CQE with the ready events (POLLIN, ...). */
export function io_uring_prep_poll_add(sqe: io_uring_sqe, fd: number, poll_mask: number): void {
  const fn = 'io_uring_prep_poll_add';
  checkArgc(fn, arguments.length, 3, POLL_PARAMS);
  const [id, seq] = sqeArg(fn, sqe);
  checkFd(fn, 'fd', fd);
  checkFlags(fn, 'poll_mask', poll_mask);
  nativePollAdd(id, seq, fd, poll_mask);
}

/**
 * io_uring_prep_poll_multishot(sqe, fd, poll_mask) — POLL_ADD with IORING_POLL_ADD_MULTI:
 * a CQE each time the fd becomes ready, with IORING_CQE_F_MORE while it stays armed.
 */
export function io_uring_prep_poll_multishot(sqe: io_uring_sqe, fd: number, poll_mask: number): void {
  const fn = 'io_uring_prep_poll_multishot';
  checkArgc(fn, arguments.length, 3, POLL_PARAMS);
  const [id, seq] = sqeArg(fn, sqe);
  checkFd(fn, 'fd', fd);
  checkFlags(fn, 'poll_mask', poll_mask);
  nativePollMulti(id, seq, fd, poll_mask);
}

const POLL_PARAMS = ['sqe', 'fd', 'poll_mask'];

/**
 * io_uring_prep_poll_remove(sqe, user_data) — IORING_OP_POLL_REMOVE of the submitted poll
 * whose user_data this is (res -ENOENT when there is none); the poll completes with
 * -ECANCELED.
 */
export function io_uring_prep_poll_remove(sqe: io_uring_sqe, user_data: bigint | number): void {
  checkArgc('io_uring_prep_poll_remove', arguments.length, 2, ['sqe', 'user_data']);
  const [id, seq] = sqeArg('io_uring_prep_poll_remove', sqe);
  nativePollRemove(id, seq, u64Arg('io_uring_prep_poll_remove', 'user_data', user_data));
}

/**
 * io_uring_prep_accept(sqe, fd, addr, addrlen, flags) — IORING_OP_ACCEPT; res is the new fd
 * (close-on-exec: SOCK_CLOEXEC is always added). With `addr`, the peer's address is copied
 * into it when the CQE arrives and its length into addr.addrlen; `addrlen` must be null
 * (it is the struct's own, as C's value-result length cannot outlive the call here).
 */
export function io_uring_prep_accept(sqe: io_uring_sqe, fd: number, addr: Sockaddr | null, addrlen: null, flags: number): void {
  const fn = 'io_uring_prep_accept';
  checkArgc(fn, arguments.length, 5, ['sqe', 'fd', 'addr', 'addrlen', 'flags']);
  const [id, seq] = sqeArg(fn, sqe);
  checkFd(fn, 'fd', fd);
  if (addr !== null && !isSockaddr(addr)) throw invalidType(fn, 'addr', 'a sockaddr or null', addr);
  if (addrlen !== null && addrlen !== undefined) throw invalidType(fn, 'addrlen', 'null (the length goes into addr.addrlen)', addrlen);
  checkFlags(fn, 'flags', flags);
  if (addr === null) {
    nativeAccept(id, seq, fd, null, null, flags);
    return;
  }
  addr.addrlenBox[0] = addr.bytes.length;
  nativeAccept(id, seq, fd, addr.bytes, addr.addrlenBox, flags);
}

/**
 * io_uring_prep_timeout(sqe, ts, count, flags) — IORING_OP_TIMEOUT: completes with -ETIME
 * after `ts` (copied now), or with 0 once `count` other requests completed (0: time only).
 * flags: IORING_TIMEOUT_ABS, _BOOTTIME, _REALTIME.
 */
export function io_uring_prep_timeout(sqe: io_uring_sqe, ts: timespec, count: number, flags: number): void {
  const fn = 'io_uring_prep_timeout';
  checkArgc(fn, arguments.length, 4, ['sqe', 'ts', 'count', 'flags']);
  const [id, seq] = sqeArg(fn, sqe);
  if (!isTimespec(ts)) throw invalidType(fn, 'ts', 'a timespec', ts);
  checkInt(fn, 'count', count, 0, 0xffffffff);
  checkFlags(fn, 'flags', flags);
  nativeTimeout(id, seq, ts.bytes, count, flags);
}
