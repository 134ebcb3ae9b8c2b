// The benchmark loops. Each TypeScript loop here goes through sockfd's public API only, and
// is the same loop, statement for statement, as its C twin in native/bench/scale.cc:
//
//   round r: write one byte to A connections (offset (r * 7919) % N, stride floor(N / A)),
//            one multiplexer call over all N read ends, read every connection reported ready.
//
// Every round is verified: the ready set reported must equal the set written, or the run
// throws BenchVerifyError. A broken multiplexer can therefore never post a fast number.
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as sockfd from './sockfd';
import { native } from './native';
import type { epoll_event as EpollEvent } from './sockfd';
import type { Connections } from './connections';
import type { UringMethod } from './uring';

/** The three multiplexers, in the order of scale.cc's `method` argument. */
export const METHODS = ['select', 'poll', 'epoll'] as const;
export type Mux = (typeof METHODS)[number];
/** A multiplexer of the scale suite: these three, or an io_uring style (bench/uring.ts). */
export type Method = Mux | UringMethod;

/** One batch of rounds: its wall time and the part spent inside the multiplexer call. */
export interface Batch {
  ns: number;
  muxNs: number;
}

/** A prepared loop over a set of connections; `run` executes one batch of rounds. */
export interface Loop {
  run(rounds: number, base: number): Batch;
  close(): void;
}

/** The ready set a multiplexer reported differs from the set that was written. */
export class BenchVerifyError extends Error {
  override name = 'BenchVerifyError';
}

// The API is read once into locals, as `const { send, recv } = require('sockfd')` would.
// TypeScript's CommonJS output would otherwise reach each call through two re-export
// getters (bench/sockfd.ts, then dist/index.js) on an exports object of ~500 names.
const {
  EPOLLIN,
  EPOLL_CTL_ADD,
  FD_ISSET,
  FD_SET,
  FD_ZERO,
  POLLIN,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  epoll_wait,
  fd_set,
  poll,
  pollfd,
  recv,
  select,
  send,
  timeval,
} = sockfd;

const ONE = new Uint8Array([0x78]);
const MUX_NAME: Record<Mux, string> = { select: 'select', poll: 'poll', epoll: 'epoll_wait' };

/**
 * SOCKFD_BENCH_CORRUPT=<method> makes the TypeScript driver of that method tamper with the
 * ready set the multiplexer returned (one connection dropped from it) in round 3. It exists
 * so the test suite can prove the per-round check fails the run; it is not a user option.
 */
function corruptRound(method: Mux): number {
  return process.env.SOCKFD_BENCH_CORRUPT === method ? 3 : -1;
}

function fail(method: Mux, round: number, what: string): never {
  throw new BenchVerifyError(
    `${MUX_NAME[method]} (TypeScript driver), round ${round}: ${what}. ` +
      'The ready set a multiplexer reports must equal the set written; no time is reported for a broken loop.',
  );
}

/**
 * A new epoll instance watching each fd for EPOLLIN with data.fd = the fd. The TypeScript and
 * the C epoll loops share one instance: two instances watching the same sockets would make
 * every write run two wake-up callbacks and inflate both numbers alike.
 */
export function epollFor(fds: ArrayLike<number>): number {
  const epfd = epoll_create1(0);
  const ev = new epoll_event();
  ev.events = EPOLLIN;
  try {
    for (let i = 0; i < fds.length; i++) {
      ev.data.fd = fds[i];
      epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], ev);
    }
  } catch (e) {
    close(epfd);
    throw e;
  }
  return epfd;
}

/**
 * The TypeScript loop of `method` over `c`, through sockfd's public API. `epfd` (epoll
 * only) comes from epollFor(c.rfds) and stays owned by the caller.
 */
