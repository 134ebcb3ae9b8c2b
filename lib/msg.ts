// The msg family (native/msg.cc): readv, writev, sendmsg, recvmsg, sendmmsg, recvmmsg, the
// CMSG_* macros, and the structs around them — iovec, msghdr, mmsghdr, cmsghdr, and the
// control-message payloads in_pktinfo (IP_PKTINFO), in6_pktinfo
// (IPV6_PKTINFO); SO_TIMESTAMPNS's payload is struct.ts's timespec.
//
// C's pointer fields hold JS objects here: iovec.iov_base a buffer, msghdr.msg_name a
// sockaddr, msg_iov an array of iovec, msg_control a Uint8Array. No address is ever written
// from JS: a call reads those objects here, in TypeScript (where any getter, Proxy trap or
// array element read runs before the addon holds a pointer — native/args.h, THE RULE),
// hands the addon the buffers themselves in one flat array (`bufs`, see `Plan`) beside the
// msghdr's own value-result numbers, and the addon builds the real struct iovec[] /
// msghdr / mmsghdr[] and checks every length against the buffer it describes, per call.
// iovec.array(n) is ONE buffer laid out as struct iovec[n] (iov_len at its C offset; the
// iov_base bytes stay 0) and is passed as it is; mmsghdr.array(n)'s msghdrs keep their
// numbers in one shared Uint32Array, which the addon writes back in place.
//
// Layouts (sizeof, offsets, CMSG_SPACE, CMSG_LEN) come from the addon, never from a guess.
import { binding, type Bytes, type MsgPlan } from './binding';
import { checkArgc, checkBytes, checkFd, checkFlags, invalidType, isDetached, outOfRange } from './check';
import { IOV_MAX } from './constants';
import { kArrayBuffer, NONE, STRUCT_ARRAY_MAX, attachBytes, timespecBytes } from './mux';
import { in6_addr, in_addr, isSockaddr, type Sockaddr } from './sockaddr';
import { checkInt, LE, receiverError, Struct, type timespec } from './struct';

const IOV = binding.layout.iovec;
const CM = binding.layout.cmsghdr;
const PI = binding.layout.in_pktinfo;
const PI6 = binding.layout.in6_pktinfo;
const SIZE_MAX = Number.MAX_SAFE_INTEGER; // size_t as a JS number: exact up to 2**53 - 1
const U32 = 0xffffffff;
// The values msghdr keeps per message, in the order native/msg.cc reads them (kNums).
const NAMELEN = 0;
const IOVLEN = 1;
const CONTROLLEN = 2;
const FLAGS = 3;
const LEN = 4;
const NUMS = 5;
/** The kernel's cap on sendmmsg/recvmmsg's vlen (UIO_MAXIOV): more is silently cut to it, as in C. */
const MMSG_MAX = 1024;

/**
 * Bumped by every assignment of a field that holds a buffer or says how many a call uses
 * (iov_base, msg_name, msg_iov, msg_control, msg_iovlen), on any struct. A `Plan` (below)
 * is reused only while this is still the value it was built at; so a loop that assigns
 * none of them pays for reading its structs once, and any assignment anywhere is honoured
 * by the next call.
 */
let gen = 0;

// size_t fields (iov_len, cmsg_len) as two 32-bit halves: no BigInt per access.
function getSize(view: DataView, off: number, width: number): number {
  if (width === 4) return view.getUint32(off, LE);
  const lo = view.getUint32(off + (LE ? 0 : 4), LE);
  const hi = view.getUint32(off + (LE ? 4 : 0), LE);
  return hi * 0x1_0000_0000 + lo;
}
function setSize(view: DataView, off: number, width: number, v: number): void {
  if (width === 4) {
    view.setUint32(off, v, LE);
    return;
  }
  view.setUint32(off + (LE ? 0 : 4), v >>> 0, LE);
  view.setUint32(off + (LE ? 4 : 0), Math.floor(v / 0x1_0000_0000), LE);
}
const IOV_LEN_W = IOV.size - IOV.iov_len;
const CMSG_LEN_W = CM.cmsg_level - CM.cmsg_len;

/**
 * A struct's `bytes` argument, checked before Struct's constructor sees it: its
 * `instanceof Uint8Array` throws a bare TypeError on a revoked Proxy (ArrayBuffer.isView
 * does not run a trap, so it goes first).
 */
function viewArg(name: string, bytes: unknown): Uint8Array | undefined {
  if (bytes === undefined) return undefined;
  if (!ArrayBuffer.isView(bytes) || !(bytes instanceof Uint8Array)) throw invalidType(name, 'bytes', 'a Uint8Array', bytes);
  return bytes;
}

