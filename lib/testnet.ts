// sockfd/testnet — hosts with their own IP stacks, joined by links you can break, for
// integration tests in one process (man 7 network_namespaces, man 4 veth, man 8 tc-tbf).
//
// Each Host is a worker_thread that unshare(CLONE_NEWNET)s itself and brings `lo` up; sockets
// its code creates live in its namespace. A Link is a veth pair made by rtnetlink inside the
// first host's namespace with its peer created directly in the second's (IFLA_NET_NS_FD): no
// interface, address or route ever exists in the initial namespace, and links join only
// namespaces this module created, so no packet can leave the sandbox.
//
// Nothing is mounted (no /run/netns entry): a namespace lives only while its worker thread is
// in it or a socket made in it is open. close() shuts down and closes every socket of its
// namespaces (found by SO_NETNS_COOKIE), then ends the workers, and the kernel frees the
// namespaces with their veth ends; a killed process loses them with its threads and fds.
import { openSync, closeSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkInt } from './check';
import { ENOENT, SHUT_RDWR } from './constants';
import { ErrnoError } from './errors';
import { Rtnl, netnsCookie, parseCidr } from './rtnl';
import { close, shutdown } from './socket';

/** A function run on a host: gets the sockfd module, then the arguments given to run(). */
export type HostFn<A extends unknown[], R> = (sockfd: typeof import('./index'), ...args: A) => R | Promise<R>;

/** Why this process cannot build hosts (a missing capability), or null when it can. */
export function testnetUnavailable(): string | null {
  let eff = 0n;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    eff = m ? BigInt('0x' + m[1]) : 0n;
  } catch {
    return 'sockfd/testnet: cannot read /proc/self/status to check capabilities';
  }
  const need: string[] = [];
  if (!(eff & (1n << 21n))) need.push('CAP_SYS_ADMIN');
  if (!(eff & (1n << 12n))) need.push('CAP_NET_ADMIN');
  return need.length === 0 ? null : `sockfd/testnet needs ${need.join(' and ')} (run as root): unshare(CLONE_NEWNET) and rtnetlink changes need them`;
}

function rebuild(e: Record<string, unknown>): Error {
  let err: Error;
  if (typeof e.syscall === 'string' && typeof e.errno === 'number' && e.errno > 0) {
    err = new ErrnoError(e.syscall, e.errno);
    for (const k of ['fd', 'address', 'port'] as const) if (e[k] !== undefined) (err as unknown as Record<string, unknown>)[k] = e[k];
  } else {
    err = new Error(String(e.message));
    if (typeof e.name === 'string') err.name = e.name;
    if (e.code !== undefined) (err as unknown as Record<string, unknown>).code = e.code;
  }
  if (typeof e.stack === 'string') err.stack = e.stack;
  return err;
}

/**
 * The worker that becomes a host: the compiled file, or (running from the TypeScript sources,
 * as the package's own tests do) testnet-worker.ts through tsx's require hook, a devDependency.
 */
function startWorker(): Worker {
  if (__filename.endsWith('.ts')) {
    const entry = path.join(__dirname, 'testnet-worker.ts');
    const tsx = require.resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { eval: true });
  }
  return new Worker(path.join(__dirname, 'testnet-worker.js'));
}

/** One host: its own network namespace, `lo` up, run() to execute code there. */
export class Host {
  /** The host's name (for messages). */
  readonly name: string;
  /** The worker thread's kernel thread id (its namespace is /proc/self/task/<tid>/ns/net). */
  readonly tid: number;
  /** SO_NETNS_COOKIE of the host's namespace: every socket made on the host has this cookie. */
  readonly cookie: bigint;
  /** The inode of the host's namespace (as `ls -i /proc/self/task/<tid>/ns/net` shows). */
  readonly nsInode: number;
  /** @internal rtnetlink socket inside the namespace, driven from the calling thread. */
  readonly rtnl: Rtnl;
  #worker: Worker;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  #next = 1;
  #ifs = 0;
  #exited: Promise<void>;

