#!/usr/bin/env bash
# npm run test:package — what a user gets from the registry, tested the way they get it:
#   1. a plain `npm pack` with no prebuilds/ folder: its prepack script must build the Node-API
#      prebuild and ship the bench library sockfd_bench.so beside it (the only .node file
#      stays the addon); check it is an x86-64 ELF shared object for Linux, stripped, without
#      sanitizer instrumentation, and that the tarball holds exactly dist/, prebuilds/, the
#      native sources, binding.gyp, CMakeLists.txt, README.md, LICENSE and package.json;
#   3. install the tarball into a fresh project with install scripts disabled (newer npm's
#      default for dependencies), so only the prebuild can make it load, then: require and
#      import give the same module, a socketpair round-trips bytes, `sockfd/testnet` loads from
#      both (and, with CAP_SYS_ADMIN + CAP_NET_ADMIN, carries a datagram between two hosts from
#      the shipped worker file), tsc type-checks a CJS and an ESM consumer against the shipped
#      .d.ts, and the `sockfd` bin runs;
#   4. without a usable prebuild, require() fails with an error that gives the command to
#      rebuild from source, and that command works;
#   5. install it once more with --build-from-source: the source-build fallback compiles.
# Any failure stops the script with a non-zero exit and a message saying which check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

step() { printf '\n== test:package: %s (%s)\n' "$*" "$(date +%T)"; }
fail() { printf 'test:package: FAILED: %s\n' "$*" >&2; exit 1; }

# Node headers come from the running node (npm's nodedir); nothing is downloaded.
if [ -z "${npm_config_nodedir:-}" ]; then
  prefix=$(dirname "$(dirname "$(command -v node)")")
  [ -f "$prefix/include/node/node_api.h" ] || fail "no Node headers in $prefix/include/node"
  export npm_config_nodedir=$prefix
fi

# Run a build step without network when this machine lets us (root + unshare): proves the
# build needs nothing but local headers and installed packages.
offline() {
  if unshare -n true 2>/dev/null; then unshare -n "$@"; else "$@"; fi
}

work=$(mktemp -d /tmp/sockfd-pkg.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

step "npm pack with no prebuilds/: prepack builds the prebuild (offline)"
rm -rf dist prebuilds
offline npm pack --json --pack-destination "$work" >"$work/pack.json" 2>"$work/pack.log" || { cat "$work/pack.log"; fail "npm pack"; }
tarball=$work/$(node -p "require('$work/pack.json')[0].filename")
[ -f "$tarball" ] || fail "npm pack wrote no tarball"
prebuild=prebuilds/linux-x64/sockfd.glibc.node
[ -f "$prebuild" ] || { cat "$work/pack.log"; fail "prepack did not produce $prebuild (prebuilds/: $(ls -R prebuilds 2>&1))"; }
[ -f build/Release/sockfd.node ] || fail "prepack left the development tree without build/Release/sockfd.node"
# the bench library ships beside the prebuild, and is no .node file node-gyp-build could pick
[ -f prebuilds/linux-x64/sockfd_bench.so ] || fail "prepack did not ship prebuilds/linux-x64/sockfd_bench.so"
for d in prebuilds/linux-x64 build/Release; do
  nodes=$(cd "$d" && ls -- *.node)
  case $nodes in sockfd.node|sockfd.glibc.node) ;; *) fail "$d must hold exactly one .node file (the addon), holds: $nodes" ;; esac
done