/** Array.isArray that says false for a revoked Proxy (where Array.isArray itself throws). */
function isArray(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

let isIovec: (o: unknown) => o is iovec;
let baseOf: (v: iovec) => Bytes | null;

/** An array made by iovec.array(n): iovec views over one buffer laid out as struct iovec[n]. */
export type IovecArray = iovec[] & { readonly [kArrayBuffer]: ArrayBuffer };

/**
 * struct iovec { void *iov_base; size_t iov_len; } — one buffer of a scatter/gather list.
 * `iov_base` holds the buffer itself (kept referenced), never an address.
 */
export class iovec extends Struct {
  #base: Bytes | null = null;
  static {
    isIovec = (o: unknown): o is iovec => typeof o === 'object' && o !== null && #base in o;
    baseOf = (v: iovec) => v.#base;
  }
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#base in o)) throw receiverError('iovec', member, o);
  }
  /** A zeroed iovec (iov_base null, iov_len 0), or a view over one entry of an iovec.array. */
  constructor(bytes?: Uint8Array) {
    checkArgc('iovec', arguments.length, 0, ['bytes']);
    super(IOV.size, viewArg('iovec', bytes));
  }
  /**
   * A real JS array of `n` iovec views over ONE buffer laid out as struct iovec[n]. n is at
   * most 1048576 (as pollfd.array); readv/writev take at most IOV_MAX of them.
   */
  static array(n: number): IovecArray {
    checkArgc('iovec.array', arguments.length, 1, ['n']);
    checkInt('iovec.array', 'n', n, 0, STRUCT_ARRAY_MAX);
    const buf = new Uint8Array(n * IOV.size);
    const items: iovec[] = new Array(n);
    for (let i = 0; i < n; i++) items[i] = new iovec(buf.subarray(i * IOV.size, (i + 1) * IOV.size));
    return attachBytes(items, buf);
  }
  /**
   * The buffer (or null). Assigning one keeps a reference to it and sets iov_len to its
   * byteLength (lower iov_len after to use part of it); null sets iov_len to 0.
   */
  get iov_base(): Bytes | null {
    iovec.#check(this, 'iov_base');
    return this.#base;
  }
  set iov_base(v: Bytes | null) {
    iovec.#check(this, 'iov_base');
    gen++;
    if (v === null) {
      this.#base = null;
      setSize(this.view, IOV.iov_len, IOV_LEN_W, 0);
      return;
    }
    const b = checkBytes('iovec', 'iov_base', v);
    this.#base = b;
    setSize(this.view, IOV.iov_len, IOV_LEN_W, b.byteLength);
  }
  /** Bytes of iov_base to use: at most iov_base's byteLength (checked again by each call). */
  get iov_len(): number {
    iovec.#check(this, 'iov_len');
    return getSize(this.view, IOV.iov_len, IOV_LEN_W);
  }
  set iov_len(v: number) {
    iovec.#check(this, 'iov_len');
    const max = this.#base === null ? 0 : this.#base.byteLength;
    checkInt('iovec', 'iov_len', v, 0, SIZE_MAX);
    if (v > max) throw outOfRange('iovec', `iov_len ${v} exceeds the ${max} bytes of iov_base`);
    setSize(this.view, IOV.iov_len, IOV_LEN_W, v);
  }
}

/**
 * @internal The iovec entries `iov[0, cnt)` as the addon takes them: the struct iovec[]
 * memory (the array's own buffer when it is an untouched iovec.array, else a copy) and the
 * iov_base buffers. Every element is read here, in TypeScript; a hole or a non-iovec is a
 * TypeError naming its index.
 */
function packIov(fn: string, param: string, iov: readonly iovec[], cnt: number, bases: Array<Bytes | null>): Uint8Array | ArrayBuffer {
  const own = (iov as Partial<IovecArray>)[kArrayBuffer];
  let mem: Uint8Array | ArrayBuffer | undefined = own;
  let copy: Uint8Array | undefined;
  for (let i = 0; i < cnt; i++) {
    const v = iov[i];
    if (!isIovec(v)) throw invalidType(fn, `${param}[${i}]`, 'an iovec', v);
    bases.push(baseOf(v));
    if (own !== undefined && copy === undefined && (v.bytes.buffer !== own || v.bytes.byteOffset !== i * IOV.size)) {
      // A replaced element: the array's buffer no longer describes it; copy every entry.
      copy = new Uint8Array(cnt * IOV.size);
      for (let j = 0; j < i; j++) copy.set((iov[j] as iovec).bytes, j * IOV.size);
    }
    if (own === undefined && copy === undefined) copy = new Uint8Array(cnt * IOV.size);
    if (copy !== undefined) copy.set(v.bytes, i * IOV.size);
  }
  if (copy !== undefined) mem = copy;
  return mem ?? NONE;
}

/** The checked count of an iovec array argument (C's iovcnt / msg_iovlen). */
function iovArray(fn: string, param: string, iov: unknown): readonly iovec[] {
  if (!isArray(iov)) throw invalidType(fn, param, 'an array of iovec', iov);
  return iov as iovec[];
}

function rwv(fn: 'readv' | 'writev', argc: number, fd: number, iov: readonly iovec[], iovcnt: number | undefined): number {
  checkArgc(fn, argc, 2, ['fd', 'iov', 'iovcnt']);
  checkFd(fn, 'fd', fd);
  const arr = iovArray(fn, 'iov', iov);
  const cnt = iovcnt === undefined ? arr.length : checkInt(fn, 'iovcnt', iovcnt, 0, 0x7fffffff);
  if (cnt > IOV_MAX) throw outOfRange(fn, `iovcnt ${cnt} is above IOV_MAX (${IOV_MAX})`);
  if (cnt > arr.length) throw outOfRange(fn, `iovcnt ${cnt} exceeds the ${arr.length} entries of iov`);
  const bases: Array<Bytes | null> = [];
  const mem = packIov(fn, 'iov', arr, cnt, bases);
  return fn === 'readv' ? binding.readv(fd, mem, bases, cnt) : binding.writev(fd, mem, bases, cnt);
}

