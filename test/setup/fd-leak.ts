// Shared check (STYLE.md "Tests"): every test file must close every fd it opens.
// The open fds of this process are listed before the file's tests and compared after.
import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';

/** The fds this process has open, with what each points at. */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the fd readdir itself used is gone by now
    }
  }
  return out;
}

let before: Map<number, string>;
beforeAll(() => {
  before = openFds();
});
afterAll(() => {
  const leaked: string[] = [];
  for (const [fd, target] of openFds()) {
    if (!before.has(fd) && /^(socket|anon_inode|pipe):/.test(target)) leaked.push(`${fd} -> ${target}`);
  }
  expect(leaked, 'fds opened by this test file and never closed').toEqual([]);
});
