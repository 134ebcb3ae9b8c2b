#!/usr/bin/env bash
# npm run test:asan — rebuild the addon with ASan + UBSan (SOCKFD_SANITIZE=1, read by
# binding.gyp), run the whole suite with the compiler's libasan preloaded (Node itself is
# not instrumented, so the runtime must come first), then restore the normal build.
# Any sanitizer report fails the run: ASan aborts the process, and UBSan is built with
# -fno-sanitize-recover so it aborts too.
set -euo pipefail
cd "$(dirname "$0")/.."

restore() { npx node-gyp rebuild >/dev/null 2>&1 || echo "warning: could not restore the normal build" >&2; }
trap restore EXIT

SOCKFD_SANITIZE=1 npx node-gyp rebuild >/dev/null
libasan=$(gcc -print-file-name=libasan.so)
log=$(mktemp)
set +e
LD_PRELOAD="$libasan" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" SOCKFD_SANITIZED=1 \
  npx vitest run "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$log"; then
  echo "test:asan: sanitizer errors reported" >&2
  exit 1
fi
exit "$status"
