#!/usr/bin/env bash
# Inference benchmark: ours vs llama.cpp, same GGUF, same thread count, same run, same machine.
# Installs llama-cpp-python 0.3.36 from PyPI into .venv-bench (first run builds llama.cpp: minutes).
#
#   bash Deploy/bench-inference.sh [--threads 2] [--repeats 3]
#
# Prints both engines' figures and the ratio ours/theirs; docs/benchmarks.md holds the table.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
threads=2
repeats=3
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads="$2"; shift 2 ;;
        --repeats) repeats="$2"; shift 2 ;;
        *) echo "usage: $0 [--threads N] [--repeats N]" >&2; exit 64 ;;
    esac
done
bash Deploy/setup.sh
model="$repo/.models/SmolLM2-135M-Instruct.Q4_1.gguf"
venv="$repo/.venv-bench"
if ! "$venv/bin/python" -c "import llama_cpp, numpy; assert llama_cpp.__version__ == '0.3.36'" 2>/dev/null; then
    echo "bench: installing llama-cpp-python 0.3.36 into $venv (builds llama.cpp from source)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check llama-cpp-python==0.3.36 numpy
fi
ours="$(mktemp)"
theirs="$(mktemp)"
trap 'rm -f "$ours" "$theirs"' EXIT
echo "bench: pouw (threads $threads)"
"$repo/.build/release/pouw" bench inference --model "$model" --threads "$threads" --repeats "$repeats" \
    --json "$ours"
echo "bench: llama.cpp (threads $threads)"
"$venv/bin/python" Deploy/bench/llamacpp_bench.py --model "$model" --threads "$threads" --repeats "$repeats" \
    >"$theirs" 2>/dev/null
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1])); theirs = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
rows = [("prefill, 512-token prompt", "prefill_tokens_per_second"),
        ("decode, 1 sequence", "decode_tokens_per_second"),
        ("decode, 4 sequences (aggregate)", "batch4_tokens_per_second"),
        ("decode, 16 sequences (aggregate)", "batch16_tokens_per_second"),
        ("teacher-forced scoring", "scoring_tokens_per_second")]
print(f"\n{'workload (tokens/s)':36} {'pouw':>10} {'llama.cpp':>10} {'ratio':>7}")
for label, key in rows:
    print(f"{label:36} {ours[key]:10.1f} {theirs[key]:10.1f} {ours[key] / theirs[key]:6.2f}x")
print(f"{'model load (s)':36} {ours['load_seconds']:10.3f} {theirs['load_seconds']:10.3f}")
print(f"{'pouw peak RSS (MiB)':36} {ours['peak_rss_bytes'] / 2**20:10.1f}")
print(f"{'pouw scoring vs decode per token':36} {ours['scoring_tokens_per_second'] / ours['decode_tokens_per_second']:9.2f}x")
PY
