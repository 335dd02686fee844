#!/usr/bin/env bash
# Installs the Debian 12 packages tailrec builds with, when any is missing (needs root or sudo).
# Chosen packages and why: see README.md, "Dependencies".
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config
  libtorch-dev libopenblas0-pthread       # libtorch (CPU); OpenBLAS instead of the reference BLAS
  libyaml-cpp-dev libfmt-dev libeigen3-dev nlohmann-json3-dev libcli11-dev
  zlib1g-dev libssl-dev libcurl4-openssl-dev
  libgtest-dev libbenchmark-dev
  libutf8proc-dev                         # Unicode text pipeline of content-based algorithms
  libboost-dev                            # header-only Boost.Math: t and normal distributions for the statistics
  python3                                 # tests only: the local Hugging Face hub stand-in (tests/integration/hf_hub_server.py)
  gnuplot-nox                             # tailrec report: plots as PNG (pngcairo terminal) and SVG, without X11
  chromium                                # tests only: renders report.html headless (tests/integration/report.sh)
  clang libclang-rt-14-dev                # tests only: the libFuzzer targets of the parsers (scripts/fuzz.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "tailrec setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "tailrec setup: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
