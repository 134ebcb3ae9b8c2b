// Socket addresses: sockaddr_in, sockaddr_in6, sockaddr_un, sockaddr_storage, each one
// buffer laid out as the kernel expects (offsets from native/sockaddr.cc), plus the byte
// order helpers and the friendly parseAddress / toString beside them.
import { binding } from './binding';
import { AF_INET, AF_INET6, AF_NETLINK, AF_UNIX } from './constants';
import { checkArgc, checkInt, detached, illegalConstructor, invalidType, isDetached, outOfRange } from './check';
import { LE, Struct, receiverError } from './struct';

const IN = binding.layout.sockaddr_in;
const IN6 = binding.layout.sockaddr_in6;
const UN = binding.layout.sockaddr_un;
const SS = binding.layout.sockaddr_storage;
const NL = binding.layout.sockaddr_nl;
const SUN_PATH_MAX = UN.size - UN.sun_path;

function swap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}
function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0;
}

/** htons(hostshort) — man 3 byteorder: 16-bit host to network byte order. */
export function htons(hostshort: number): number {
  checkArgc('htons', arguments.length, 1, ['hostshort']);
  checkInt('htons', 'hostshort', hostshort, 0, 0xffff);
  return LE ? swap16(hostshort) : hostshort;
}
/** ntohs(netshort) — man 3 byteorder: 16-bit network to host byte order. */
export function ntohs(netshort: number): number {
  checkArgc('ntohs', arguments.length, 1, ['netshort']);
  checkInt('ntohs', 'netshort', netshort, 0, 0xffff);
  return LE ? swap16(netshort) : netshort;
}
/** htonl(hostlong) — man 3 byteorder: 32-bit host to network byte order (unsigned result). */
export function htonl(hostlong: number): number {
  checkArgc('htonl', arguments.length, 1, ['hostlong']);
  checkInt('htonl', 'hostlong', hostlong, 0, 0xffffffff);
  return LE ? swap32(hostlong) : hostlong;
}
/** ntohl(netlong) — man 3 byteorder: 32-bit network to host byte order (unsigned result). */
export function ntohl(netlong: number): number {
  checkArgc('ntohl', arguments.length, 1, ['netlong']);
  checkInt('ntohl', 'netlong', netlong, 0, 0xffffffff);
  return LE ? swap32(netlong) : netlong;
}


/** Whether `v` is a constructed in_addr (internal: inet.ts). */
export let isInAddr: (v: unknown) => v is in_addr;
/** Whether `v` is a constructed in6_addr (internal: inet.ts). */
export let isIn6Addr: (v: unknown) => v is in6_addr;
/** Whether `v` is a constructed sockaddr of any family (internal: socket.ts, io.ts). */
export let isSockaddr: (v: unknown) => v is Sockaddr;

/** struct in_addr — an IPv4 address; `s_addr` is in network byte order, as in C. */
export class in_addr extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('in_addr', member, o);
  }
  static {
    isInAddr = (o: unknown): o is in_addr => typeof o === 'object' && o !== null && #brand in o;
  }
  /** A zeroed in_addr, or a view over 4 bytes of another struct. */
  constructor(bytes?: Uint8Array) {
    checkArgc('in_addr', arguments.length, 0, ['bytes']);
    super(4, bytes);
  }
  /** The address as an unsigned 32-bit number in network byte order. */
  get s_addr(): number {
    in_addr.#check(this, 's_addr');
    return this.view.getUint32(0, LE);
  }
  set s_addr(v: number) {
    in_addr.#check(this, 's_addr');
    this.view.setUint32(0, checkInt('in_addr', 's_addr', v, 0, 0xffffffff), LE);
  }
}

/** struct in6_addr — an IPv6 address; `s6_addr` is its 16 bytes. */
export class in6_addr extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('in6_addr', member, o);
  }
  static {
    isIn6Addr = (o: unknown): o is in6_addr => typeof o === 'object' && o !== null && #brand in o;
  }
  /** A zeroed in6_addr, or a view over 16 bytes of another struct. */
  constructor(bytes?: Uint8Array) {
    checkArgc('in6_addr', arguments.length, 0, ['bytes']);
    super(16, bytes);
  }
  /** The 16 address bytes (a view: writes go into the struct). */
  get s6_addr(): Uint8Array {
    in6_addr.#check(this, 's6_addr');
    return this.bytes;
  }
}

