// The io_uring cells of the scale suite: the same round as bench/drivers.ts (write one byte
// to A of N connections, one wait, consume what completed, verify the set) in two styles,
// from TypeScript through sockfd's public io_uring API. Their C twins are in
// native/bench/uring.cc, statement for statement.
//
//   io_uring-poll (readiness): a multishot POLL_ADD per connection, armed once per batch;
//     each CQE names a connection, read with recv() (re-armed if the kernel ended the poll).
//   io_uring-recv (completion): a RECV per connection; the CQE carries the byte (copied into
//     the connection's buffer when the CQE is moved), and the RECV is re-armed, submitted by
//     the next round's io_uring_enter.
//
// Each batch makes its own ring and closes it afterwards (neither is timed): the C cell runs
// over the same connections between batches, and a RECV left armed would take its bytes.
//
// Also the ping-pong suite's io_uring row (uringTsPingPong / uringCPingPong, at the end).
import { performance } from 'node:perf_hooks';
import * as sockfd from './sockfd';
import { native } from './native';
import type { Connections } from './connections';
import { BenchVerifyError, type Loop, type PingPong } from './drivers';

/** The io_uring styles, as `--methods io_uring` expands. */
export const URING_METHODS = ['io_uring-poll', 'io_uring-recv'] as const;
export type UringMethod = (typeof URING_METHODS)[number];

const {
  ErrnoError, IORING_CQE_F_MORE, IORING_ENTER_GETEVENTS, IORING_OFF_CQ_RING, POLLIN, close, io_uring_enter,
  io_uring_get_sqe, io_uring_mmap, io_uring_params, io_uring_prep_poll_multishot, io_uring_prep_recv,
  io_uring_prep_send, io_uring_setup, io_uring_sqe_set_data64, errnoName, recv, send,
} = sockfd;

const ONE = new Uint8Array([0x78]);

/** The errno code with which this kernel refuses io_uring ('EPERM', 'ENOSYS', ...), or null. */
export function uringUnavailable(): string | null {
  try {
    close(io_uring_setup(1, new io_uring_params()));
    return null;
  } catch (e) {
    if (e instanceof ErrnoError) return e.code;
    throw e;
  }
}

export function isUring(m: string): m is UringMethod {
  return (URING_METHODS as readonly string[]).includes(m);
}

/** The TypeScript io_uring loop of `method` over `c`. */
export function uringTsLoop(method: UringMethod, c: Connections, active: number): Loop {
  const { rfds, wfds } = c;
  const n = rfds.length;
  const stride = Math.floor(n / active);
  const written = new Uint8Array(n);
  const recvStyle = method === 'io_uring-recv';
  const bufs = recvStyle ? Array.from({ length: n }, () => new Uint8Array(16)) : [];
  const tmp = new Uint8Array(16);
  const bad = process.env.SOCKFD_BENCH_CORRUPT === method ? 3 : -1;
  const fail = (round: number, what: string): never => {
    throw new BenchVerifyError(
      `${method} (TypeScript driver), round ${round}: ${what}. ` +
        'The set a multiplexer reports must equal the set written; no time is reported for a broken loop.',
    );
  };
  return {
    run(rounds, base) {
      const p = new io_uring_params();
      const ring = io_uring_setup(Math.min(n, 32768), p);
      try {
        const cq = io_uring_mmap(ring, IORING_OFF_CQ_RING);
        const dv = new DataView(cq);
        const head = new Uint32Array(cq, p.cq_off.head, 1);
        const tail = new Uint32Array(cq, p.cq_off.tail, 1);
        const mask = dv.getUint32(p.cq_off.ring_mask, true);
        const cqes = p.cq_off.cqes;
        let toSubmit = 0;
        const arm = (i: number): void => {
          let s = io_uring_get_sqe(ring);
          if (s === null) {
            io_uring_enter(ring, toSubmit, 0, 0);
            toSubmit = 0;
            s = io_uring_get_sqe(ring)!;
          }
          if (recvStyle) io_uring_prep_recv(s, rfds[i], bufs[i], 16, 0);
          else io_uring_prep_poll_multishot(s, rfds[i], POLLIN);
          io_uring_sqe_set_data64(s, i);
          toSubmit++;
        };
        for (let i = 0; i < n; i++) arm(i);
        io_uring_enter(ring, toSubmit, 0, 0);
        toSubmit = 0;
        let mux = 0;
        const start = performance.now();
        for (let r = base; r < base + rounds; r++) {
          const off = (r * 7919) % n;
          for (let k = 0; k < active; k++) {
            const i = (off + k * stride) % n;
            written[i] = 1;
            send(wfds[i], ONE, 1);
          }
          const t1 = performance.now();
          io_uring_enter(ring, toSubmit, active, IORING_ENTER_GETEVENTS);
          mux += performance.now() - t1;
          toSubmit = 0;
          let found = 0;
          while (head[0] !== tail[0]) {
            const at = cqes + (head[0] & mask) * 16;
            const i = r === bad && found === 0 ? n : dv.getUint32(at, true); // user_data < 2**32
            const res = dv.getInt32(at + 8, true);
            const flags = dv.getUint32(at + 12, true);
            head[0] = head[0] + 1;
            if (i >= n || written[i] !== 1) fail(r, `connection ${i} completed (res ${res}) but was not written`);
            written[i] = 0;
            found++;
            if (recvStyle) {
              if (res !== 1 || bufs[i][0] !== 0x78) fail(r, `RECV on connection ${i} returned ${res}`);
              arm(i);
            } else {
              if (res < 0 || (res & POLLIN) === 0) fail(r, `POLL_ADD on connection ${i} returned ${res}`);
              if (recv(rfds[i], tmp, tmp.length) !== 1) fail(r, `recv on connection ${i} did not read 1 byte`);
              if ((flags & IORING_CQE_F_MORE) === 0) arm(i);
            }
          }
          if (found !== active) fail(r, `${found} completions, but ${active} connections were written`);
        }
        return { ns: (performance.now() - start) * 1e6, muxNs: mux * 1e6 };
      } finally {
        close(ring); // cancels what is armed and waits for the kernel
      }
    },
    close() {},
  };
}

