// The io_uring cells of `sockfd bench` (bench/uring.ts, native/bench/uring.cc): a --quick run
// with --methods io_uring writes verified cells for both styles, and a wrong completion set
// fails the run from TypeScript and from C. (test/bench.test.ts covers the rest of the bench.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AF_UNIX, SOCK_NONBLOCK, SOCK_STREAM, close, recv, socketpair } from '../lib';
import { native } from '../bench/native';

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
});