/**
 * readv(fd, iov, iovcnt = iov.length) — man 2 readv. Reads into the iov_base buffers in
 * order; returns the bytes read (0 at end of file). iovcnt above IOV_MAX is a RangeError.
 */
export function readv(fd: number, iov: readonly iovec[], iovcnt?: number): number {
  return rwv('readv', arguments.length, fd, iov, iovcnt);
}

/**
 * writev(fd, iov, iovcnt = iov.length) — man 2 writev. Writes the iov_base buffers in order
 * (iov_len bytes of each); returns the bytes written. iovcnt above IOV_MAX is a RangeError.
 */
export function writev(fd: number, iov: readonly iovec[], iovcnt?: number): number {
  return rwv('writev', arguments.length, fd, iov, iovcnt);
}

let isMsghdr: (o: unknown) => o is msghdr;
let partsOf: (m: msghdr) => [Sockaddr | null, readonly iovec[] | null, Uint8Array | null, Uint32Array];
let numsOf: (m: msghdr) => Uint32Array;
let planOf: (m: msghdr) => Plan | null;
let setPlan: (m: msghdr, p: Plan) => void;
let adoptNums: (m: msghdr, nums: Uint32Array) => void;

/**
 * struct msghdr — the message of sendmsg/recvmsg. msg_name is a sockaddr (or null), msg_iov
 * an array of iovec (or null), msg_control a Uint8Array (or null); the lengths beside them
 * are C's value-result fields: recvmsg writes msg_namelen, msg_controllen and msg_flags
 * back, as the kernel does.
 */