export function tsLoop(method: Mux, c: Connections, active: number, timeout: 0 | -1, epfd = -1): Loop {
  const { rfds, wfds } = c;
  const n = rfds.length;
  const stride = Math.floor(n / active);
  const written = new Uint8Array(n);
  let maxfd = 0;
  for (const fd of rfds) maxfd = Math.max(maxfd, fd);
  const idx = new Int32Array(maxfd + 1).fill(-1);
  for (let i = 0; i < n; i++) idx[rfds[i]] = i;
  const buf = new Uint8Array(16);
  const bad = corruptRound(method);

  // Writes the round's bytes; shared by the three loops so the choice of connections is the same.
  const write = (round: number): void => {
    const off = (round * 7919) % n;
    for (let k = 0; k < active; k++) {
      const i = (off + k * stride) % n;
      written[i] = 1;
      send(wfds[i], ONE, 1);
    }
  };
  // Consumes one reported-ready connection, failing the run if it was not written.
  const take = (round: number, fd: number): void => {
    const i = fd >= 0 && fd <= maxfd ? idx[fd] : -1;
    if (i < 0 || written[i] !== 1) fail(method, round, `fd ${fd} reported ready but nothing was written to it`);
    written[i] = 0;
    const got = recv(fd, buf, buf.length);
    if (got !== 1) fail(method, round, `recv on fd ${fd} returned ${got} bytes, expected 1`);
  };
  const check = (round: number, ready: number, found: number): void => {
    if (ready !== active || found !== active)
      fail(method, round, `returned ${ready} and reported ${found} ready, but ${active} were written`);
  };

  if (method === 'poll') {
    const fds = pollfd.array(n);
    for (let i = 0; i < n; i++) {
      fds[i].fd = rfds[i];
      fds[i].events = POLLIN;
    }
    return {
      run(rounds, base) {
        let mux = 0;
        const start = performance.now();
        for (let r = base; r < base + rounds; r++) {
          write(r);
          const t1 = performance.now();
          const ready = poll(fds, n, timeout);
          mux += performance.now() - t1;
          if (r === bad) fds[(r * 7919) % n].revents = 0;
          let found = 0;
          for (let i = 0; i < n; i++) {
            const re = fds[i].revents;
            if (re === 0) continue;
            if ((re & POLLIN) === 0) fail(method, r, `fd ${fds[i].fd} reported revents 0x${re.toString(16)}`);
            take(r, fds[i].fd);
            found++;
          }
          check(r, ready, found);
        }
        return { ns: (performance.now() - start) * 1e6, muxNs: mux * 1e6 };
      },
      close() {},
    };
  }

  if (method === 'epoll') {
    const events = epoll_event.array(n);
    return {
      run(rounds, base) {
        let mux = 0;
        const start = performance.now();
        for (let r = base; r < base + rounds; r++) {
          write(r);
          const t1 = performance.now();
          const ready = epoll_wait(epfd, events, n, timeout);
          mux += performance.now() - t1;
          if (r === bad) events[0].data.fd = wfds[0];
          let found = 0;
          for (let e = 0; e < ready; e++) {
            if ((events[e].events & EPOLLIN) === 0) fail(method, r, `events 0x${events[e].events.toString(16)}`);
            take(r, events[e].data.fd);
            found++;
          }
          check(r, ready, found);
        }
        return { ns: (performance.now() - start) * 1e6, muxNs: mux * 1e6 };
      },
      close() {},
    };
  }

  // select: the watched set is rebuilt from a master copy each round, as in C (`rset = master`).
  const master = new fd_set();
  FD_ZERO(master);
  for (const fd of rfds) FD_SET(fd, master);
  const rset = new fd_set();
  const tv = new timeval();
  return {
    run(rounds, base) {
      let mux = 0;
      const start = performance.now();
      for (let r = base; r < base + rounds; r++) {
        write(r);
        rset.bytes.set(master.bytes);
        tv.tv_sec = 0;
        tv.tv_usec = 0;
        const t1 = performance.now();
        const ready = select(maxfd + 1, rset, null, null, timeout === 0 ? tv : null);
        mux += performance.now() - t1;
        if (r === bad) rset.bytes.fill(0);
        let found = 0;
        for (let fd = 0; fd <= maxfd; fd++) {
          if (!FD_ISSET(fd, rset)) continue;
          take(r, fd);
          found++;
        }
        check(r, ready, found);
      }
      return { ns: (performance.now() - start) * 1e6, muxNs: mux * 1e6 };
    },
    close() {},
  };
}

/** The C loop of `method` (native/bench/scale.cc), in this same process; `epfd` as for tsLoop. */
export function cLoop(method: Mux, c: Connections, active: number, timeout: 0 | -1, epfd = -1): Loop {
  const m = METHODS.indexOf(method) as 0 | 1 | 2;
  const out = new Float64Array(2);
  return {
    run(rounds, base) {
      native.benchScale(m, epfd, c.rfds, c.wfds, active, rounds, base, timeout, out);
      return { ns: out[0], muxNs: out[1] };
    },
    close() {},
  };
}

