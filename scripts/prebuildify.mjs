// npm run build:prebuild — builds the Node-API prebuild that the npm tarball ships:
// prebuilds/linux-x64/sockfd.glibc.node, which node-gyp-build loads at require time, so an
// install with scripts disabled (newer npm's default for dependencies) still works.
//
// Node-API is ABI-stable, so one build (NAPI_VERSION=8, see binding.gyp) serves every Node
// release in "engines"; --target only names the headers, and those come from the running
// node's own include/node (npm's nodedir), never from a download. --tag-libc names the file
// for glibc: on musl node-gyp-build skips it rather than loading a binary that cannot link.
//
// It is also `prepack`: a plain `npm pack` (or publish) always builds the prebuild it ships,
// and refuses to pack when prebuilds/linux-x64/sockfd.glibc.node cannot be made (on another
// CPU or libc). prebuildify moves node-gyp's output into prebuilds/; a copy goes back to
// build/Release so the development tree keeps a loadable addon.
//
// The build has a second library, sockfd_bench.so (binding.gyp target sockfd_bench: the C
// loops of `sockfd bench`). prebuildify copies a build's *.so files, stripped, beside the
// prebuild, so it ships as prebuilds/linux-x64/sockfd_bench.so; it is not a .node file, so
// node-gyp-build never loads it as the addon, and sockfd.glibc.node stays the only prebuild.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const env = { ...process.env, SOCKFD_SANITIZE: '0' };

if (!env.npm_config_nodedir) {
  const prefix = dirname(dirname(process.execPath));
  if (!existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
    console.error(`build:prebuild: no Node headers in ${prefix}/include/node; set npm_config_nodedir`);
    process.exit(1);
  }
  env.npm_config_nodedir = prefix;
}

rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
const bin = require.resolve('prebuildify/bin.js');
const args = [bin, '--napi', '--strip', '--tag-libc', `--target=${process.versions.node}`];
// The build's output goes to stderr: as prepack it must not mix into `npm pack --json`.
const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['inherit', 2, 2] });
if (r.status !== 0) process.exit(r.status ?? 1);

const shipped = join(root, 'prebuilds', 'linux-x64', 'sockfd.glibc.node');
if (!existsSync(shipped)) {
  console.error(
    `build:prebuild: ${shipped} was not produced (this is ${process.platform}-${process.arch}); ` +
      'the npm tarball must ship it, so pack on Linux x64 with glibc',
  );
  process.exit(1);
}
const bench = join(root, 'prebuilds', 'linux-x64', 'sockfd_bench.so');
if (!existsSync(bench)) {
  console.error(`build:prebuild: ${bench} was not produced: \`npx sockfd bench\` needs it beside the prebuild`);
  process.exit(1);
}
const nodes = readdirSync(join(root, 'prebuilds', 'linux-x64')).filter((f) => f.endsWith('.node'));
if (nodes.length !== 1) {
  console.error(`build:prebuild: expected one .node prebuild, found ${nodes.join(', ')}`);
  process.exit(1);
}
mkdirSync(join(root, 'build', 'Release'), { recursive: true });
copyFileSync(shipped, join(root, 'build', 'Release', 'sockfd.node'));
console.error(`build:prebuild: ${shipped.slice(root.length + 1)} (also copied to build/Release/sockfd.node)`);