  private constructor(name: string, worker: Worker, ready: { tid: number; rtnl: number; cookie: bigint }) {
    this.name = name;
    this.#worker = worker;
    this.tid = ready.tid;
    this.rtnl = new Rtnl(ready.rtnl);
    this.cookie = ready.cookie;
    this.nsInode = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/self/task/${ready.tid}/ns/net`))![1]);
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: Record<string, unknown> }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(rebuild(m.error!));
    });
    worker.on('error', (e) => this.#failAll(e));
    worker.on('exit', () => this.#failAll(new Error(`testnet: host ${name} has exited`)));
  }

  /** @internal Starts the worker and waits until its namespace is ready. */
  static async start(name: string): Promise<Host> {
    const worker = startWorker();
    const ready = await new Promise<{ ready: boolean; tid: number; rtnl: number; cookie: bigint; error?: Record<string, unknown> }>(
      (resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`testnet: host ${name}'s worker exited (${code}) before it was ready`)));
      },
    );
    if (!ready.ready) {
      await worker.terminate();
      const e = rebuild(ready.error!);
      if (e instanceof ErrnoError && e.code === 'EPERM') {
        throw new Error(`${testnetUnavailable() ?? 'sockfd/testnet needs CAP_SYS_ADMIN and CAP_NET_ADMIN'} (${e.message})`, { cause: e });
      }
      throw e;
    }
    return new Host(name, worker, ready);
  }

  #failAll(e: unknown): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  /**
   * Runs `fn(sockfd, ...args)` on the host's thread and resolves to its (awaited) result.
   * `fn` travels as its source text (fn.toString()): it must not use variables or imports
   * from around it — only its parameters, globals and `require`. Arguments and the result are
   * structured-cloned; a thrown ErrnoError comes back as an ErrnoError. Socket fds it returns
   * are usable from any thread (they stay in the host's namespace). A synchronous blocking
   * call inside `fn` holds the host's thread until it returns; other hosts and the calling
   * thread keep running.
   */
  run<A extends unknown[], R>(fn: HostFn<A, R>, args?: A): Promise<Awaited<R>> {
    if (typeof fn !== 'function') throw new TypeError(`Host.run: fn must be a function, got ${typeof fn}`);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ id, src: fn.toString(), args: args ?? [] });
    });
  }

  /** The index of interface `ifname` in this host's namespace. */
  ifindex(ifname: string): number {
    return this.rtnl.ifindex(ifname);
  }
  /** Adds an address to one of the host's interfaces: addAddress('eth0', '10.0.0.1/24'). */
  addAddress(ifname: string, cidr: string): void {
    this.rtnl.address(this.ifindex(ifname), cidr);
  }
  /** Removes an address from one of the host's interfaces. */
  delAddress(ifname: string, cidr: string): void {
    this.rtnl.address(this.ifindex(ifname), cidr, true);
  }
  /** Adds a route: addRoute('0.0.0.0/0', { via: '10.0.0.1' }) or addRoute('10.9.0.0/16', { dev: 'eth0' }). */
  addRoute(dst: string, opts: { via?: string; dev?: string }): void {
    this.rtnl.route(dst, opts.via, opts.dev === undefined ? undefined : this.ifindex(opts.dev));
  }
  /** Sets an interface up or down (ip link set dev <ifname> up/down). */
  setLink(ifname: string, up: boolean): void {
    this.rtnl.setUp(this.ifindex(ifname), up);
  }

  /** @internal The next free interface name on this host: eth0, eth1, ... */
  nextIfname(): string {
    return `eth${this.#ifs++}`;
  }
  /**
   * @internal Ends the worker (after its sockets were shut down). Rejects after `timeoutMs`
   * if the thread is still blocked in a call that terminating cannot interrupt; it then ends
   * whenever that call returns.
   */
  async stop(timeoutMs: number): Promise<void> {
    const ended = this.#worker.terminate().then(() => this.#exited);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(
        `testnet: host '${this.name}' did not stop within ${timeoutMs} ms: its thread is blocked in a ` +
        'call that shutting down its sockets cannot wake (a wait with no timeout on a non-socket fd?); ' +
        'it ends, with its namespace and links, when that call returns or the process exits')), timeoutMs);
    });
    try {
      await Promise.race([ended, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The options of a tbf rate limit: bytes per second, bucket and queue sizes in bytes. */
export interface RateOptions {
  /** Bucket size in bytes (default: max(rate / 50, 2 * 65536): one GSO packet fits). */
  burst?: number;
  /** Bytes that may wait in the queue before drops (default: rate / 4, at least 2 * burst). */
  limit?: number;
}

/** A veth pair between two hosts. Faults act on both ends unless a side is named. */
export class Link {
  /** The two hosts. */
  readonly a: Host;
  readonly b: Host;
  /** The interface names: `ifa` on host a, `ifb` on host b. */
  readonly ifa: string;
  readonly ifb: string;

  /** @internal */
  constructor(a: Host, ifa: string, b: Host, ifb: string) {
    this.a = a;
    this.b = b;
    this.ifa = ifa;
    this.ifb = ifb;
  }
  #ends(from?: Host): Array<[Host, string]> {
    if (from === undefined) return [[this.a, this.ifa], [this.b, this.ifb]];
    if (from === this.a) return [[this.a, this.ifa]];
    if (from === this.b) return [[this.b, this.ifb]];
    throw new RangeError('Link: from must be one of the link\'s two hosts');
  }
  /** Takes both ends down: packets in flight and new ones are dropped (no RST, no ICMP). */
  down(): void {
    for (const [h, i] of this.#ends()) h.setLink(i, false);
  }
  /** Brings both ends up again. */
  up(): void {
    for (const [h, i] of this.#ends()) h.setLink(i, true);
  }
  /**
   * Limits the rate leaving `from` (default: both ends) to `bytesPerSecond` with a tbf root
   * qdisc (man 8 tc-tbf), counting bytes at layer 2 (TCP payload gets ~95% of it). Throws an
   * Error saying "not available on this kernel" when the kernel has no tbf (sch_tbf).
   */
  rate(bytesPerSecond: number, opts: RateOptions & { from?: Host } = {}): void {
    if (!Number.isInteger(bytesPerSecond) || bytesPerSecond < 1 || bytesPerSecond > 0xffffffff) {
      throw new RangeError(`Link.rate: bytesPerSecond must be an integer in [1, 4294967295], got ${bytesPerSecond}`);
    }
    const burst = opts.burst ?? Math.max(Math.floor(bytesPerSecond / 50), 2 * 65536);
    const limit = opts.limit ?? Math.max(Math.floor(bytesPerSecond / 4), 2 * burst);
    for (const [h, i] of this.#ends(opts.from)) {
      try {
        h.rtnl.tbf(h.ifindex(i), bytesPerSecond, burst, limit);
      } catch (e) {
        if (e instanceof ErrnoError && e.errno === ENOENT) throw new Error('Link.rate: the tbf qdisc (sch_tbf) is not available on this kernel', { cause: e });
        throw e;
      }
    }
  }
  /** Removes a rate limit (the default qdisc returns). */
  unlimit(opts: { from?: Host } = {}): void {
    for (const [h, i] of this.#ends(opts.from)) h.rtnl.delQdisc(h.ifindex(i));
  }
  /**
   * Delay and loss need the netem qdisc (sch_netem). This probes the kernel for it and throws
   * "netem is not available on this kernel" where it is absent; where it is present it throws
   * that sockfd/testnet does not drive netem yet. It never pretends a fault happened.
   */
  impair(opts: { delayMs?: number; loss?: number }): never {
    void opts;
    const [h, i] = this.#ends()[0];
    const ifindex = h.ifindex(i);
    try {
      h.rtnl.qdisc(ifindex, 'netem', new Uint8Array(24)); // struct tc_netem_qopt, all zero: no impairment
    } catch (e) {
      if (e instanceof ErrnoError && e.errno === ENOENT) {
        throw new Error('Link.impair: delay and loss need the netem qdisc (sch_netem), which is not available on this kernel', { cause: e });
      }
      throw e;
    }
    h.rtnl.delQdisc(ifindex);
    throw new Error('Link.impair: netem is available on this kernel, but sockfd/testnet does not drive it yet');
  }
}

/**
 * A set of hosts and links. Always close() it (in a finally or afterEach): it removes every
 * namespace and link it made, also after a failed test.
 */
export class Testnet {
  #hosts: Host[] = [];
  #closed = false;

  /** Starts a host: a worker thread in a new network namespace with `lo` up. */
  async host(name: string): Promise<Host> {
    if (this.#closed) throw new Error('Testnet: closed');
    const h = await Host.start(name);
    this.#hosts.push(h);
    if (this.#closed) {
      await this.#teardown([h]);
      throw new Error('Testnet: closed');
    }
    return h;
  }

  /** Starts several hosts at once. */
  hosts(...names: string[]): Promise<Host[]> {
    return Promise.all(names.map((n) => this.host(n)));
  }

  /**
   * Joins two hosts with a veth pair, gives each end its address ('10.0.0.1/24', or none with
   * undefined) and brings both up. The interfaces are named eth0, eth1, ... on each host.
   */
  link(a: Host, addrA: string | undefined, b: Host, addrB: string | undefined): Link {
    if (!this.#hosts.includes(a) || !this.#hosts.includes(b) || a === b) {
      throw new RangeError('Testnet.link: a and b must be two different hosts of this Testnet');
    }
    if (addrA !== undefined) parseCidr('Testnet.link', addrA);
    if (addrB !== undefined) parseCidr('Testnet.link', addrB);
    const ifa = a.nextIfname();
    const ifb = b.nextIfname();
    // The peer is created straight in b's namespace: the pair never appears in this thread's.
    const nsfd = openSync(`/proc/self/task/${b.tid}/ns/net`, 'r');
    try {
      a.rtnl.addVeth(ifa, ifb, nsfd);
    } finally {
      closeSync(nsfd);
    }
    if (addrA !== undefined) a.addAddress(ifa, addrA);
    if (addrB !== undefined) b.addAddress(ifb, addrB);
    a.setLink(ifa, true);
    b.setLink(ifb, true);
    return new Link(a, ifa, b, ifb);
  }

  /**
   * Removes everything: SIGKILLs processes inside this net's namespaces (children spawned on a
   * host), shuts down and closes every socket of its namespaces still open in the process (the
   * test's own included — do not use their numbers afterwards), ends the host threads, and
   * with them the namespaces and veth pairs. Idempotent. A host thread that is still blocked
   * `timeoutMs` (5000) after its sockets were shut down — in a wait with no timeout on an
   * eventfd, a pipe, a timerfd, ... — makes close() reject with an error naming the host
   * instead of hanging; that thread, its namespace and links end when the call returns or
   * the process exits. Bound every wait on a host.
   */
  async close(timeoutMs = 5000): Promise<void> {
    checkInt('Testnet.close', 'timeoutMs', timeoutMs, 0, 2 ** 31 - 1);
    this.#closed = true;
    const hosts = this.#hosts.splice(0);
    await this.#teardown(hosts, timeoutMs);
  }

  async #teardown(hosts: Host[], timeoutMs = 5000): Promise<void> {
    if (hosts.length === 0) return;
    const cookies = new Set(hosts.map((h) => h.cookie));
    // Processes spawned on a host (or that setns'd into one) hold its namespace: they are
    // inside the sandbox, so they go too.
    killProcessesIn(new Set(hosts.map((h) => h.nsInode)));
    const ours = socketsIn(cookies);
    // shutdown wakes a host thread blocked in accept/recv/send on one of them
    for (const fd of ours) {
      try {
        shutdown(fd, SHUT_RDWR);
      } catch {
        // a listening or unconnected socket: ENOTCONN is fine
      }
    }
    const stopped = await Promise.allSettled(hosts.map((h) => h.stop(timeoutMs)));
    for (const fd of socketsIn(cookies)) close(fd);
    const late = stopped.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (late) throw late.reason;
  }
}

/** SIGKILLs every other process whose network namespace is one of `inodes`. */
function killProcessesIn(inodes: Set<number>): void {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const m = /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`));
      if (m && inodes.has(Number(m[1]))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, or not ours to read
    }
  }
}

/** The socket fds of this process whose network namespace is one of `cookies`. */
function socketsIn(cookies: Set<bigint>): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue;
    }
    if (!target.startsWith('socket:')) continue;
    try {
      if (cookies.has(netnsCookie(fd))) out.push(fd);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** Runs `fn` with a fresh Testnet and closes it afterwards, whether fn resolves or throws. */
export async function withTestnet<R>(fn: (net: Testnet) => Promise<R>): Promise<R> {
  const net = new Testnet();
  try {
    return await fn(net);
  } finally {
    await net.close();
  }
}
