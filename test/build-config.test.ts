// The two builds and the package manifest agree: node-gyp (binding.gyp) and cmake-js
// (CMakeLists.txt) compile the same sources with the same defines and flags, and
// package.json ships what a user needs to load the addon without compiling.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');

interface Target {
  target_name: string;
  sources: string[];
}
interface Defaults {
  defines: string[];
  cflags_cc: string[];
  conditions: [string, { cflags_cc: string[] }, { cflags_cc: string[] }][];
}
// binding.gyp is JSON plus `#` comment lines.
const gyp = JSON.parse(
  read('binding.gyp')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n'),
) as { target_defaults: Defaults; targets: Target[] };
const defaults = gyp.target_defaults;
const byName = (name: string) => gyp.targets.find((t) => t.target_name === name)!;
const cmake = read('CMakeLists.txt');
const pkg = JSON.parse(read('package.json')) as Record<string, unknown> & {
  scripts: Record<string, string>;
  files: string[];
  exports: Record<string, Record<string, Record<string, string>>>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  binary: { napi_versions: number[] };
};

describe('build configuration', () => {
  it('binding.gyp has two targets: the addon sockfd and the bench library sockfd_bench', () => {
    expect(gyp.targets.map((t) => t.target_name)).toEqual(['sockfd', 'sockfd_bench']);
    // the bench library is a loadable module NOT named *.node: node-gyp-build must never pick it
    expect(read('binding.gyp')).toMatch(/"_type=='loadable_module'", \{"product_extension": "so"\}/);
    // settings live in target_defaults, so both are built alike
    for (const t of gyp.targets) expect(Object.keys(t).sort()).not.toContain('defines');
  });

  it('binding.gyp compiles every native/**/*.cc, the addon none of native/bench/, the bench library all of them', () => {
    const onDisk = [
      ...readdirSync(join(root, 'native')).map((f) => `native/${f}`),
      ...readdirSync(join(root, 'native', 'bench')).map((f) => `native/bench/${f}`),
    ].filter((f) => f.endsWith('.cc')).sort();
    const product = byName('sockfd').sources;
    const bench = byName('sockfd_bench').sources;
    expect([...new Set([...product, ...bench])].sort()).toEqual(onDisk);
    expect(product.filter((f) => f.startsWith('native/bench/'))).toEqual([]);
    for (const f of onDisk.filter((x) => x.startsWith('native/bench/'))) expect(bench).toContain(f);
  });

  it('CMakeLists.txt takes each target\'s sources from binding.gyp', () => {
    expect(cmake).toMatch(/file\(READ "\$\{CMAKE_SOURCE_DIR\}\/binding\.gyp"/);
    expect(cmake).toMatch(/add_library\(sockfd SHARED \$\{SOCKFD_SOURCES_sockfd\}/);
    expect(cmake).toMatch(/add_library\(sockfd_bench SHARED \$\{SOCKFD_SOURCES_sockfd_bench\}/);
    expect(cmake).toMatch(/sockfd_bench PROPERTIES PREFIX "" SUFFIX "\.so"/);
  });

  it('CMakeLists.txt passes every define and C++ flag binding.gyp passes', () => {
    for (const d of defaults.defines) expect(cmake, `define ${d}`).toContain(d);
    const [, sanitized, normal] = defaults.conditions[0];
    for (const flag of [...defaults.cflags_cc, ...sanitized.cflags_cc, ...normal.cflags_cc]) {
      expect(cmake, `flag ${flag}`).toContain(flag);
    }
  });

  it('NAPI_VERSION is one number in binding.gyp, CMakeLists.txt and package.json "binary"', () => {
    const napi = /NAPI_VERSION=(\d+)/.exec(defaults.defines.join(' '))?.[1];
    expect(napi).toBeDefined();
    expect(cmake).toContain(`NAPI_VERSION=${napi}`);
    expect(pkg.binary.napi_versions).toEqual([Number(napi)]);
  });

  it('package.json: typed exports map, Linux only, any CPU (a source build stays possible)', () => {
    // each condition carries its own types, so an ESM consumer gets the ESM facade's .d.mts
    expect(pkg.exports['.']).toEqual({
      import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
      require: { types: './dist/index.d.ts', default: './dist/index.js' },
    });
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.os).toEqual(['linux']);
    expect(pkg).not.toHaveProperty('cpu');
    expect(pkg).toHaveProperty('engines.node');
    expect(pkg.bin).toEqual({ sockfd: 'dist/cli.js' });
    expect(read('lib/cli.ts').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('package.json: loads from a prebuild, builds from source only as a fallback', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['node-addon-api', 'node-gyp-build']);
    expect(pkg.scripts.install).toBe('node-gyp-build');
    // npm would run a script named `prebuild` before `build`
    expect(pkg.scripts).not.toHaveProperty('prebuild');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/', 'prebuilds/', 'binding.gyp', 'CMakeLists.txt', 'native/bench/*.cc', 'native/bench/*.h']));
    for (const f of pkg.files) expect(f, 'files whitelist').not.toMatch(/^(test|build|bench|scripts|lib)\b/);
  });
});