// ---------------------------------------------------------------------------------------
// Ping-pong: one byte bouncing between the two ends of one connection.

/** A ping-pong loop: `run(trips)` returns ns for that many round trips (2 hops each). */
export interface PingPong {
  run(trips: number): number | Promise<number>;
  close(): void;
}

/** The TypeScript epoll ping-pong: epoll_wait, recv the byte where it arrived, send it back. */
export function tsPingPong(fd0: number, fd1: number, timeout: 0 | -1): PingPong {
  const epfd = epollFor([fd0, fd1]);
  const events = epoll_event.array(2);
  const buf = new Uint8Array(1);
  const corrupt = corruptRound('epoll') >= 0;
  return {
    run(trips) {
      const hops = trips * 2;
      const start = performance.now();
      send(fd0, ONE, 1);
      let expect = fd1;
      for (let h = 0; h < hops; h++) {
        const ready = epoll_wait(epfd, events, 2, timeout);
        if (corrupt && h === 3) events[0].data.fd = -1;
        if (ready !== 1 || events[0].data.fd !== expect)
          throw new BenchVerifyError(
            `epoll_wait (TypeScript ping-pong), hop ${h}: returned ${ready} (fd ${events[0].data.fd}), expected fd ${expect}`,
          );
        if (recv(expect, buf, 1) !== 1) throw new BenchVerifyError(`ping-pong: recv on fd ${expect} returned no byte`);
        if (h + 1 < hops) send(expect, buf, 1);
        expect = expect === fd0 ? fd1 : fd0;
      }
      return (performance.now() - start) * 1e6;
    },
    close() {
      close(epfd);
    },
  };
}

/** The same ping-pong loop in C (native/bench/scale.cc). */
export function cPingPong(fd0: number, fd1: number, timeout: 0 | -1): PingPong {
  const epfd = epollFor([fd0, fd1]);
  const out = new Float64Array(1);
  return {
    run(trips) {
      native.benchPingPong(epfd, fd0, fd1, trips, timeout, out);
      return out[0];
    },
    close() {
      close(epfd);
    },
  };
}

/**
 * The same C loop in a child made by fork(): one thread and an fd table of its own, i.e. what
 * a standalone single-threaded C program measures. Shown beside the in-process C so neither
 * flatters: Node's threads make every fd-taking syscall of in-process C (and of TypeScript)
 * pay for a shared fd table. Timed inside the child; the fork is not counted.
 */
export function cAlonePingPong(fd0: number, fd1: number, timeout: 0 | -1): PingPong {
  const out = new Float64Array(1);
  return {
    run(trips) {
      native.benchPingPongAlone(fd0, fd1, trips, timeout, out);
      return out[0];
    },
    close() {},
  };
}

/**
 * The same bounce through Node's own libuv loop: both ends wrapped in node:net sockets
 * (which take ownership of the fds and close them), one 'data' handler echoing, the other
 * counting round trips. Each chunk must be the single byte sent.
 */
export function netPingPong(fd0: number, fd1: number): PingPong {
  const a = new net.Socket({ fd: fd0, readable: true, writable: true });
  const b = new net.Socket({ fd: fd1, readable: true, writable: true });
  a.setNoDelay?.(true);
  b.setNoDelay?.(true);
  const one = Buffer.from([0x70]);
  let left = 0;
  let start = 0;
  let done: ((ns: number) => void) | null = null;
  let failed: ((e: Error) => void) | null = null;
  const bad = (where: string, d: Buffer): void => {
    failed?.(new BenchVerifyError(`node:net ping-pong: ${where} got ${d.length} bytes, expected 1`));
  };
  b.on('data', (d: Buffer) => {
    if (d.length !== 1) return bad('echo side', d);
    b.write(d);
  });
  a.on('data', (d: Buffer) => {
    if (d.length !== 1) return bad('counting side', d);
    if (--left > 0) {
      a.write(one);
      return;
    }
    const ns = (performance.now() - start) * 1e6;
    const f = done;
    done = null;
    f?.(ns);
  });
  return {
    run(trips) {
      return new Promise<number>((resolve, reject) => {
        left = trips;
        done = resolve;
        failed = reject;
        start = performance.now();
        a.write(one);
      });
    },
    close() {
      a.destroy();
      b.destroy();
    },
  };
}
