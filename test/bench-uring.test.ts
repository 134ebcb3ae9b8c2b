// The io_uring cells of `sockfd bench` (bench/uring.ts, native/bench/uring.cc): a --quick run
// with --methods io_uring writes verified cells for both styles, and a wrong completion set
// fails the run from TypeScript and from C; the ping-pong's io_uring row runs verified from
// both and its C loop refuses bad arguments and a bad pair cleanly. (test/bench.test.ts
// covers the rest of the bench.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AF_UNIX, SOCK_NONBLOCK, SOCK_STREAM, close, recv, send, socketpair } from '../lib';
import { native } from '../bench/native';
import { uringTsPingPong } from '../bench/uring';
import { median } from '../bench/stats';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'bench', 'cli.js');
let out: string;

function bench(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'bench', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // The CLI runs compiled; rebuild it if bench/uring.ts is newer.
  if (!existsSync(cli) || statSync(join(root, 'bench', 'uring.ts')).mtimeMs > statSync(cli).mtimeMs) {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'bench', 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }
  out = mkdtempSync(join(tmpdir(), 'sockfd-bench-uring-'));
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('sockfd bench: io_uring', () => {
  it('bench: --quick --methods io_uring writes verified io_uring-poll and io_uring-recv cells to results.json', () => {
    const r = bench(['--quick', '--methods', 'epoll,io_uring', '--n', '10,100', '--active', '1,10', '--rounds', '40', '--samples', '3',
      '--suites', 'scale', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const cells = json.scale.filter((c: { method: string }) => c.method.startsWith('io_uring'));
    // 2 styles x (N=10: A=1, A=10; N=100: A=1, A=10)
    expect(cells.map((c: { method: string }) => c.method).sort()).toEqual([
      ...new Array(4).fill('io_uring-poll'), ...new Array(4).fill('io_uring-recv')]);
    for (const c of cells) {
      expect(c.skipped).toBeUndefined(); // every round of both loops passed its completion-set check
      for (const lang of ['ts', 'c']) {
        expect(c[lang].round).toHaveLength(3);
        for (let i = 0; i < 3; i++) {
          expect(c[lang].round[i]).toBeGreaterThan(0);
          expect(c[lang].mux[i]).toBeGreaterThan(0);
          expect(c[lang].mux[i]).toBeLessThan(c[lang].round[i]);
        }
      }
      expect(c.roundsPerSample).toBe(40);
    }
    expect(r.stdout).toMatch(/io_uring-poll/);
    expect(r.stdout).toMatch(/io_uring-recv/);
  }, 60_000);

  for (const method of ['io_uring-poll', 'io_uring-recv']) {
    it(`bench: a wrong completion set from ${method} in the TypeScript driver fails the run`, () => {
      const r = bench(['--methods', method, '--n', '10', '--active', '1', '--rounds', '20', '--samples', '1', '--suites', 'scale', '--out', out], {
        SOCKFD_BENCH_CORRUPT: method,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('a multiplexer reported a wrong ready set');
      expect(r.stderr).toContain(`${method} (TypeScript driver), round 3`);
    }, 30_000);
  }

  it('bench: the C io_uring loops reject a completion set that differs from the written one', () => {
    const a = new Int32Array(2);
    const b = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b);
    try {
      const rfds = new Int32Array([a[0], b[0]]);
      const outs = new Float64Array(2);
      for (const style of [0, 1] as const) {
        // Connection 0 is written through pair b: connection 1 completes, which was not written.
        expect(() => native.benchUring(style, rfds, new Int32Array([b[1], a[1]]), 1, 1, 0, outs))
          .toThrow(/C io_uring \((readiness|completion)\): round 0, connection 1, .*not written/);
        if (style === 0) expect(recv(b[0], new Uint8Array(8))).toBe(1); // the poll style leaves the byte
        native.benchUring(style, rfds, new Int32Array([a[1], b[1]]), 2, 5, 0, outs);
        expect(outs[0]).toBeGreaterThan(0);
      }
    } finally {
      for (const fd of [...a, ...b]) close(fd);
    }
  });
  it('bench: --quick ping-pong has the io_uring row, TS and C, verified every hop, in results.json/md and the table', () => {
    const r = bench(['--quick', '--rounds', '40', '--samples', '3', '--suites', 'pingpong', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const pp = json.pingpong;
    expect(pp.uringUnavailable).toBeUndefined(); // CI's kernel allows io_uring (the unit tests need it too)
    expect(pp.tripsPerSample).toBe(40);
    for (const lang of ['ts', 'c'] as const) {
      expect(pp.uring[lang].round).toHaveLength(3);
      for (const v of pp.uring[lang].round) expect(v).toBeGreaterThan(0);
    }
    const m = pp.median.uring;
    expect(m.ts).toBe(median(pp.uring.ts.round));
    expect(m.c).toBe(median(pp.uring.c.round));
    expect(m.tsOverC).toBeCloseTo(m.ts / m.c, 10);
    expect(r.stdout).toContain('io_uring: SEND + RECV, one io_uring_enter per hop');
    expect(r.stdout).toContain('io_uring (sockfd TypeScript vs the same loop in C)');
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/\| io_uring \(sockfd TypeScript vs the same loop in C\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+× \|/);
    expect(readFileSync(join(out, 'chart.svg'), 'utf8')).toContain('TypeScript via sockfd (io_uring)');
  }, 60_000);

  it('bench: the io_uring ping-pong loops bounce one verified byte, and fail cleanly on bad fds and arguments', () => {
    const a = new Int32Array(2);
    const b = new Int32Array(2);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b);
    const ts = uringTsPingPong(a[0], a[1]);
    try {
      const outs = new Float64Array(1);
      native.benchPingPongUring(a[0], a[1], 5, outs);
      expect(outs[0]).toBeGreaterThan(0);
      expect(ts.run(5)).toBeGreaterThan(0);
      // nothing left over on either side
      expect(() => recv(a[0], new Uint8Array(8))).toThrow(/EAGAIN/);
      expect(() => recv(a[1], new Uint8Array(8))).toThrow(/EAGAIN/);
      // bad trips and fds: refused before any ring is made
      expect(() => native.benchPingPongUring(a[0], a[1], 0, outs)).toThrow(RangeError);
      expect(() => native.benchPingPongUring(a[0], a[1], 1.5, outs)).toThrow(/trips/);
      expect(() => native.benchPingPongUring(-1, a[1], 1, outs)).toThrow(RangeError);
      expect(() => native.benchPingPongUring(a[0], a[1], 1, new Float64Array(0))).toThrow(/out must hold 1 double/);
      // an fd number that names nothing (far above any open fd, so no ring fd takes it): the
      // SEND's CQE carries EBADF, and the RECV armed beside it is cancelled when the ring closes
      const closed = 999_999;
      expect(() => native.benchPingPongUring(closed, a[1], 3, outs)).toThrow(/C io_uring ping-pong, hop 0: SEND did not send 1 byte \(res -9 /);
      // two sockets that are not a pair: the byte never reaches the RECV, which gives up after 2 s
      expect(() => native.benchPingPongUring(a[0], b[0], 3, outs)).toThrow(/hop 0: RECV not complete after 2 s/);
      expect(recv(a[1], new Uint8Array(8))).toBe(1); // the byte went to a[0]'s own peer
      // the same bad fd from TypeScript
      const bad = uringTsPingPong(closed, a[1]);
      try {
        expect(() => bad.run(3)).toThrow(/io_uring ping-pong \(TypeScript\), hop 0: SEND did not send 1 byte \(res -9 EBADF\)/);
      } finally {
        bad.close();
      }
      // and the pair still bounces: nothing armed by a failed call took a byte
      native.benchPingPongUring(a[0], a[1], 3, outs);
      expect(ts.run(3)).toBeGreaterThan(0);
      expect(send(a[1], new Uint8Array([1]), 1)).toBe(1);
      expect(recv(a[0], new Uint8Array(8))).toBe(1);
    } finally {
      ts.close();
      for (const fd of [...a, ...b]) close(fd);
    }
  }, 30_000);
});
