#!/usr/bin/env bash
# npm run test:cmake — the alternative build: compile the addon with cmake-js from
# CMakeLists.txt (offline where this machine allows it: Node-API headers come from the
# node-api-headers package, nothing is downloaded), check that node-gyp-build loads that
# build, run the whole suite against it, then restore the normal node-gyp build.
set -euo pipefail
cd "$(dirname "$0")/.."

restore() {
  rm -rf build
  npx node-gyp rebuild >/dev/null 2>&1 || echo "warning: could not restore the node-gyp build" >&2
}
trap restore EXIT

offline() {
  if unshare -n true 2>/dev/null; then unshare -n "$@"; else "$@"; fi
}

rm -rf build
log=$(mktemp)
if ! SOCKFD_SANITIZE=0 offline npx cmake-js build >"$log" 2>&1; then
  cat "$log"
  echo "test:cmake: cmake-js build failed" >&2
  exit 1
fi
rm -f "$log"

# The suite must run against the cmake-js output, not a prebuild or an older node-gyp build.
node -e "
const path = require('node:path');
const loaded = require('node-gyp-build').path('.');
const want = path.resolve('build/Release/sockfd.node');
if (loaded !== want) throw new Error('node-gyp-build loads ' + loaded + ', not the cmake-js build ' + want);
if (!require('node:fs').existsSync('build/CMakeCache.txt')) throw new Error('build/ is not a CMake build tree');
console.log('test:cmake: suite runs against ' + path.relative('.', loaded) + ' (cmake-js)');
"
npx vitest run "$@"
