// What the CLI asks of a child process, and what the child answers (one JSON line on stdout).
import type { Method } from './drivers';

/** Timing plan shared by every case. */
export interface Plan {
  /** Milliseconds of warm-up per loop before any sample is kept. */
  warmupMs: number;
  /** Samples kept per loop; the report uses their median. */
  samples: number;
  /** Target milliseconds per sample (sizes the batch), unless `rounds` fixes it. */
  sampleMs: number;
  /** Fixed rounds (or ping-pong round trips) per sample, overriding `sampleMs`. */
  rounds?: number;
  timeout: 0 | -1;
  tcp: boolean;
}

export type CaseSpec =
  | ({ kind: 'scale'; method: Method; n: number; active: number } & Plan)
  | ({ kind: 'pingpong' } & Plan);

/** Per-sample times of one loop, in microseconds per round (or per round trip). */
export interface Samples {
  round: number[];
  /** Time inside the multiplexer call alone (scale cases only). */
  mux?: number[];
}

export interface ScaleResult {
  kind: 'scale';
  method: Method;
  /** N actually run (lower than requested only if RLIMIT_NOFILE could not be raised enough). */
  n: number;
  requestedN: number;
  active: number;
  roundsPerSample: number;
  ts: Samples;
  c: Samples;
  notes: string[];
  /** Set when the case could not run at all (e.g. select with fds >= FD_SETSIZE). */
  skipped?: string;
  nofile: { soft: number; hard: number };
}

export interface PingPongResult {
  kind: 'pingpong';
  tripsPerSample: number;
  ts: Samples;
  /** In-process C: the C loop in this Node process, with Node's threads beside it. */
  c: Samples;
  /** Single-threaded C: the same loop in a fork()ed child with no Node threads. */
  alone: Samples;
  net: Samples;
  /**
   * The same ping-pong through io_uring (each hop a SEND + RECV in one io_uring_enter), from
   * TypeScript and in-process C; absent when the kernel refused io_uring (`uringUnavailable`)
   * and in older results.
   */
  uring?: { ts: Samples; c: Samples };
  /** "io_uring unavailable: <errno>" when io_uring_setup was refused. */
  uringUnavailable?: string;
  notes: string[];
}

export type CaseResult = ScaleResult | PingPongResult;

/** The child's exit code when a ready set failed verification. */
export const EXIT_VERIFY = 3;
