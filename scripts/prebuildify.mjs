// npm run build:prebuild — builds the Node-API prebuild that the npm tarball ships:
// prebuilds/linux-x64/sockfd.glibc.node, which node-gyp-build loads at require time, so an
// install with scripts disabled (newer npm's default for dependencies) still works.
//
// Node-API is ABI-stable, so one build (NAPI_VERSION=8, see binding.gyp) serves every Node
// release in "engines"; --target only names the headers, and those come from the running
// node's own include/node (npm's nodedir), never from a download. --tag-libc names the file
// for glibc: on musl node-gyp-build skips it rather than loading a binary that cannot link.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
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
const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