/**
 * The base of every socket address. `addrlen` is the socklen_t that travels with it: what
 * bind/connect/sendto pass, and what accept/getsockname/recvfrom store the kernel's length in.
 */
export abstract class Sockaddr extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('sockaddr', member, o);
  }
  static {
    isSockaddr = (o: unknown): o is Sockaddr => typeof o === 'object' && o !== null && #brand in o;
  }
  /** socklen_t storage, shared by views of the same address (storage.cast()). */
  readonly addrlenBox: Uint32Array;

  protected constructor(size: number, bytes?: Uint8Array, addrlenBox?: Uint32Array) {
    const name = new.target.name;
    if (new.target === Sockaddr) throw illegalConstructor('Sockaddr');
    if (addrlenBox !== undefined && !(ArrayBuffer.isView(addrlenBox) && addrlenBox instanceof Uint32Array && addrlenBox.length >= 1)) {
      throw invalidType(name, 'addrlenBox', 'a Uint32Array of length >= 1', addrlenBox);
    }
    super(size, bytes);
    this.addrlenBox = addrlenBox ?? new Uint32Array([size]);
  }
  /** The address length: sizeof the struct, or what the kernel last reported. */
  get addrlen(): number {
    Sockaddr.#check(this, 'addrlen');
    return this.addrlenBox[0];
  }
  set addrlen(v: number) {
    Sockaddr.#check(this, 'addrlen');
    this.addrlenBox[0] = checkInt(this.constructor.name, 'addrlen', v, 0, this.bytes.length);
  }
  /** The address family field (sa_family_t), common to every sockaddr. */
  get family(): number {
    Sockaddr.#check(this, 'family');
    return this.view.getUint16(0, LE);
  }
  /** The address as text: '127.0.0.1:8888', '[::1]:8888', '/path', '@abstract'. */
  abstract override toString(): string;
}

/**
 * socklen_t as C's value-result argument: `socklen_t len = sizeof addr; accept(fd, &addr,
 * &len)` is `const len = new socklen_t(sizeof(addr)); accept(fd, addr, len)`. The call reads
 * `value` as the capacity and stores the kernel's length back into it.
 */
export class socklen_t {
  /** The length in bytes. */
  value: number;
  /** A length box holding `value`. */
  constructor(value = 0) {
    checkArgc('socklen_t', arguments.length, 0, ['value']);
    this.value = checkInt('socklen_t', 'value', value, 0, 0xffffffff);
  }
}

/** An addrlen argument: a plain number (the capacity, as C's `sizeof addr`) or a socklen_t. */
export type Addrlen = number | socklen_t;

/** struct sockaddr_in — man 7 ip. `sin_port` and `sin_addr.s_addr` are in network byte order. */
export class sockaddr_in extends Sockaddr {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('sockaddr_in', member, o);
  }
  /** The address part (a view into this struct). */
  readonly sin_addr: in_addr;

  /** A zeroed sockaddr_in with sin_family = AF_INET; or a view over `bytes`. */
  constructor(bytes?: Uint8Array, addrlenBox?: Uint32Array) {
    checkArgc('sockaddr_in', arguments.length, 0, ['bytes', 'addrlenBox']);
    super(IN.size, bytes, addrlenBox);
    this.sin_addr = new in_addr(this.bytes.subarray(IN.sin_addr, IN.sin_addr + 4));
    if (bytes === undefined) this.sin_family = AF_INET;
  }
  /** Address family: AF_INET. */
  get sin_family(): number {
    sockaddr_in.#check(this, 'sin_family');
    return this.view.getUint16(IN.sin_family, LE);
  }
  set sin_family(v: number) {
    sockaddr_in.#check(this, 'sin_family');
    this.view.setUint16(IN.sin_family, checkInt('sockaddr_in', 'sin_family', v, 0, 0xffff), LE);
  }
  /** Port in network byte order: assign htons(port). */
  get sin_port(): number {
    sockaddr_in.#check(this, 'sin_port');
    return this.view.getUint16(IN.sin_port, LE);
  }
  set sin_port(v: number) {
    sockaddr_in.#check(this, 'sin_port');
    this.view.setUint16(IN.sin_port, checkInt('sockaddr_in', 'sin_port', v, 0, 0xffff), LE);
  }
  override toString(): string {
    sockaddr_in.#check(this, 'toString');
    return `${binding.inet_ntop(AF_INET, this.sin_addr.bytes)}:${ntohs(this.sin_port)}`;
  }
}