step "check the prebuild is an x86-64 ELF shared object for Linux"
node - "$prebuild" <<'EOF'
const { readFileSync } = require('node:fs');
const file = process.argv[2];
const b = readFileSync(file);
const problems = [];
const want = (what, ok) => { if (!ok) problems.push(what); };
want('ELF magic 7f 45 4c 46', b.readUInt32BE(0) === 0x7f454c46);
want('EI_CLASS = ELFCLASS64 (2)', b[4] === 2);
want('EI_DATA = ELFDATA2LSB (1)', b[5] === 1);
want('EI_OSABI = SYSV (0) or GNU/Linux (3)', b[7] === 0 || b[7] === 3);
want('e_type = ET_DYN (3)', b.readUInt16LE(16) === 3);
want('e_machine = EM_X86_64 (62)', b.readUInt16LE(18) === 62);
const text = b.toString('latin1');
want('links against glibc (libc.so.6)', text.includes('libc.so.6'));
want('exports napi_register_module_v1', text.includes('napi_register_module_v1'));
want('not built with ASan (no __asan_ symbols)', !text.includes('__asan_'));
want('no musl loader', !text.includes('ld-musl'));
if (problems.length) {
  console.error(`${file} is not what we ship:\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log(`${file}: ELF64 x86-64 shared object, glibc, ${b.length} bytes`);
EOF
if command -v file >/dev/null; then
  desc=$(file -b "$prebuild")
  echo "file: $desc"
  case $desc in *"ELF 64-bit LSB shared object, x86-64"*"GNU/Linux"*|*"ELF 64-bit LSB shared object, x86-64"*"SYSV"*) ;;
    *) fail "file(1) does not describe $prebuild as an x86-64 ELF shared object: $desc" ;;
  esac
fi

step "check the tarball's file list"
node - "$work/pack.json" <<'EOF'
const [info] = require(process.argv[2]);
const files = info.files.map((f) => f.path).sort();
const allowed = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^binding\.gyp$/, /^CMakeLists\.txt$/,
  /^native\/(bench\/)?[\w-]+\.(cc|h)$/,
  /^prebuilds\/linux-x64\/sockfd\.glibc\.node$/, /^prebuilds\/linux-x64\/sockfd_bench\.so$/,
  /^dist\/.+\.(js|mjs|d\.ts|d\.mts|js\.map)$/,
];
const required = [
  'package.json', 'README.md', 'LICENSE', 'binding.gyp', 'CMakeLists.txt',
  'native/addon.cc', 'native/common.h', 'native/constants.h', 'native/bench/addon.cc', 'native/bench/bench.h',
  'prebuilds/linux-x64/sockfd.glibc.node', 'prebuilds/linux-x64/sockfd_bench.so',
  'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts', 'dist/cli.js',
  'dist/testnet.js', 'dist/testnet.mjs', 'dist/testnet.d.ts', 'dist/testnet.d.mts', 'dist/testnet-worker.js',
];
const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
const missing = required.filter((f) => !files.includes(f));
const cc = files.filter((f) => /^native\/.*\.cc$/.test(f));
for (const f of files) console.log(`  ${f}`);
console.log(`${files.length} files, ${info.size} bytes packed, ${info.unpackedSize} bytes unpacked`);
if (unexpected.length || missing.length) {
  if (unexpected.length) console.error(`unexpected in the tarball:\n  ${unexpected.join('\n  ')}`);
  if (missing.length) console.error(`missing from the tarball:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
// every source binding.gyp compiles must ship, or --build-from-source cannot work
const gyp = require('node:fs').readFileSync('binding.gyp', 'utf8');
const sources = [...new Set([...gyp.matchAll(/"(native\/[\w/-]+\.cc)"/g)].map((m) => m[1]))];
const absent = sources.filter((s) => !cc.includes(s));
if (absent.length) { console.error(`binding.gyp sources not shipped: ${absent.join(', ')}`); process.exit(1); }
EOF

step "install the tarball into a fresh project with --ignore-scripts"
app=$work/app
mkdir -p "$app"
cat >"$app/package.json" <<'EOF'
{ "name": "sockfd-consumer", "version": "1.0.0", "private": true }
EOF
(cd "$app" && npm install --ignore-scripts --no-audit --no-fund --no-package-lock "$tarball" >"$work/install.log" 2>&1) \
  || { cat "$work/install.log"; fail "npm install of the tarball"; }
pkg=$app/node_modules/sockfd
[ ! -e "$pkg/build" ] || fail "the installed package has a build/ folder: it was compiled, not loaded from the prebuild"

step "require(), import and a socketpair round-trip from the installed package"
cat >"$app/use.cjs" <<'EOF'
const assert = require('node:assert/strict');
const path = require('node:path');
const s = require('sockfd');
const loaded = require('node-gyp-build').path(path.dirname(require.resolve('sockfd/package.json')));
assert.match(loaded, /prebuilds\/linux-x64\/sockfd\.glibc\.node$/, `addon loaded from ${loaded}`);
// the addon users load carries none of the benchmark's C loops (those are sockfd_bench.so)
const benchy = Object.keys(require(loaded)).filter((k) => /^(bench|overhead|floor)/.test(k));
assert.deepEqual(benchy, [], 'sockfd.glibc.node exports no bench symbols');
const sv = new Int32Array(2);
assert.equal(s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0, sv), 0);
try {
  const msg = Buffer.from('hello through a packed sockfd');
  assert.equal(s.send(sv[0], msg), msg.length);
  const got = Buffer.alloc(64);
  const n = s.recv(sv[1], got);
  assert.equal(got.subarray(0, n).toString(), msg.toString());
} finally {
  s.close(sv[0]);
  s.close(sv[1]);
}
assert.throws(() => s.close(sv[0]), (e) => e instanceof s.ErrnoError && e.code === 'EBADF' && e.errno === s.EBADF);
console.log(`require('sockfd'): socketpair round-trip ok, addon ${path.relative(process.cwd(), loaded)}`);
EOF
cat >"$app/use.mjs" <<'EOF'
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import sockfd, { socketpair, send, recv, close, AF_UNIX, SOCK_STREAM, ErrnoError } from 'sockfd';
const cjs = createRequire(import.meta.url)('sockfd');
assert.equal(sockfd, cjs, 'default import is the CommonJS module');
assert.equal(ErrnoError, cjs.ErrnoError, 'named imports are the CommonJS bindings (one class, instanceof works)');
const sv = [-1, -1];
socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
try {
  const msg = new TextEncoder().encode('esm');
  assert.equal(send(sv[1], msg), 3);
  const got = new Uint8Array(8);
  assert.equal(recv(sv[0], got), 3);
  assert.equal(new TextDecoder().decode(got.subarray(0, 3)), 'esm');
} finally {
  close(sv[0]);
  close(sv[1]);
}
console.log('import sockfd: named and default imports ok, socketpair round-trip ok');
EOF
cat >"$app/testnet.mjs" <<'EOF'
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Testnet, testnetUnavailable, withTestnet } from 'sockfd/testnet';
const cjs = createRequire(import.meta.url)('sockfd/testnet');
assert.equal(Testnet, cjs.Testnet, 'import and require give one sockfd/testnet');
const why = testnetUnavailable();
if (why !== null) {
  console.log(`sockfd/testnet: loads; live check not run here: ${why}`);
} else {
  const got = await withTestnet(async (net) => {
    const [a, b] = await net.hosts('a', 'b');
    net.link(a, '10.9.0.1/24', b, '10.9.0.2/24');
    const fd = await b.run((s) => {
      const fd = s.socket(s.AF_INET, s.SOCK_DGRAM | s.SOCK_CLOEXEC, 0);
      s.bind(fd, s.parseAddress('10.9.0.2:9000'));
      return fd;
    });
    await a.run((s) => {
      const fd = s.socket(s.AF_INET, s.SOCK_DGRAM, 0);
      s.sendto(fd, Buffer.from('across'), 6, 0, s.parseAddress('10.9.0.2:9000'));
      s.close(fd);
    });
    return await b.run((s, fd) => {
      const buf = Buffer.alloc(16);
      const n = s.recv(fd, buf);
      s.close(fd);
      return buf.toString('utf8', 0, n);
    }, [fd]);
  });
  assert.equal(got, 'across');
  console.log('sockfd/testnet: import/require ok, a datagram crossed a veth link between two hosts');
}
EOF
(cd "$app" && node use.cjs && node use.mjs && node testnet.mjs) || fail "loading or using the installed package"