export class msghdr {
  #name: Sockaddr | null = null;
  #iov: readonly iovec[] | null = null;
  #control: Uint8Array | null = null;
  // msg_namelen, msg_iovlen, msg_controllen, msg_flags, msg_len: the addon reads and writes
  // them here (in an mmsghdr.array, a slice of the array's one block).
  #nums: Uint32Array;
  #plan: Plan | null = null;
  static {
    isMsghdr = (o: unknown): o is msghdr => typeof o === 'object' && o !== null && #nums in o;
    partsOf = (m: msghdr) => [m.#name, m.#iov, m.#control, m.#nums];
    numsOf = (m: msghdr) => m.#nums;
    planOf = (m: msghdr) => m.#plan;
    setPlan = (m: msghdr, p: Plan) => {
      m.#plan = p;
    };
    adoptNums = (m: msghdr, nums: Uint32Array) => {
      nums.set(m.#nums);
      m.#nums = nums;
    };
  }
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#nums in o)) throw receiverError('msghdr', member, o);
  }
  /** An empty msghdr (every pointer null, every length 0). */
  constructor() {
    checkArgc('msghdr', arguments.length, 0, []);
    this.#nums = new Uint32Array(NUMS);
  }
  /** The peer's address (sendmsg: where to; recvmsg: filled with the sender). Assigning sets msg_namelen to its addrlen. */
  get msg_name(): Sockaddr | null {
    msghdr.#check(this, 'msg_name');
    return this.#name;
  }
  set msg_name(v: Sockaddr | null) {
    msghdr.#check(this, 'msg_name');
    if (v !== null && !isSockaddr(v)) throw invalidType('msghdr', 'msg_name', 'a sockaddr struct or null', v);
    gen++;
    this.#name = v;
    this.#nums[NAMELEN] = v === null ? 0 : v.addrlen;
  }
  /** Bytes of msg_name in use (recvmsg: its capacity in, the sender's length out). */
  get msg_namelen(): number {
    msghdr.#check(this, 'msg_namelen');
    return this.#nums[NAMELEN];
  }
  set msg_namelen(v: number) {
    msghdr.#check(this, 'msg_namelen');
    const max = this.#name === null ? 0 : this.#name.bytes.length;
    checkInt('msghdr', 'msg_namelen', v, 0, U32);
    if (v > max) throw outOfRange('msghdr', `msg_namelen ${v} exceeds the ${max} bytes of msg_name`);
    this.#nums[NAMELEN] = v;
  }
  /** The scatter/gather array. Assigning sets msg_iovlen to its length. */
  get msg_iov(): readonly iovec[] | null {
    msghdr.#check(this, 'msg_iov');
    return this.#iov;
  }
  set msg_iov(v: readonly iovec[] | null) {
    msghdr.#check(this, 'msg_iov');
    if (v !== null && !isArray(v)) throw invalidType('msghdr', 'msg_iov', 'an array of iovec or null', v);
    gen++;
    this.#iov = v;
    this.#nums[IOVLEN] = v === null ? 0 : Math.min(v.length, U32);
  }
  /** Entries of msg_iov in use (at most IOV_MAX; checked against msg_iov by each call). */
  get msg_iovlen(): number {
    msghdr.#check(this, 'msg_iovlen');
    return this.#nums[IOVLEN];
  }
  set msg_iovlen(v: number) {
    msghdr.#check(this, 'msg_iovlen');
    const n = checkInt('msghdr', 'msg_iovlen', v, 0, IOV_MAX);
    gen++;
    this.#nums[IOVLEN] = n;
  }
  /** The ancillary-data buffer (walk it with CMSG_FIRSTHDR/CMSG_NXTHDR). Assigning sets msg_controllen to its length. */
  get msg_control(): Uint8Array | null {
    msghdr.#check(this, 'msg_control');
    return this.#control;
  }
  set msg_control(v: Uint8Array | null) {
    msghdr.#check(this, 'msg_control');
    if (v !== null && !(ArrayBuffer.isView(v) && v instanceof Uint8Array)) throw invalidType('msghdr', 'msg_control', 'a Uint8Array or null', v);
    if (v !== null) checkBytes('msghdr', 'msg_control', v);
    gen++;
    this.#control = v;
    this.#nums[CONTROLLEN] = v === null ? 0 : v.byteLength;
  }
  /** Bytes of msg_control in use (recvmsg: its capacity in, the bytes of control data out). */
  get msg_controllen(): number {
    msghdr.#check(this, 'msg_controllen');
    return this.#nums[CONTROLLEN];
  }
  set msg_controllen(v: number) {
    msghdr.#check(this, 'msg_controllen');
    const max = this.#control === null ? 0 : this.#control.byteLength;
    checkInt('msghdr', 'msg_controllen', v, 0, U32);
    if (v > max) throw outOfRange('msghdr', `msg_controllen ${v} exceeds the ${max} bytes of msg_control`);
    this.#nums[CONTROLLEN] = v;
  }
  /** recvmsg's result flags: MSG_TRUNC (datagram cut), MSG_CTRUNC (control data cut), MSG_EOR, MSG_OOB, MSG_ERRQUEUE. */
  get msg_flags(): number {
    msghdr.#check(this, 'msg_flags');
    return this.#nums[FLAGS] | 0;
  }
  set msg_flags(v: number) {
    msghdr.#check(this, 'msg_flags');
    this.#nums[FLAGS] = checkFlags('msghdr', 'msg_flags', v) >>> 0;
  }
}

/**
 * What one call hands the addon (native/msg.cc `Batch`), read from its messages by
 * `plan` and kept for the next call with the same messages while `gen` has not moved (and
 * the array elements it read are still the same objects: replacing an element of a
 * msg_iov or msgvec array runs no setter, so `fresh` compares them). It holds JS objects
 * only; the addon takes every pointer and length afresh on each call, so a buffer
 * detached or shrunk since is refused, not read.
 */
interface Plan {
  gen: number;
  n: number;
  /** The msgvec entries (sendmmsg/recvmmsg), or null. */
  mm: mmsghdr[] | null;
  hdrs: msghdr[];
  /** Each message's msg_name (for the sockaddr's addrlen after a receive) and its bytes. */
  names: Array<Sockaddr | null>;
  nameBytes: Array<Uint8Array | null>;
  iovs: Array<readonly iovec[] | null>;
  /** Every iovec read, in order. */
  items: iovec[];
  /** Per message: msg_name, msg_control, the struct iovec[] memory, then the iov_base buffers. */
  bufs: unknown[];
  /** The numbers the addon reads and writes: the messages' own (shared) or a scratch copy. */
  nums: Uint32Array;
  shared: boolean;
  /** Calls made with this plan, and from the second on, `bufs` made native (bufsOf). */
  uses: number;
  native: MsgPlan | null;
}

/**
 * What a call passes as `bufs`: from a cached plan's second use, binding.msgPlan's
 * references to them (native/msg.cc: reading those costs a fraction of reading an array's
 * elements); a plan rebuilt every call (a loop that assigns a buffer field) never pays to
 * make them.
 */
function bufsOf(p: Plan): unknown[] | MsgPlan {
  if (p.native !== null) return p.native;
  if (p.gen !== -1 && ++p.uses >= 2) p.native = binding.msgPlan(p.bufs);
  return p.native ?? p.bufs;
}

/**
 * Reads every message here, in TypeScript, and checks each length against its buffer; a
 * plan with `gen` -1 (an iovec array that is not an untouched iovec.array, whose entries
 * had to be copied) is used for this call only.
 */
function plan(fn: string, param: string, hdrs: msghdr[], mm: mmsghdr[] | null): Plan {
  const n = hdrs.length;
  const p: Plan = { gen, n, mm, hdrs, names: [], nameBytes: [], iovs: [], items: [], bufs: [], nums: NO_NUMS, shared: true, uses: 0, native: null };
  let block: Uint32Array | undefined;
  for (let i = 0; i < n; i++) {
    const m = hdrs[i];
    const what = mm === null ? param : `${param}[${i}].msg_hdr`;
    if (!isMsghdr(m)) throw invalidType(fn, what, 'a msghdr', m);
    const [name, iov, control, nums] = partsOf(m);
    if (name !== null && nums[NAMELEN] > name.bytes.length) {
      throw outOfRange(fn, `${what}.msg_namelen ${nums[NAMELEN]} exceeds the ${name.bytes.length} bytes of msg_name`);
    }
    if (control !== null) {
      checkBytes(fn, `${what}.msg_control`, control);
      if (nums[CONTROLLEN] > control.byteLength) {
        throw outOfRange(fn, `${what}.msg_controllen ${nums[CONTROLLEN]} exceeds the ${control.byteLength} bytes of msg_control`);
      }
    } else if (nums[CONTROLLEN] > 0) {
      throw outOfRange(fn, `${what}.msg_controllen ${nums[CONTROLLEN]} exceeds the 0 bytes of msg_control`);
    }
    const cnt = nums[IOVLEN];
    const arr = iov ?? [];
    if (cnt > IOV_MAX) throw outOfRange(fn, `${what}.msg_iovlen ${cnt} is above IOV_MAX (${IOV_MAX})`);
    if (cnt > arr.length) throw outOfRange(fn, `${what}.msg_iovlen ${cnt} exceeds the ${arr.length} entries of msg_iov`);
    const nameBytes = name === null ? null : name.bytes;
    p.names.push(name);
    p.nameBytes.push(nameBytes);
    p.iovs.push(iov);
    p.bufs.push(nameBytes ?? NONE, control ?? NONE, NONE);
    const at = p.bufs.length - 1;
    const bases: Array<Bytes | null> = [];
    const mem = packIov(fn, `${what}.msg_iov`, arr, cnt, bases);
    p.bufs[at] = mem;
    for (let j = 0; j < cnt; j++) {
      p.items.push(arr[j]);
      p.bufs.push(bases[j] ?? NONE);
    }
    if (cnt > 0 && mem !== (arr as Partial<IovecArray>)[kArrayBuffer]) p.gen = -1;
    // The numbers are shared when message i's are the i-th slice of one block.
    if (i === 0) block = nums.byteOffset === 0 ? new Uint32Array(nums.buffer) : undefined;
    if (block === undefined || nums.buffer !== block.buffer || nums.byteOffset !== i * NUMS * 4) p.shared = false;
  }
  if (n === 1 && mm === null) {
    p.nums = numsOf(hdrs[0]);
    p.shared = true;
  } else if (p.shared && block !== undefined) p.nums = block;
  else {
    p.shared = false;
    p.nums = new Uint32Array(n * NUMS);
  }
  return p;
}
const NO_NUMS = new Uint32Array(0);

/** Whether `p` still describes these messages (see Plan). */
function fresh(p: Plan, n: number, msgvec: readonly mmsghdr[] | null): boolean {
  if (p.gen !== gen || p.n !== n) return false;
  const { hdrs, iovs, items, names, nameBytes } = p;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (msgvec !== null) {
      const e = msgvec[i];
      if (e !== (p.mm as mmsghdr[])[i] || e.msg_hdr !== hdrs[i]) return false;
    }
    const name = names[i];
    if (name !== null && name.bytes !== nameBytes[i]) return false;
    const iov = iovs[i];
    const cnt = numsOf(hdrs[i])[IOVLEN];
    for (let j = 0; j < cnt; j++) if ((iov as readonly iovec[])[j] !== items[k++]) return false;
  }
  // Again: an element read above may have run a getter that assigned a field.
  return p.gen === gen;
}