/** struct sockaddr_in6 — man 7 ipv6. `sin6_port` is in network byte order. */
export class sockaddr_in6 extends Sockaddr {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('sockaddr_in6', member, o);
  }
  /** The address part (a view into this struct). */
  readonly sin6_addr: in6_addr;

  /** A zeroed sockaddr_in6 with sin6_family = AF_INET6; or a view over `bytes`. */
  constructor(bytes?: Uint8Array, addrlenBox?: Uint32Array) {
    checkArgc('sockaddr_in6', arguments.length, 0, ['bytes', 'addrlenBox']);
    super(IN6.size, bytes, addrlenBox);
    this.sin6_addr = new in6_addr(this.bytes.subarray(IN6.sin6_addr, IN6.sin6_addr + 16));
    if (bytes === undefined) this.sin6_family = AF_INET6;
  }
  /** Address family: AF_INET6. */
  get sin6_family(): number {
    sockaddr_in6.#check(this, 'sin6_family');
    return this.view.getUint16(IN6.sin6_family, LE);
  }
  set sin6_family(v: number) {
    sockaddr_in6.#check(this, 'sin6_family');
    this.view.setUint16(IN6.sin6_family, checkInt('sockaddr_in6', 'sin6_family', v, 0, 0xffff), LE);
  }
  /** Port in network byte order: assign htons(port). */
  get sin6_port(): number {
    sockaddr_in6.#check(this, 'sin6_port');
    return this.view.getUint16(IN6.sin6_port, LE);
  }
  set sin6_port(v: number) {
    sockaddr_in6.#check(this, 'sin6_port');
    this.view.setUint16(IN6.sin6_port, checkInt('sockaddr_in6', 'sin6_port', v, 0, 0xffff), LE);
  }
  /** Flow information, as stored (network byte order). */
  get sin6_flowinfo(): number {
    sockaddr_in6.#check(this, 'sin6_flowinfo');
    return this.view.getUint32(IN6.sin6_flowinfo, LE);
  }
  set sin6_flowinfo(v: number) {
    sockaddr_in6.#check(this, 'sin6_flowinfo');
    this.view.setUint32(IN6.sin6_flowinfo, checkInt('sockaddr_in6', 'sin6_flowinfo', v, 0, 0xffffffff), LE);
  }
  /** Scope (interface index) for link-local addresses, host byte order. */
  get sin6_scope_id(): number {
    sockaddr_in6.#check(this, 'sin6_scope_id');
    return this.view.getUint32(IN6.sin6_scope_id, LE);
  }
  set sin6_scope_id(v: number) {
    sockaddr_in6.#check(this, 'sin6_scope_id');
    this.view.setUint32(IN6.sin6_scope_id, checkInt('sockaddr_in6', 'sin6_scope_id', v, 0, 0xffffffff), LE);
  }
  override toString(): string {
    sockaddr_in6.#check(this, 'toString');
    const scope = this.sin6_scope_id !== 0 ? `%${this.sin6_scope_id}` : '';
    return `[${binding.inet_ntop(AF_INET6, this.sin6_addr.bytes)}${scope}]:${ntohs(this.sin6_port)}`;
  }
}

/**
 * struct sockaddr_un — man 7 unix. Assigning `sun_path` a string stores a pathname (NUL
 * terminated; addrlen = offsetof(sun_path) + length + 1); assigning bytes that start with
 * 0 stores an abstract name exactly, embedded NULs included (addrlen = offsetof + length).
 * Assigning '' (or empty bytes) stores no name: addrlen = sizeof(sa_family_t), with which
 * bind() autobinds an abstract name, as C's `bind(fd, &addr, sizeof(sa_family_t))`.
 */
