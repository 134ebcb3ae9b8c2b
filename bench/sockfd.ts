// What the benchmark drives: the package's public API, imported from the package root
// (dist/index) as any user script would, and the raw addon for the C loops of bench.cc,
// which are deliberately not part of the public API.
import nodeGypBuild = require('node-gyp-build');
import * as path from 'node:path';
import type { Binding } from '../dist/binding';

export * from '..';

/** The addon (the same loaded module instance the package uses: require caches by path). */
export const native: Binding = nodeGypBuild(path.join(__dirname, '..', '..')) as Binding;
