#!/usr/bin/env bash
# Installs the Debian packages mprogsim builds with, but only those missing.
# Works as root on a fresh Debian 12 machine; elsewhere it uses sudo if present.
# `--fuzz` also installs clang and its libFuzzer runtime, for the optional `fuzz`
# preset (scripts/fuzz.sh); the default build never needs them.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  librapidcheck-dev libgtest-dev libgmock-dev
  libboost-graph-dev libboost-context-dev
  nlohmann-json3-dev libcli11-dev libbenchmark-dev
  libbpf-dev clang-format jq libgoogle-perftools-dev
)
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang-16 libclang-rt-16-dev) ;;
    *) echo "setup: unknown option '$arg' (--fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