export class sockaddr_un extends Sockaddr {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('sockaddr_un', member, o);
  }
  /** A zeroed sockaddr_un with sun_family = AF_UNIX; or a view over `bytes`. */
  constructor(bytes?: Uint8Array, addrlenBox?: Uint32Array) {
    checkArgc('sockaddr_un', arguments.length, 0, ['bytes', 'addrlenBox']);
    super(UN.size, bytes, addrlenBox);
    if (bytes === undefined) {
      this.sun_family = AF_UNIX;
      this.addrlenBox[0] = UN.sun_path;
    }
  }
  /** Address family: AF_UNIX. */
  get sun_family(): number {
    sockaddr_un.#check(this, 'sun_family');
    return this.view.getUint16(UN.sun_family, LE);
  }
  set sun_family(v: number) {
    sockaddr_un.#check(this, 'sun_family');
    this.view.setUint16(UN.sun_family, checkInt('sockaddr_un', 'sun_family', v, 0, 0xffff), LE);
  }
  /**
   * The path: a pathname as a string, or an abstract name as a string starting with '\0'
   * (decoded as UTF-8; use pathBytes() for the exact bytes). '' for an unnamed socket.
   */
  get sun_path(): string {
    sockaddr_un.#check(this, 'sun_path');
    const raw = this.pathBytes();
    if (raw.length > 0 && raw[0] === 0) return Buffer.from(raw).toString('utf8');
    const nul = raw.indexOf(0);
    return Buffer.from(nul >= 0 ? raw.subarray(0, nul) : raw).toString('utf8');
  }
  set sun_path(v: string | Uint8Array) {
    sockaddr_un.#check(this, 'sun_path');
    let raw: Uint8Array;
    let terminated: boolean;
    if (typeof v === 'string') {
      raw = Buffer.from(v, 'utf8');
      // A string starting with NUL names an abstract socket: no terminator, exact length.
      // '' is no name at all (C's addrlen = sizeof(sa_family_t)): bind autobinds.
      terminated = raw.length > 0 && raw[0] !== 0;
      if (terminated && raw.includes(0)) {
        throw outOfRange('sockaddr_un', 'sun_path must not contain NUL characters in a pathname');
      }
    } else if (ArrayBuffer.isView(v) && v instanceof Uint8Array) {
      if (v.byteLength === 0 && isDetached(v.buffer)) throw detached('sockaddr_un', 'sun_path');
      raw = v;
      terminated = false;
    } else {
      throw invalidType('sockaddr_un', 'sun_path', 'a string or a Uint8Array', v);
    }
    const need = raw.length + (terminated ? 1 : 0);
    if (need > SUN_PATH_MAX) {
      throw outOfRange(
        'sockaddr_un',
        `sun_path needs ${need} bytes${terminated ? ' with its NUL' : ''}, but sun_path holds ${SUN_PATH_MAX}`,
      );
    }
    this.bytes.fill(0, UN.sun_path);
    this.bytes.set(raw, UN.sun_path);
    this.addrlenBox[0] = UN.sun_path + need;
  }
  /** The exact bytes of sun_path covered by addrlen (terminating NUL excluded). */
  pathBytes(): Uint8Array {
    sockaddr_un.#check(this, 'pathBytes');
    const end = Math.min(this.addrlen, UN.size);
    let raw = this.bytes.subarray(UN.sun_path, Math.max(end, UN.sun_path));
    if (raw.length > 0 && raw[0] !== 0) {
      const nul = raw.indexOf(0);
      if (nul >= 0) raw = raw.subarray(0, nul);
    }
    return raw;
  }
  override toString(): string {
    sockaddr_un.#check(this, 'toString');
    const p = this.sun_path;
    return p.startsWith('\0') ? '@' + p.slice(1) : p;
  }
}

/**
 * struct sockaddr_nl — man 7 netlink. `nl_pid` is the port id (0: the kernel, or "assign one"
 * in bind), `nl_groups` the multicast group mask; both in host byte order.
 */
export class sockaddr_nl extends Sockaddr {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('sockaddr_nl', member, o);
  }
  /** A zeroed sockaddr_nl with nl_family = AF_NETLINK; or a view over `bytes`. */
  constructor(bytes?: Uint8Array, addrlenBox?: Uint32Array) {
    checkArgc('sockaddr_nl', arguments.length, 0, ['bytes', 'addrlenBox']);
    super(NL.size, bytes, addrlenBox);
    if (bytes === undefined) this.nl_family = AF_NETLINK;
  }
  /** Address family: AF_NETLINK. */
  get nl_family(): number {
    sockaddr_nl.#check(this, 'nl_family');
    return this.view.getUint16(NL.nl_family, LE);
  }
  set nl_family(v: number) {
    sockaddr_nl.#check(this, 'nl_family');
    this.view.setUint16(NL.nl_family, checkInt('sockaddr_nl', 'nl_family', v, 0, 0xffff), LE);
  }
  /** Port id (host byte order): 0 is the kernel. */
  get nl_pid(): number {
    sockaddr_nl.#check(this, 'nl_pid');
    return this.view.getUint32(NL.nl_pid, LE);
  }
  set nl_pid(v: number) {
    sockaddr_nl.#check(this, 'nl_pid');
    this.view.setUint32(NL.nl_pid, checkInt('sockaddr_nl', 'nl_pid', v, 0, 0xffffffff), LE);
  }
  /** Multicast groups mask. */
  get nl_groups(): number {
    sockaddr_nl.#check(this, 'nl_groups');
    return this.view.getUint32(NL.nl_groups, LE);
  }
  set nl_groups(v: number) {
    sockaddr_nl.#check(this, 'nl_groups');
    this.view.setUint32(NL.nl_groups, checkInt('sockaddr_nl', 'nl_groups', v, 0, 0xffffffff), LE);
  }
  override toString(): string {
    sockaddr_nl.#check(this, 'toString');
    return `netlink:${this.nl_pid}/${this.nl_groups}`;
  }
}

