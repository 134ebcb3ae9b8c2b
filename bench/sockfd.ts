// What the benchmarks drive: the package's public API, imported from the package root
// (package.json "main", i.e. dist/index) as any user script would, and the raw addon for
// the C loops (native/bench.cc, native/overhead.cc), which are deliberately not public.
import nodeGypBuild = require('node-gyp-build');
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Binding } from '../dist/binding';

export * from '..';

function isRoot(dir: string): boolean {
  const f = path.join(dir, 'package.json');
  if (!existsSync(f)) return false;
  try {
    return (JSON.parse(readFileSync(f, 'utf8')) as { name?: unknown }).name === 'sockfd';
  } catch {
    return false;
  }
}

/** The package root: the nearest folder above this file whose package.json names sockfd. */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (isRoot(dir)) return dir;
    if (path.dirname(dir) === dir) throw new Error(`sockfd bench: no package root above ${__dirname}`);
  }
}

/** The C side of the stream suite (native/bench_stream.cc; not public API). */
export interface StreamBinding {
  benchStreamLoop(a: number, b: number, chunk: number, total: number, out: Float64Array): undefined;
  benchDgramFill(fd: number, size: number, max: number): number;
  benchDgramDrain(fd: number, size: number, max: number, out: Float64Array): undefined;
}

/** The addon (the same loaded module instance the package uses: require caches by path). */
export const native = nodeGypBuild(packageRoot()) as Binding & StreamBinding;