/** Before the call: a scratch copy takes the messages' numbers. */
function numsIn(p: Plan): void {
  if (p.shared) return;
  for (let i = 0; i < p.n; i++) p.nums.set(numsOf(p.hdrs[i]), i * NUMS);
}

/** After the call, for the first `n` messages: the numbers back (a scratch copy), and each msg_name's addrlen after a receive. */
function numsOut(p: Plan, n: number, recv: boolean): void {
  for (let i = 0; i < n; i++) {
    const nums = numsOf(p.hdrs[i]);
    if (!p.shared) {
      if (recv) for (let j = 0; j < NUMS; j++) nums[j] = p.nums[i * NUMS + j];
      else nums[LEN] = p.nums[i * NUMS + LEN];
    }
    // The sockaddr's own addrlen follows msg_namelen, as recvfrom's does.
    const name = p.names[i];
    if (recv && name !== null) name.addrlenBox[0] = Math.min(nums[NAMELEN], name.bytes.length);
  }
}

function msgCall(fn: 'sendmsg' | 'recvmsg', name: string, argc: number, fd: number, msg: msghdr, flags: number | undefined, tryMode: boolean): number {
  checkArgc(name, argc, 2, ['fd', 'msg', 'flags']);
  checkFd(name, 'fd', fd);
  const f = flags === undefined ? 0 : checkFlags(name, 'flags', flags);
  if (!isMsghdr(msg)) throw invalidType(name, 'msg', 'a msghdr', msg);
  let p = planOf(msg);
  if (p === null || !fresh(p, 1, null)) {
    p = plan(name, 'msg', [msg], null);
    if (p.gen !== -1) setPlan(msg, p);
  }
  // Everything user code could run (getters, Proxies, element reads) ran above; the addon
  // takes its pointers from p.bufs / p.nums, which hold only our own arrays and buffers.
  const bufs = bufsOf(p);
  // Four direct calls, not one through a variable: V8 then calls the addon function directly.
  if (fn === 'sendmsg') return tryMode ? binding.trySendmsg(fd, 1, bufs, p.nums, f) : binding.sendmsg(fd, 1, bufs, p.nums, f);
  const r = tryMode ? binding.tryRecvmsg(fd, 1, bufs, p.nums, f) : binding.recvmsg(fd, 1, bufs, p.nums, f);
  if (r >= 0) numsOut(p, 1, true);
  return r;
}

/**
 * sendmsg(fd, msg, flags = 0) — man 2 sendmsg. Sends msg_iov's bytes (to msg_name if set)
 * with msg_control's ancillary data; returns the bytes sent. MSG_NOSIGNAL is always added.
 */
export function sendmsg(fd: number, msg: msghdr, flags?: number): number {
  return msgCall('sendmsg', 'sendmsg', arguments.length, fd, msg, flags, false);
}