/** struct sockaddr_storage — room for any address; `cast()` views it as its family's struct. */
export class sockaddr_storage extends Sockaddr {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('sockaddr_storage', member, o);
  }
  /** A zeroed sockaddr_storage. */
  constructor() {
    checkArgc('sockaddr_storage', arguments.length, 0, []);
    super(SS.size);
  }
  /** Address family of what the kernel stored. */
  get ss_family(): number {
    sockaddr_storage.#check(this, 'ss_family');
    return this.view.getUint16(SS.ss_family, LE);
  }
  /**
   * This address as a sockaddr_in / sockaddr_in6 / sockaddr_un / sockaddr_nl sharing the same memory and
   * addrlen — C's `(struct sockaddr_in *)&storage`.
   */
  cast(): sockaddr_in | sockaddr_in6 | sockaddr_un | sockaddr_nl {
    sockaddr_storage.#check(this, 'cast');
    const f = this.ss_family;
    if (f === AF_INET) return new sockaddr_in(this.bytes, this.addrlenBox);
    if (f === AF_INET6) return new sockaddr_in6(this.bytes, this.addrlenBox);
    if (f === AF_UNIX) return new sockaddr_un(this.bytes, this.addrlenBox);
    if (f === AF_NETLINK) return new sockaddr_nl(this.bytes, this.addrlenBox);
    throw outOfRange('sockaddr_storage.cast', `ss_family must be AF_INET, AF_INET6, AF_UNIX or AF_NETLINK, got ${f}`);
  }
  override toString(): string {
    sockaddr_storage.#check(this, 'toString');
    const f = this.ss_family;
    return f === AF_INET || f === AF_INET6 || f === AF_UNIX || f === AF_NETLINK ? this.cast().toString() : `<family ${f}>`;
  }
}

/**
 * An address from text: '127.0.0.1:8888' (sockaddr_in), '[::1]:8888' (sockaddr_in6),
 * '/path/to/sock' or './rel' (sockaddr_un pathname), '@name' (sockaddr_un abstract name).
 */
export function parseAddress(text: string): sockaddr_in | sockaddr_in6 | sockaddr_un {
  checkArgc('parseAddress', arguments.length, 1, ['text']);
  if (typeof text !== 'string') throw invalidType('parseAddress', 'text', 'a string', text);
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('@')) {
    const a = new sockaddr_un();
    const path = text.startsWith('@') ? '\0' + text.slice(1) : text;
    try {
      a.sun_path = path;
    } catch (e) {
      if (e instanceof RangeError) throw outOfRange('parseAddress', e.message);
      throw e;
    }
    return a;
  }
  const m6 = /^\[([^\]%]+)(?:%(\d+))?\]:(\d+)$/.exec(text);
  const m4 = /^([^:]+):(\d+)$/.exec(text);
  const port = Number((m6 ?? m4)?.[m6 ? 3 : 2]);
  if ((!m6 && !m4) || !Number.isInteger(port) || port > 0xffff) {
    throw outOfRange('parseAddress', `text must be 'a.b.c.d:port', '[v6]:port', '/path' or '@name', got '${text}'`);
  }
  if (m6) {
    const a = new sockaddr_in6();
    if (binding.inet_pton(AF_INET6, m6[1], a.sin6_addr.bytes) !== 1) {
      throw outOfRange('parseAddress', `text: '${m6[1]}' is not an IPv6 address`);
    }
    a.sin6_port = htons(port);
    if (m6[2] !== undefined) a.sin6_scope_id = Number(m6[2]);
    return a;
  }
  const a = new sockaddr_in();
  if (binding.inet_pton(AF_INET, m4![1], a.sin_addr.bytes) !== 1) {
    throw outOfRange('parseAddress', `text: '${m4![1]}' is not an IPv4 address`);
  }
  a.sin_port = htons(port);
  return a;
}
