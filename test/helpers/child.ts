// Runs a snippet of JavaScript in a child node process that loads sockfd from lib/ (the
// TypeScript sources, through scripts/ts-register.cjs). Tests use it for calls that block
// (a wait for a signal) or need their own process state (a raised RLIMIT_NOFILE).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `node -e code` with `sockfd` bound to require('./lib'). `onLine` sees each stdout
 * line as it arrives (with the child, to signal it). The child is killed after `timeoutMs`.
 */
export function runChild(code: string, opts: {
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void;
  timeoutMs?: number;
  shell?: string;
} = {}): Promise<ChildResult> {
  const script = `const sockfd = require(${JSON.stringify(join(root, 'lib'))});\n${code}`;
  const args = ['-r', join(root, 'scripts', 'ts-register.cjs'), '-e', script];
  const child = opts.shell !== undefined
    ? spawn('bash', ['-c', `${opts.shell}; exec "$0" "$@"`, process.execPath, ...args], { cwd: root })
    : spawn(process.execPath, args, { cwd: root });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    pending += d;
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      opts.onLine?.(line, child);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * An onLine handler that, once the child prints a line starting with `ready`, sends it
 * `signal` every `everyMs` until it prints a line starting with one of `stop` (or exits).
 * Repeating closes the race in which one signal lands just before the child enters its
 * wait (libuv would take it and the wait would never see EINTR).
 */
export function signalAfter(ready: string, signal: NodeJS.Signals, stop: string[], everyMs = 150):
  (line: string, child: ReturnType<typeof spawn>) => void {
  let timer: NodeJS.Timeout | undefined;
  return (line, child) => {
    if (timer === undefined && line.startsWith(ready)) {
      const t = setInterval(() => child.kill(signal), everyMs);
      timer = t;
      child.on('exit', () => clearInterval(t));
    } else if (timer !== undefined && stop.some((p) => line.startsWith(p))) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