step "tsc type-checks consumers against the shipped .d.ts"
cat >"$app/consumer.ts" <<'EOF'
import { socketpair, send, recv, close, AF_UNIX, SOCK_STREAM, ErrnoError } from 'sockfd';
import * as sockfd from 'sockfd';

const sv: number[] = [-1, -1];
const r: number = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
const sent: number = send(sv[0], new Uint8Array([1, 2, 3]));
const got: number = recv(sv[1], new Uint8Array(3));
close(sv[0]);
close(sv[1]);
function describe(e: unknown): string {
  return e instanceof ErrnoError ? `${e.syscall} ${e.code} ${e.errno}` : String(e);
}
const af: number = sockfd.AF_INET6;
// @ts-expect-error the shipped types are not `any`: a string is not an fd
close('3');
// @ts-expect-error nor does an unknown export exist
sockfd.no_such_syscall();
export { r, sent, got, describe, af };
EOF
cat >"$app/consumer.mts" <<'EOF'
import sockfd, { socketpair, AF_UNIX, SOCK_STREAM } from 'sockfd';
import { Testnet, type Host } from 'sockfd/testnet';
const net: Testnet = new Testnet();
const run = (h: Host): Promise<number> => h.run((s, n: number) => s.AF_INET + n, [1]);
void net.close;
void run;
const sv = new Int32Array(2);
const r: number = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
const same: typeof sockfd.socketpair = socketpair;
// @ts-expect-error the default export is typed too
sockfd.no_such_syscall();
export { r, same };
EOF
tsc=$root/node_modules/typescript/bin/tsc
types=$root/node_modules/@types
common=(--noEmit --strict --target ES2022 --types node --typeRoots "$types")
# the first run also checks the shipped .d.ts files themselves (skipLibCheck false)
(cd "$app" && node "$tsc" "${common[@]}" --skipLibCheck false --module nodenext --moduleResolution nodenext consumer.ts consumer.mts) \
  || fail "tsc (module nodenext) on the consumer"