/** The C io_uring loop of `method` (native/bench/uring.cc), in this same process. */
export function uringCLoop(method: UringMethod, c: Connections, active: number): Loop {
  const out = new Float64Array(2);
  const style = method === 'io_uring-recv' ? 1 : 0;
  return {
    run(rounds, base) {
      native.benchUring(style, c.rfds, c.wfds, active, rounds, base, out);
      return { ns: out[0], muxNs: out[1] };
    },
    close() {},
  };
}

/**
 * The ping-pong through io_uring, from TypeScript: one byte bouncing between fd0 and fd1,
 * each hop one io_uring_enter submitting a SEND of the byte on the side that holds it and a
 * RECV on the other side. It waits for one completion (a failed SEND must not leave the hop
 * waiting for its RECV) and enters again only if the RECV is not done yet. Every hop checks
 * both CQEs (1 byte each) and the byte received. The ring is made here and closed by
 * close(); nothing is left armed between runs. Its C twin is benchPingPongUring
 * (native/bench/uring.cc), which also gives up after 2 s on a RECV that never completes.
 * io_uring_setup's refusal is thrown here (ErrnoError).
 */
export function uringTsPingPong(fd0: number, fd1: number): PingPong {
  const p = new io_uring_params();
  const ring = io_uring_setup(4, p);
  const cq = io_uring_mmap(ring, IORING_OFF_CQ_RING);
  const dv = new DataView(cq);
  const head = new Uint32Array(cq, p.cq_off.head, 1);
  const tail = new Uint32Array(cq, p.cq_off.tail, 1);
  const mask = dv.getUint32(p.cq_off.ring_mask, true);
  const cqes = p.cq_off.cqes;
  const fds = [fd0, fd1];
  const bufs = [new Uint8Array([0x70]), new Uint8Array(1)];
  const fail = (h: number, what: string, res: number): never => {
    throw new BenchVerifyError(
      `io_uring ping-pong (TypeScript), hop ${h}: ${what} (res ${res}${res < 0 ? ` ${errnoName(-res) ?? ''}` : ''})`,
    );
  };
  return {
    run(trips) {
      const hops = trips * 2;
      const start = performance.now();
      for (let h = 0; h < hops; h++) {
        const from = h & 1;
        const to = from ^ 1;
        bufs[to][0] = 0;
        const s1 = io_uring_get_sqe(ring)!;
        io_uring_prep_send(s1, fds[from], bufs[from], 1, 0);
        io_uring_sqe_set_data64(s1, 0);
        const s2 = io_uring_get_sqe(ring)!;
        io_uring_prep_recv(s2, fds[to], bufs[to], 1, 0);
        io_uring_sqe_set_data64(s2, 1);
        io_uring_enter(ring, 2, 1, IORING_ENTER_GETEVENTS);
        let seen = 0; // bit 0 the SEND's CQE, bit 1 the RECV's
        for (;;) {
          while (head[0] !== tail[0]) {
            const at = cqes + (head[0] & mask) * 16;
            const data = dv.getUint32(at, true); // user_data 0 or 1
            const res = dv.getInt32(at + 8, true);
            head[0] = head[0] + 1;
            const bit = data <= 1 ? 1 << data : 0;
            if (bit === 0 || (seen & bit) !== 0) fail(h, 'a completion no request of this hop asked for', res);
            if (res !== 1) fail(h, data === 0 ? 'SEND did not send 1 byte' : 'RECV did not bring 1 byte', res);
            seen |= bit;
          }
          if (seen === 3) break;
          io_uring_enter(ring, 0, 1, IORING_ENTER_GETEVENTS); // the RECV not complete yet
        }
        if (bufs[to][0] !== 0x70) fail(h, 'RECV brought a different byte', bufs[to][0]);
      }
      return (performance.now() - start) * 1e6;
    },
    close() {
      close(ring); // cancels whatever a failed hop left armed
    },
  };
}

/** The same ping-pong loop in C (benchPingPongUring), in this same process. */
export function uringCPingPong(fd0: number, fd1: number): PingPong {
  const out = new Float64Array(1);
  return {
    run(trips) {
      native.benchPingPongUring(fd0, fd1, trips, out);
      return out[0];
    },
    close() {},
  };
}
