// The other end of a blocking exchange. A blocking accept/recv/MSG_WAITALL in the test's
// thread needs a peer that runs at the same time: a worker_thread (the addon is
// context-aware, so each worker loads its own instance). The worker shares this process's
// fd table, so fds created on either side are visible to both and to the fd-leak check.
//
// The worker's body is plain JavaScript (a string, run synchronously): it receives
//   b      the raw addon (lib/binding.ts `Binding`; constants at b.constants),
//   data   the structured-cloned `data` argument,
//   sleep  sleep(ms), blocking the worker thread,
//   enc    string -> Uint8Array (UTF-8),  dec  Uint8Array -> string,
//   rcvtimeo(fd, ms)  SO_RCVTIMEO so no blocking call in the worker can hang the run,
// and its return value (structured-cloneable) resolves the promise. A throw rejects it
// with an Error carrying the thrown `code`.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export const root = join(__dirname, '..', '..');
export const gypBuild = createRequire(join(root, 'package.json')).resolve('node-gyp-build');

const prelude = `
const { workerData, parentPort } = require('node:worker_threads');
const b = require(workerData.gypBuild)(workerData.root);
const cell = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => { Atomics.wait(cell, 0, 0, ms); };
const enc = (s) => new TextEncoder().encode(s);
const dec = (u) => new TextDecoder().decode(u);
const rcvtimeo = (fd, ms) => {
  const L = b.layout.timeval;
  const tv = new DataView(new ArrayBuffer(L.size));
  const setLong = (off, v) => L.size === 16 ? tv.setBigInt64(off, BigInt(v), true) : tv.setInt32(off, v, true);
  setLong(L.tv_sec, Math.floor(ms / 1000));
  setLong(L.tv_usec, (ms % 1000) * 1000);
  b.setsockopt(fd, b.constants.SOL_SOCKET, b.constants.SO_RCVTIMEO, tv);
  b.setsockopt(fd, b.constants.SOL_SOCKET, b.constants.SO_SNDTIMEO, tv);
};
let out;
try {
  const body = new Function('b', 'data', 'sleep', 'enc', 'dec', 'rcvtimeo', workerData.body);
  out = { ok: true, value: body(b, workerData.data, sleep, enc, dec, rcvtimeo) };
} catch (e) {
  out = { ok: false, message: String(e && e.message), code: e && e.code };
}
parentPort.postMessage(out);
`;

/** A running peer: `done` settles with the body's return value once the worker has exited. */
export interface Peer<T> {
  done: Promise<T>;
}

/**
 * Runs `body` in a fresh worker thread. Resolve `done` before the test ends: it settles only
 * after the worker has exited, so the worker's own loop fds are gone too.
 */
export function peer<T = unknown>(body: string, data: unknown = {}, timeoutMs = 10_000): Peer<T> {
  const w = new Worker(prelude, { eval: true, workerData: { root, gypBuild, body, data } });
  const done = new Promise<T>((resolve, reject) => {
    let msg: { ok: boolean; value?: T; message?: string; code?: string } | undefined;
    const timer = setTimeout(() => void w.terminate(), timeoutMs);
    w.on('message', (m) => (msg = m));
    w.on('error', (e) => (msg = { ok: false, message: `worker error: ${e.message}` }));
    w.on('exit', () => {
      clearTimeout(timer);
      if (msg?.ok) resolve(msg.value as T);
      else {
        const e = new Error(`peer: ${msg?.message ?? 'worker exited without a result (timed out?)'}`);
        (e as Error & { code?: string }).code = msg?.code;
        reject(e);
      }
    });
  });
  return { done };
}