/**
 * recvmsg(fd, msg, flags = 0) — man 2 recvmsg. Receives into msg_iov, the sender into
 * msg_name and ancillary data into msg_control; writes msg_namelen, msg_controllen and
 * msg_flags (MSG_TRUNC, MSG_CTRUNC) back. Returns the bytes received. MSG_CMSG_CLOEXEC is
 * always added: every fd received through SCM_RIGHTS is close-on-exec.
 */
export function recvmsg(fd: number, msg: msghdr, flags?: number): number {
  return msgCall('recvmsg', 'recvmsg', arguments.length, fd, msg, flags, false);
}

/**
 * @internal As sendmsg/recvmsg, but -EAGAIN instead of throwing (the async layer's attempt);
 * argument errors name `name`. Every argument is checked before the syscall.
 */
export function tryMsg(fn: 'sendmsg' | 'recvmsg', name: string, fd: number, msg: msghdr, flags: number): number {
  return msgCall(fn, name, 3, fd, msg, flags, true);
}

let isMmsghdr: (o: unknown) => o is mmsghdr;

/** An array made by mmsghdr.array(n). */
export type MmsghdrArray = mmsghdr[];

/** struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } — one entry of sendmmsg/recvmmsg. */
export class mmsghdr {
  /** The message. */
  readonly msg_hdr: msghdr;
  #mm: undefined;
  static {
    isMmsghdr = (o: unknown): o is mmsghdr => typeof o === 'object' && o !== null && #mm in o;
  }
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#mm in o)) throw receiverError('mmsghdr', member, o);
  }
  /** An mmsghdr with an empty msg_hdr. */
  constructor() {
    checkArgc('mmsghdr', arguments.length, 0, []);
    this.msg_hdr = new msghdr();
  }
  /**
   * `n` mmsghdr entries (n at most 1048576; a call uses at most 1024 of them, as the
   * kernel's UIO_MAXIOV). Their msghdrs keep their numbers in one block, which a call over
   * the array's first entries hands the addon as it is.
   */
  static array(n: number): MmsghdrArray {
    checkArgc('mmsghdr.array', arguments.length, 1, ['n']);
    checkInt('mmsghdr.array', 'n', n, 0, STRUCT_ARRAY_MAX);
    const block = new Uint32Array(n * NUMS);
    const out: mmsghdr[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = new mmsghdr();
      adoptNums(out[i].msg_hdr, block.subarray(i * NUMS, (i + 1) * NUMS));
    }
    return out;
  }
  /** The bytes sent or received for this entry (written by the call). */
  get msg_len(): number {
    mmsghdr.#check(this, 'msg_len');
    return numsOf(this.msg_hdr)[LEN];
  }
}

// The plans of msgvec arrays (see Plan).
const mmsgPlans = new WeakMap<readonly mmsghdr[], Plan>();

function mmsgArgs(fn: string, fd: number, msgvec: readonly mmsghdr[], vlen: number, flags: number): Plan {
  checkFd(fn, 'fd', fd);
  if (!isArray(msgvec)) throw invalidType(fn, 'msgvec', 'an array of mmsghdr', msgvec);
  checkInt(fn, 'vlen', vlen, 0, U32);
  checkFlags(fn, 'flags', flags);
  if (vlen > msgvec.length) throw outOfRange(fn, `vlen ${vlen} exceeds the ${msgvec.length} entries of msgvec`);
  const n = Math.min(vlen, MMSG_MAX);
  const cached = mmsgPlans.get(msgvec);
  if (cached !== undefined && fresh(cached, n, msgvec)) return cached;
  const mm: mmsghdr[] = new Array(n);
  const hdrs: msghdr[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = msgvec[i];
    if (!isMmsghdr(m)) throw invalidType(fn, `msgvec[${i}]`, 'an mmsghdr', m);
    mm[i] = m;
    hdrs[i] = m.msg_hdr;
  }
  const p = plan(fn, 'msgvec', hdrs, mm);
  if (p.gen !== -1) mmsgPlans.set(msgvec, p);
  return p;
}

/**
 * sendmmsg(fd, msgvec, vlen, flags) — man 2 sendmmsg. Sends msgvec[0, vlen) (at most 1024,
 * as the kernel) and returns how many were sent; each sent entry's msg_len is set. A failure
 * on the first message throws; on a later one the count so far is returned, as C.
 * MSG_NOSIGNAL is always added. One plain call (no EINTR rule: see docs/api.md).
 */
export function sendmmsg(fd: number, msgvec: readonly mmsghdr[], vlen: number, flags: number): number {
  checkArgc('sendmmsg', arguments.length, 4, ['fd', 'msgvec', 'vlen', 'flags']);
  const p = mmsgArgs('sendmmsg', fd, msgvec, vlen, flags);
  numsIn(p);
  const r = binding.sendmmsg(fd, p.n, bufsOf(p), p.nums, flags);
  numsOut(p, r, false);
  return r;
}

/**
 * recvmmsg(fd, msgvec, vlen, flags, timeout = null) — man 2 recvmmsg. Receives up to vlen
 * datagrams (at most 1024) in one call; returns how many; fills each entry as recvmsg does
 * and sets its msg_len. `timeout` is a timespec (null: none). MSG_CMSG_CLOEXEC is always added.
 */
