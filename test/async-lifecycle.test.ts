// The async layer across process and thread lifetimes: process.exit() with pending waits,
// ref/unref, GC of a buffer held only by a pending recvAsync, and worker threads
// terminated mid-wait. Each case runs sockfd from lib/ (through scripts/ts-register.cjs) in
// a child process or worker thread.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { close, recvAsync, sendAsync, socketpair, AF_UNIX, SOCK_STREAM } from '../lib';

const root = join(__dirname, '..');
const fixtures = join(__dirname, 'fixtures');
const register = join(root, 'scripts', 'ts-register.cjs');
const lib = join(root, 'lib');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a fixture in a child node. `ms` counts from the child's first line of output (its
 * start-up, which transpiles lib/, is not what is measured). The child is killed
 * `killAfterMs` after that line, or after 20 s if it never prints.
 */
function run(args: string[], killAfterMs: number): Promise<Run & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const child = spawn(process.execPath, ['-r', register, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    let timer = setTimeout(kill, 20_000);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout === '') {
        t0 = performance.now();
        clearTimeout(timer);
        timer = setTimeout(kill, killAfterMs);
      }
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, killed });
    });
  });
}

// Children transpile lib/ at start-up (scripts/ts-register.cjs): seconds on a busy machine.
describe('process lifetime', { timeout: 60_000 }, () => {
  test('process.exit() with pending ref\'d waits exits at once with its code', async () => {
    const r = await run([join(fixtures, 'async-exit.cjs'), lib, 'exit'], 5000);
    expect(r.stderr).toBe('');
    expect(r.killed).toBe(false);
    expect(r.stdout).toBe('waiting\n');
    expect(r.code).toBe(7);
    expect(r.ms).toBeLessThan(1000); // the 50 ms timer, then exit: nothing to drain or join
  });

  test('waits with { ref: false } do not keep the process alive', async () => {
    const r = await run([join(fixtures, 'async-exit.cjs'), lib, 'unref'], 5000);
    expect(r.stderr).toBe('');
    expect(r.killed).toBe(false);
    expect(r.stdout).toBe('waiting\n');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(1000);
  });

  test('a pending ref\'d wait keeps the process alive', async () => {
    const r = await run([join(fixtures, 'async-exit.cjs'), lib, 'ref'], 1000);
    expect(r.stdout).toBe('waiting\n');
    expect(r.killed).toBe(true);
    expect(r.signal).toBe('SIGKILL');
  });
});

test('GC: a buffer referenced only by a pending recvAsync survives collection and receives the data', async () => {
  const r = await run(['--expose-gc', join(fixtures, 'async-gc.cjs'), lib], 10_000);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { aliveWhilePending: boolean; n: number; got: string; freedAfter: boolean };
  expect(out.aliveWhilePending).toBe(true);
  expect(out.n).toBe(8);
  expect(out.got).toBe('after gc');
  // Once settled the waiter lets go of it: no leak of every buffer ever awaited.
  expect(out.freedAfter).toBe(true);
}, 60_000);

test('worker_threads: four workers terminated mid-wait leave the main thread running', async () => {
  const fds: number[] = [];
  const workers = Array.from({ length: 4 }, () => new Worker(join(fixtures, 'async-worker.cjs'), { workerData: { register, lib } }));
  try {
    // Each worker reports its fds, then 200 ping-pong rounds while its other waits pend.
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.on('error', reject);
            w.on('message', (m: { fds?: number[]; rounds?: number }) => {
              if (m.fds) fds.push(...m.fds);
              if (m.rounds) resolve();
            });
          }),
      ),
    );
    const codes = await Promise.all(workers.map((w) => w.terminate()));
    expect(codes).toEqual([1, 1, 1, 1]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // The main thread's loop and the addon still work: an interval ticks and an async
  // recv completes.
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  const sv = new Int32Array(2);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  try {
    const buf = new Uint8Array(4);
    const p = recvAsync(sv[0], buf);
    setTimeout(() => void sendAsync(sv[1], Buffer.from('main')), 200);
    expect(await p).toBe(4);
    expect(Buffer.from(buf).toString()).toBe('main');
    expect(ticks).toBeGreaterThanOrEqual(5);
  } finally {
    clearInterval(iv);
    close(sv[0]);
    close(sv[1]);
  }
  expect(fds.length).toBe(16);
  for (const fd of fds) close(fd);
}, 60_000); // four workers each transpile lib/ on start-up
