// The body of one sockfd/testnet host: a worker_thread that unshares its network namespace,
// brings `lo` up, opens the rtnetlink socket the main thread will drive, reports, then runs the
// functions host.run() sends it. Loaded by lib/testnet.ts; not public API.
import { parentPort } from 'node:worker_threads';
import * as sockfd from './index';
import { Rtnl } from './rtnl';

interface RunMsg {
  id: number;
  src: string;
  args: unknown[];
}

/** An error as plain data: structured clone keeps neither the class nor code/errno/syscall. */
function flatten(e: unknown): Record<string, unknown> {
  if (e instanceof Error) {
    const o: Record<string, unknown> = { name: e.name, message: e.message, stack: e.stack };
    for (const k of ['code', 'errno', 'syscall', 'fd', 'address', 'port']) {
      const v = (e as unknown as Record<string, unknown>)[k];
      if (v !== undefined) o[k] = v;
    }
    return o;
  }
  return { name: 'Error', message: String(e) };
}

const port = parentPort!;
try {
  sockfd.unshare(sockfd.CLONE_NEWNET);
  const rtnl = new Rtnl();
  rtnl.setUp(rtnl.ifindex('lo'), true);
  port.postMessage({ ready: true, tid: sockfd.gettid(), rtnl: rtnl.fd, cookie: rtnl.cookie() });
} catch (e) {
  port.postMessage({ ready: false, error: flatten(e) });
}

port.on('message', (m: RunMsg) => {
  void (async () => {
    try {
      // The function arrives as its source text: it sees only its parameters and the globals
      // (plus `require`), never the variables around it where it was written.
      const fn = new Function('require', `return (${m.src});`)(require) as (...a: unknown[]) => unknown;
      const value = await fn(sockfd, ...m.args);
      port.postMessage({ id: m.id, ok: true, value });
    } catch (e) {
      port.postMessage({ id: m.id, ok: false, error: flatten(e) });
    }
  })();
});
