import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import nodeGypBuild = require('node-gyp-build');
import { binding } from '../lib/binding';

// npm run test:asan sets SOCKFD_SANITIZED=1. This proves the suite then really runs against
// the instrumented addon with the runtime loaded, so a broken switch cannot pass silently; in
// every other run (npm test, test:cmake) it proves the opposite: the plain build is loaded,
// so a sanitizer build left behind by an interrupted test:asan cannot pass as the real one.
const sanitized = process.env.SOCKFD_SANITIZED === '1';
describe('build', () => {
  it(`the loaded addon ${sanitized ? 'is' : 'is not'} built with ASan and UBSan (SOCKFD_SANITIZED=${sanitized ? 1 : 'unset'})`, () => {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const addon = maps.split('\n').find((l) => /\.node$/.test(l) && /sockfd/.test(l));
    expect(addon, 'the sockfd addon is mapped').toBeDefined();
    const file = readFileSync(addon!.slice(addon!.indexOf('/')));
    expect(/libasan\.so/.test(maps)).toBe(sanitized);
    expect(file.includes('__asan_report')).toBe(sanitized);
    expect(file.includes('__ubsan_handle')).toBe(sanitized);
  });

  it('the CommonJS entry binds every export as a plain data property (no per-call getter)', () => {
    // dist/ is built by `npm install`; scripts/esm-wrapper.mjs flattens tsc's getters.
    const entry = require('../dist/index.js') as Record<string, unknown>;
    const names = Object.keys(entry);
    expect(names.length).toBeGreaterThan(400);
    for (const n of names) expect(Object.getOwnPropertyDescriptor(entry, n), n).toHaveProperty('value');
    expect(entry.recv).toBe(binding.recv);
  });

  it('sockfd.node is the only .node file of the build and exports none of the benchmark\'s C loops', () => {
    // The bench loops live in sockfd_bench.so (native/bench/, bench/native.ts), which
    // node-gyp-build can never mistake for the addon.
    const dir = dirname(nodeGypBuild.path(join(__dirname, '..')));
    expect(readdirSync(dir).filter((f) => f.endsWith('.node'))).toHaveLength(1);
    expect(existsSync(join(dir, 'sockfd_bench.so')), 'the bench library beside the addon').toBe(true);
    const raw = nodeGypBuild(join(__dirname, '..')) as Record<string, unknown>;
    expect(Object.keys(raw).filter((k) => /^(bench|overhead|floor)/i.test(k))).toEqual([]);
    expect(Object.keys(binding).sort()).toEqual(Object.keys(raw).sort());
  });

  it('the addon loads with its constants and layouts', () => {
    expect(binding.layout.sockaddr_in.size).toBe(16);
    expect(binding.layout.sockaddr_in6.size).toBe(28);
    expect(binding.layout.sockaddr_un.size).toBe(110);
    expect(binding.layout.sockaddr_storage.size).toBe(128);
  });
});