(cd "$app" && node "$tsc" "${common[@]}" --skipLibCheck --module commonjs --moduleResolution node10 consumer.ts) \
  || fail "tsc (module commonjs, moduleResolution node10) on the consumer"
(cd "$app" && node "$tsc" "${common[@]}" --skipLibCheck --module esnext --moduleResolution bundler consumer.ts) \
  || fail "tsc (moduleResolution bundler) on the consumer"
echo "tsc: consumer.ts and consumer.mts type-check (nodenext, node10, bundler)"

step "the sockfd bin runs"
(cd "$app" && npx --no-install sockfd --help) | grep -q '^usage: sockfd' || fail "npx sockfd --help"
if [ -f "$pkg/dist/bench/cli.js" ]; then
  # the benchmark must run from an installed package: no devDependencies, no lib/ sources
  (cd "$app" && npx --no-install sockfd bench --help >"$work/bench.txt") || { cat "$work/bench.txt"; fail "npx sockfd bench --help"; }
  # a tiny real run (flags from the bench issue): children, the C loop from the prebuild
  (cd "$app" && npx --no-install sockfd bench --quick --n 10 --active 1 --methods epoll --out "$work/bench" >"$work/bench.txt" 2>&1) \
    || { cat "$work/bench.txt"; fail "npx sockfd bench --quick from the installed package"; }
  node -e "JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))" "$work/bench/results.json" \
    || fail "sockfd bench wrote no valid results.json"
  echo "sockfd bench: --help and a tiny --quick run work from the installed package"
fi

step "no usable prebuild: require() says how to rebuild, and that command works (offline)"
mv "$pkg/prebuilds" "$work/prebuilds.moved"
if (cd "$app" && node -e "require('sockfd')" >"$work/noaddon.txt" 2>&1); then
  fail "require('sockfd') loaded without a prebuild or a build"
fi
grep -q 'npm rebuild sockfd --build-from-source' "$work/noaddon.txt" || { cat "$work/noaddon.txt"; fail "the load error does not give the rebuild command"; }
grep -q 'npx node-gyp rebuild' "$work/noaddon.txt" || { cat "$work/noaddon.txt"; fail "the load error does not give the node-gyp command"; }
sed -n 's/^Error: //p' "$work/noaddon.txt" | head -2
(cd "$app" && offline npm rebuild sockfd --build-from-source --offline >"$work/rebuild.log" 2>&1) \
  || { cat "$work/rebuild.log"; fail "npm rebuild sockfd --build-from-source"; }
(cd "$app" && node -e "
const p = require('node-gyp-build').path(require('node:path').dirname(require.resolve('sockfd/package.json')));
if (!p.endsWith('build/Release/sockfd.node')) throw new Error('loaded ' + p);
const s = require('sockfd'); const sv = new Int32Array(2); s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0, sv); s.close(sv[0]); s.close(sv[1]);
console.log('after npm rebuild sockfd --build-from-source: loads ' + p);
") || fail "the addon rebuilt by the command in the error message"
rm -rf "$pkg/build"
mv "$work/prebuilds.moved" "$pkg/prebuilds"

step "install with --build-from-source: the source build still works (offline)"
src=$work/src
mkdir -p "$src"
cp "$app/package.json" "$src/"
cp -r "$app/node_modules" "$src/node_modules"
rm -rf "$src/node_modules/sockfd"
(cd "$src" && offline npm install --build-from-source --offline --no-audit --no-fund --no-package-lock "$tarball" >"$work/install-src.log" 2>&1) \
  || { cat "$work/install-src.log"; fail "npm install --build-from-source"; }
[ -f "$src/node_modules/sockfd/build/Release/sockfd.node" ] || { cat "$work/install-src.log"; fail "--build-from-source did not compile"; }
(cd "$src" && node -e "
const p = require('node-gyp-build').path(require('node:path').dirname(require.resolve('sockfd/package.json')));
if (!p.endsWith('build/Release/sockfd.node')) throw new Error('loaded ' + p);
const s = require('sockfd'); const sv = new Int32Array(2); s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0, sv); s.close(sv[0]); s.close(sv[1]);
console.log('source build loads: ' + p);
") || fail "the source-built addon"

size=$(stat -c %s "$tarball")
printf '\ntest:package: all checks passed (%s, %s bytes)\n' "$(basename "$tarball")" "$size"
