// Optional system peers. A few tests drive sockfd with programs it did not write (nc, socat,
// a python3 client, strace); a machine with only Node and a compiler lacks them. Such a test
// runs when its tool is on PATH and is otherwise skipped with a note naming the tool, which
// test/helpers/skip-reporter.ts prints at the end of `npm test`. CI installs every peer and
// fails on any skip (.ci/run), so nothing is skipped there.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'vitest';
import { testnetUnavailable } from '../../lib/testnet';

/** Each optional peer and the Debian/Ubuntu package that provides it. */
export const PEERS = {
  nc: 'netcat-openbsd',
  socat: 'socat',
  strace: 'strace',
  python3: 'python3',
  setpriv: 'util-linux',
} as const;
export type Peer = keyof typeof PEERS;

const found = new Map<string, boolean>();

/** Whether an executable named `tool` is on PATH (looked up once per process). */
export function onPath(tool: string): boolean {
  let ok = found.get(tool);
  if (ok === undefined) {
    ok = (process.env.PATH ?? '').split(delimiter).some((dir) => {
      if (dir === '') return false;
      const file = join(dir, tool);
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
    found.set(tool, ok);
  }
  return ok;
}

/** The peers among `tools` that are not on PATH. */
export function missing(...tools: Peer[]): Peer[] {
  return tools.filter((t) => !onPath(t));
}

/** The skip note for absent peers: names them and the apt line that installs them. */
export function skipNote(absent: Peer[]): string {
  return `needs ${absent.join(' and ')} on PATH (apt-get install ${absent.map((t) => PEERS[t]).join(' ')})`;
}

/**
 * Skips the running test, with a note naming each absent tool, unless all of `tools` are on
 * PATH. Call it first in the test body: `it('...', (ctx) => { requirePeers(ctx, 'nc'); ... })`.
 */
export function requirePeers(ctx: TestContext, ...tools: Peer[]): void {
  const absent = missing(...tools);
  if (absent.length > 0) ctx.skip(skipNote(absent));
}

/**
 * Skips the running test unless this process may build sockfd/testnet hosts (CAP_SYS_ADMIN
 * and CAP_NET_ADMIN: root), with testnetUnavailable()'s note naming the missing capability.
 */
export function requireTestnet(ctx: TestContext): void {
  const why = testnetUnavailable();
  if (why !== null) ctx.skip(why);
}
