#!/usr/bin/env bash
# Sets everything up (Deploy/setup.sh) and runs the main job. For now: initialise a node home under
# ./testnet/node0 and show its keys. (The local multi-node network arrives with the chain issue.)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash Deploy/setup.sh
pouw="$repo/.build/release/pouw"
home="${POUW_HOME:-$repo/testnet/node0}"
"$pouw" version
if [ -f "$home/config.toml" ]; then
    echo "run: $home is already initialised"
else
    "$pouw" init --home "$home"
fi
"$pouw" keys show --home "$home"