export function recvmmsg(fd: number, msgvec: readonly mmsghdr[], vlen: number, flags: number, timeout?: timespec | null): number {
  checkArgc('recvmmsg', arguments.length, 4, ['fd', 'msgvec', 'vlen', 'flags', 'timeout']);
  const tmo = timespecBytes('recvmmsg', 'timeout', timeout);
  const p = mmsgArgs('recvmmsg', fd, msgvec, vlen, flags);
  numsIn(p);
  const r = binding.recvmmsg(fd, p.n, bufsOf(p), p.nums, flags, tmo);
  numsOut(p, r, true);
  return r;
}

// ---- ancillary data --------------------------------------------------------------------

/** CMSG_SPACE(length) — man 3 cmsg: the bytes a control message with `length` data bytes takes, padding included (the C macro, from the addon). */
export const CMSG_SPACE: (length: number) => number = binding.CMSG_SPACE;

/** CMSG_LEN(length) — man 3 cmsg: the cmsg_len of a control message with `length` data bytes (the C macro, from the addon). */
export const CMSG_LEN: (length: number) => number = binding.CMSG_LEN;

const align = (n: number) => Math.ceil(n / CM.align) * CM.align;
let isCmsghdr: (o: unknown) => o is cmsghdr;
let roomOf: (c: cmsghdr) => Uint8Array;

/**
 * struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } — the header of one
 * control message, a view into msg_control (CMSG_FIRSTHDR / CMSG_NXTHDR make them).
 */
export class cmsghdr extends Struct {
  // The bytes from this header to the end of the control data: CMSG_DATA never reaches past them.
  readonly #room: Uint8Array;
  static {
    isCmsghdr = (o: unknown): o is cmsghdr => typeof o === 'object' && o !== null && #room in o;
    roomOf = (c: cmsghdr) => c.#room;
  }
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#room in o)) throw receiverError('cmsghdr', member, o);
  }
  /** A zeroed cmsghdr, or a view over the start of `bytes` (its data is what follows, up to bytes' end). */
  constructor(bytes?: Uint8Array) {
    checkArgc('cmsghdr', arguments.length, 0, ['bytes']);
    super(CM.size, viewArg('cmsghdr', bytes));
    this.#room = bytes ?? this.bytes;
  }
  /** CMSG_LEN(data bytes): the header plus its data, without the trailing padding. */
  get cmsg_len(): number {
    cmsghdr.#check(this, 'cmsg_len');
    return getSize(this.view, CM.cmsg_len, CMSG_LEN_W);
  }
  set cmsg_len(v: number) {
    cmsghdr.#check(this, 'cmsg_len');
    setSize(this.view, CM.cmsg_len, CMSG_LEN_W, checkInt('cmsghdr', 'cmsg_len', v, 0, SIZE_MAX));
  }
  /** The originating protocol: SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6. */
  get cmsg_level(): number {
    cmsghdr.#check(this, 'cmsg_level');
    return this.view.getInt32(CM.cmsg_level, LE);
  }
  set cmsg_level(v: number) {
    cmsghdr.#check(this, 'cmsg_level');
    this.view.setInt32(CM.cmsg_level, checkInt('cmsghdr', 'cmsg_level', v, -0x80000000, 0x7fffffff), LE);
  }
  /** The message type: SCM_RIGHTS, SCM_CREDENTIALS, IP_PKTINFO, SCM_TIMESTAMPNS, ... */
  get cmsg_type(): number {
    cmsghdr.#check(this, 'cmsg_type');
    return this.view.getInt32(CM.cmsg_type, LE);
  }
  set cmsg_type(v: number) {
    cmsghdr.#check(this, 'cmsg_type');
    this.view.setInt32(CM.cmsg_type, checkInt('cmsghdr', 'cmsg_type', v, -0x80000000, 0x7fffffff), LE);
  }
}

function controlOf(fn: string, msg: msghdr): Uint8Array | null {
  if (!isMsghdr(msg)) throw invalidType(fn, 'msgh', 'a msghdr', msg);
  const [, , control, nums] = partsOf(msg);
  if (control === null) return null;
  if (isDetached(control.buffer)) return null;
  return control.subarray(0, Math.min(nums[CONTROLLEN], control.byteLength));
}

/** The header at `off` of `control`, if a whole one fits there. */
function headerAt(control: Uint8Array, off: number): cmsghdr | null {
  if (off + CM.size > control.byteLength) return null;
  return new cmsghdr(control.subarray(off));
}

/**
 * CMSG_FIRSTHDR(msgh) — man 3 cmsg: the first control message of msg_control[0,
 * msg_controllen), or null when not even a header fits.
 */
export function CMSG_FIRSTHDR(msgh: msghdr): cmsghdr | null {
  checkArgc('CMSG_FIRSTHDR', arguments.length, 1, ['msgh']);
  const control = controlOf('CMSG_FIRSTHDR', msgh);
  return control === null ? null : headerAt(control, 0);
}

/**
 * CMSG_NXTHDR(msgh, cmsg) — man 3 cmsg: the control message after `cmsg`, or null. As
 * glibc's: null when cmsg_len is below a header, or when the next header or its cmsg_len
 * would reach past msg_controllen — so garbage lengths end the walk instead of wandering.
 */
