#!/usr/bin/env bash
# Build the one-folder bundle dist/SiPelayanan/ with PyInstaller, then prove it works:
# `--version` and `--self-test` of the built program, headless (QT_QPA_PLATFORM=offscreen).
#
#   installer/build.sh            build + check (what `make package` runs)
#   installer/build.sh --no-check build only
#
# Linux/macOS. On Windows use installer\build.ps1 (it also makes the Setup.exe with Inno Setup).
set -euo pipefail
cd "$(dirname "$0")/.."
check=1
for arg in "$@"; do
  case "$arg" in
    --no-check) check=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "Argumen tidak dikenal: $arg" >&2; exit 2 ;;
  esac
done

scripts/setup-venv package
# PyInstaller reads shared-library dependencies with objdump (binutils).
command -v objdump >/dev/null || {
  echo "objdump (paket binutils) diperlukan untuk membangun paket." >&2; exit 1; }

dist=dist/SiPelayanan
start=$(date +%s)
.venv/bin/python -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/sipelayanan.spec
built=$(( $(date +%s) - start ))
echo "Paket dibangun dalam ${built} s: $dist ($(du -sh "$dist" | cut -f1))"

[ "$check" = 1 ] || exit 0
# No display at all: the self-test must not need one.
unset DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM
for exe in "$dist/sipelayanan-cli" "$dist/SiPelayanan"; do
  "$exe" --version
done
t0=$(date +%s.%N)
"$dist/sipelayanan-cli" --version >/dev/null
t1=$(date +%s.%N)
"$dist/sipelayanan-cli" --self-test
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
  printf "Waktu: --version %.2f s, --self-test %.2f s (sekali jalan, cache disk hangat)\n", b - a, c - b }'
