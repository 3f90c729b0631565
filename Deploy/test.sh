#!/usr/bin/env bash
# Sets everything up (Deploy/setup.sh) and runs every test in release mode. `.ci/run` calls this.
# Fails on any compiler warning in the project's own code.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
POUW_SKIP_BUILD=1 bash Deploy/setup.sh
export POUW_MODEL="${POUW_MODEL:-$repo/.models/SmolLM2-135M-Instruct.Q4_1.gguf}"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "test: building (release, with tests)"
if ! swift build -c release --build-tests --explicit-target-dependency-import-check error >"$log" 2>&1; then
    cat "$log"
    echo "test: error: build failed" >&2
    exit 1
fi
if grep -E "^$repo/(Sources|Tests)/.*: warning:" "$log"; then
    echo "test: error: the build has warnings (listed above); fix them" >&2
    exit 1
fi
# Swift Testing records a backtrace for every thrown error; the fuzz tests throw ~10^6 times.
export SWT_SWIFT_ERROR_BACKTRACING_ENABLED=0
echo "test: running tests"
swift test -c release --skip-build "$@"