export function CMSG_NXTHDR(msgh: msghdr, cmsg: cmsghdr): cmsghdr | null {
  checkArgc('CMSG_NXTHDR', arguments.length, 2, ['msgh', 'cmsg']);
  const control = controlOf('CMSG_NXTHDR', msgh);
  if (!isCmsghdr(cmsg)) throw invalidType('CMSG_NXTHDR', 'cmsg', 'a cmsghdr', cmsg);
  if (control === null) return null;
  const off = cmsg.bytes.byteOffset - control.byteOffset;
  if (cmsg.bytes.buffer !== control.buffer || off < 0 || off + CM.size > control.byteLength) {
    throw outOfRange('CMSG_NXTHDR', 'cmsg is not a header inside msgh.msg_control');
  }
  const len = cmsg.cmsg_len;
  if (len < CM.size) return null;
  const next = off + align(len);
  const h = headerAt(control, next);
  if (h === null) return null;
  if (next + align(h.cmsg_len) > control.byteLength) return null;
  return h;
}

/**
 * CMSG_DATA(cmsg) — man 3 cmsg: the data of a control message, as a Uint8Array view into
 * the control buffer (writes go into it): cmsg_len - CMSG_LEN(0) bytes, cut at the end of
 * the control data; empty when cmsg_len is below a header.
 */
export function CMSG_DATA(cmsg: cmsghdr): Uint8Array {
  checkArgc('CMSG_DATA', arguments.length, 1, ['cmsg']);
  if (!isCmsghdr(cmsg)) throw invalidType('CMSG_DATA', 'cmsg', 'a cmsghdr', cmsg);
  const room = roomOf(cmsg);
  const end = Math.min(cmsg.cmsg_len, room.byteLength);
  return end <= CM.data ? room.subarray(CM.data, CM.data) : room.subarray(CM.data, end);
}

/**
 * scmRights(cmsg) — friendly helper: the fds of an SCM_RIGHTS message (whole ints of
 * CMSG_DATA only; a partial trailing int is ignored). An empty array for any other type.
 */
export function scmRights(cmsg: cmsghdr): number[] {
  checkArgc('scmRights', arguments.length, 1, ['cmsg']);
  if (!isCmsghdr(cmsg)) throw invalidType('scmRights', 'cmsg', 'a cmsghdr', cmsg);
  if (cmsg.cmsg_level !== binding.constants.SOL_SOCKET || cmsg.cmsg_type !== binding.constants.SCM_RIGHTS) return [];
  const d = CMSG_DATA(cmsg);
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= d.byteLength; i += 4) out.push(v.getInt32(i, LE));
  return out;
}

/** struct in_pktinfo — IP_PKTINFO data: the interface and addresses of a received datagram. */
export class in_pktinfo extends Struct {
  #brand: undefined;
  /** The local address the datagram was routed by (a view). */
  readonly ipi_spec_dst: in_addr;
  /** The header's destination address (a view). */
  readonly ipi_addr: in_addr;
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('in_pktinfo', member, o);
  }
  /** A zeroed in_pktinfo, or a view over `bytes` (CMSG_DATA of an IP_PKTINFO message). */
  constructor(bytes?: Uint8Array) {
    checkArgc('in_pktinfo', arguments.length, 0, ['bytes']);
    super(PI.size, viewArg('in_pktinfo', bytes));
    this.ipi_spec_dst = new in_addr(this.bytes.subarray(PI.ipi_spec_dst, PI.ipi_spec_dst + 4));
    this.ipi_addr = new in_addr(this.bytes.subarray(PI.ipi_addr, PI.ipi_addr + 4));
  }
  /** The interface index the datagram arrived on. */
  get ipi_ifindex(): number {
    in_pktinfo.#check(this, 'ipi_ifindex');
    return this.view.getInt32(PI.ipi_ifindex, LE);
  }
  set ipi_ifindex(v: number) {
    in_pktinfo.#check(this, 'ipi_ifindex');
    this.view.setInt32(PI.ipi_ifindex, checkInt('in_pktinfo', 'ipi_ifindex', v, -0x80000000, 0x7fffffff), LE);
  }
}

/** struct in6_pktinfo — IPV6_PKTINFO data: the destination address and interface of a received datagram. */
export class in6_pktinfo extends Struct {
  #brand: undefined;
  /** The destination address (a view). */
  readonly ipi6_addr: in6_addr;
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('in6_pktinfo', member, o);
  }
  /** A zeroed in6_pktinfo, or a view over `bytes` (CMSG_DATA of an IPV6_PKTINFO message). */
  constructor(bytes?: Uint8Array) {
    checkArgc('in6_pktinfo', arguments.length, 0, ['bytes']);
    super(PI6.size, viewArg('in6_pktinfo', bytes));
    this.ipi6_addr = new in6_addr(this.bytes.subarray(PI6.ipi6_addr, PI6.ipi6_addr + 16));
  }
  /** The interface index. */
  get ipi6_ifindex(): number {
    in6_pktinfo.#check(this, 'ipi6_ifindex');
    return this.view.getUint32(PI6.ipi6_ifindex, LE);
  }
  set ipi6_ifindex(v: number) {
    in6_pktinfo.#check(this, 'ipi6_ifindex');
    this.view.setUint32(PI6.ipi6_ifindex, checkInt('in6_pktinfo', 'ipi6_ifindex', v, 0, U32), LE);
  }
}
