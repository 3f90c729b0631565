#!/usr/bin/env bash
# Sets everything up (Deploy/setup.sh) and runs the main job: a local network of 4 validator nodes on
# 127.0.0.1 serving the reference model (`pouw testnet`). The first run creates ./testnet (keys, configs,
# one genesis); later runs restart the same network with its data. Ctrl-C stops every node.
# Watch it from another terminal: .build/release/pouw status --home testnet/node0
# Environment: POUW_TESTNET_DIR (default ./testnet), POUW_TESTNET_NODES (default 4),
# POUW_TESTNET_BASE_PORT (default 26600).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash Deploy/setup.sh
pouw="$repo/.build/release/pouw"
"$pouw" version
exec "$pouw" testnet --nodes "${POUW_TESTNET_NODES:-4}" --dir "${POUW_TESTNET_DIR:-$repo/testnet}" \
    --base-port "${POUW_TESTNET_BASE_PORT:-26600}" --model "$repo/.models/SmolLM2-135M-Instruct.Q4_1.gguf"
