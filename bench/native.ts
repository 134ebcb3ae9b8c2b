// The benchmark's C loops: sockfd_bench.so (native/bench/), a Node-API library of its own,
// built beside the addon but deliberately not named *.node, so node-gyp-build never loads it
// as sockfd and none of it ships in the module users require. It is loaded here with
// process.dlopen into this same process, beside the TypeScript it is compared with.
//
// It sits next to the addon the package actually loaded: build/Release/sockfd_bench.so
// beside build/Release/sockfd.node, or prebuilds/linux-x64/sockfd_bench.so beside the
// prebuild sockfd.glibc.node (prebuildify copies a build's *.so beside the prebuild), so the
// two always come from the same build.
import nodeGypBuild = require('node-gyp-build');
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ErrnoError } from '..';

/** The functions of sockfd_bench.so; each throws ErrnoError for a failing syscall. */
export interface BenchBinding {
  // native/bench/scale.cc
  benchScale(method: 0 | 1 | 2, epfd: number, rfds: Int32Array, wfds: Int32Array, active: number, rounds: number, roundBase: number, timeout: 0 | -1, out: Float64Array): undefined;
  benchPingPong(epfd: number, fd0: number, fd1: number, trips: number, timeout: 0 | -1, out: Float64Array): undefined;
  /** The same loop in a fork()ed child: one thread, its own fd table (single-threaded C). */
  benchPingPongAlone(fd0: number, fd1: number, trips: number, timeout: 0 | -1, out: Float64Array): undefined;
  benchRaiseNofile(want: number): { soft: number; hard: number; errno: number };
  // native/bench/overhead.cc — C loops of bench/overhead; each returns ns per call
  overheadPoll(fd: number, iterations: number): number;
  overheadEpollWait(epfd: number, iterations: number): number;
  overheadSelect(fd: number, iterations: number): number;
  overheadSendRecv(fd: number, fd2: number, iterations: number): number;
  overheadRecvEagain(fd: number, iterations: number): number;
  overheadFloorInit(ready: number, epfd: number, a: number, b: number, empty: number): void;
  floorPoll(): number;
  floorEpollWait(): number;
  floorSelect(): number;
  floorSend(): number;
  floorRecv(): number;
  floorRecvEagain(): number;
  overheadSendmsgRecvmsg(fd: number, fd2: number, iterations: number): number;
  /** Queues n 1-byte datagrams from `peer` (connected) for the batch rows; untimed. */
  overheadFillDgrams(peer: number, n: number): void;
  /** Each returns ns per datagram over `batches` batches of `vlen` queued datagrams. */
  overheadRecvfromBatch(fd: number, peer: number, vlen: number, batches: number): number;
  overheadRecvmmsgBatch(fd: number, peer: number, vlen: number, batches: number): number;
  overheadFloorInitMsg(a: number, b: number, dgram: number, vlen: number): void;
  floorSendmsg(): number;
  floorRecvmsg(): number;
  floorRecvfrom(): number;
  /** One recvmmsg of the vlen given to overheadFloorInitMsg; returns how many arrived. */
  floorRecvmmsg(): number;
  // native/bench/stream.cc — the stream suite's C side (bench/stream.ts)
  /** Moves `total` bytes a -> b in `chunk`-byte calls on one thread; out = [ns, bytes, sends, recvs, rounds]. */
  benchStreamLoop(a: number, b: number, chunk: number, total: number, out: Float64Array): undefined;
  /** The stream floor's state: fds a -> b, `chunk`-byte C buffers, `total` bytes to send. */
  benchStreamFloorInit(a: number, b: number, chunk: number, total: number): undefined;
  /** send(a, src, min(chunk, left), MSG_DONTWAIT | MSG_NOSIGNAL) with no arguments; n or -errno. */
  benchStreamFloorSend(): number;
  /** recv(b, dst, chunk, MSG_DONTWAIT) with no arguments; n or -errno. */
  benchStreamFloorRecv(): number;
  /** Queues up to `max` datagrams of `size` bytes on `fd` with sendmmsg (untimed); returns how many. */
  benchDgramFill(fd: number, size: number, max: number): number;
  /** Receives up to `max` datagrams of `size` bytes with recv; out = [ns, datagrams, bytes]. */
  benchDgramDrain(fd: number, size: number, max: number, out: Float64Array): undefined;
  // native/bench/scan.cc — bench/scan.ts: each returns ns per multiplexer call + scan
  benchScanPoll(fds: Int32Array, iterations: number): number;
  benchScanEpoll(epfd: number, n: number, fdSum: number, iterations: number): number;
  benchScanSelect(fds: Int32Array, iterations: number): number;
  // native/bench/uring.cc — the C io_uring cells (style 0 readiness, 1 completion)
  benchUring(style: 0 | 1, rfds: Int32Array, wfds: Int32Array, active: number, rounds: number, roundBase: number, out: Float64Array): undefined;
  /** The ping-pong's io_uring row: `trips` round trips, each hop a SEND + RECV in one io_uring_enter; out[0] = ns. */
  benchPingPongUring(fd0: number, fd1: number, trips: number, out: Float64Array): undefined;
}

function isRoot(dir: string): boolean {
  const f = path.join(dir, 'package.json');
  if (!existsSync(f)) return false;
  try {
    return (JSON.parse(readFileSync(f, 'utf8')) as { name?: unknown }).name === 'sockfd';
  } catch {
    return false;
  }
}

/** The package root: the nearest folder above this file whose package.json names sockfd. */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (isRoot(dir)) return dir;
    if (path.dirname(dir) === dir) throw new Error(`sockfd bench: no package root above ${__dirname}`);
  }
}

/** Where sockfd_bench.so is: beside the sockfd addon node-gyp-build loads from `root`. */
export function benchLibraryPath(root: string): string {
  return path.join(path.dirname(nodeGypBuild.path(root)), 'sockfd_bench.so');
}

function load(): BenchBinding {
  const file = benchLibraryPath(packageRoot());
  if (!existsSync(file))
    throw new Error(`sockfd bench: ${file} is missing (built with the addon by \`npx node-gyp rebuild\`)`);
  const mod = { exports: {} as BenchBinding & { setErrnoError(ctor: typeof ErrnoError): void } };
  process.dlopen(mod, file);
  mod.exports.setErrnoError(ErrnoError);
  return { ...mod.exports }; // fast properties, as lib/binding.ts does for the addon
}

/** The loaded bench library. */
export const native: BenchBinding = load();
