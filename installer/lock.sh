#!/usr/bin/env bash
# Regenerate installer/requirements.lock: every package the build and the Windows workflow
# install, pinned with SHA-256 hashes, resolved once for Windows, Linux and macOS and for
# Python 3.11 and newer (uv's universal mode), from pyproject.toml (dependencies plus the
# "package" and "test" extras) and installer/requirements.in.
#
#   installer/lock.sh                 keep current pins where possible
#   installer/lock.sh --upgrade       move every package to its newest allowed release
#
# Needs uv (https://docs.astral.sh/uv/; `pip install uv` into any environment).
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-uv}
command -v "$uv" >/dev/null || { echo "uv diperlukan: pip install uv" >&2; exit 1; }
"$uv" pip compile pyproject.toml installer/requirements.in --extra package --extra test \
  --universal --python-version 3.11 --generate-hashes \
  --custom-compile-command "installer/lock.sh" -o installer/requirements.lock "$@"
