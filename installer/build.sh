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

# PyInstaller reads shared-library dependencies with objdump (binutils).
command -v objdump >/dev/null || {
  echo "objdump (paket binutils) diperlukan untuk membangun paket." >&2; exit 1; }

# The build runs in its own environment, build/venv, holding exactly installer/requirements.lock
# (every package pinned with its SHA-256, as the Windows workflow installs it) and the app itself,
# so the bundle and its licence list never depend on what a developer's .venv happens to hold.
# Reinstalled only when the lock file changes.
venv=build/venv
lock=installer/requirements.lock
stamp="$venv/.lock-$(sha256sum "$lock" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  PY=${PYTHON:-}
  if [ -z "$PY" ]; then
    for c in python3.13 python3.12 python3.11 python3; do
      if command -v "$c" >/dev/null &&
        "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        PY=$c; break
      fi
    done
  fi
  [ -n "$PY" ] || { echo "Python 3.11 atau lebih baru diperlukan." >&2; exit 1; }
  rm -rf "$venv"
  "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --require-hashes \
    --only-binary :all: -r "$lock"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    --no-build-isolation -e .
  touch "$stamp"
fi

dist=dist/SiPelayanan
start=$(date +%s)
"$venv/bin/python" -m PyInstaller --noconfirm --log-level WARN \
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
