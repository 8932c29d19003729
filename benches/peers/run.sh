#!/usr/bin/env bash
# Compares govstream with Presidio, detect-secrets and plain `re` on one seeded
# prompt corpus. Builds govstream's Python package (`pip install ./bindings-python`,
# a release build through maturin) and the pinned peers into a fresh virtualenv,
# checks the corpus's ground truth, then runs compare.py.
#
# Usage: benches/peers/run.sh [VENV_DIR] [compare.py flags: --quick, --prompts N,
#        --seed S, --passes N, --json PATH]
# VENV_DIR defaults to a new temp dir; an existing one is replaced only if it is
# a virtualenv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ $# -gt 0 && $1 != -* ]]; then
  venv="$1"
  shift
else
  venv="$(mktemp -d)/peers-venv"
fi
# shellcheck source=bindings-python/venv.sh
source "$root/bindings-python/venv.sh"
govstream_venv "$venv"
start=$(date +%s)
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
echo "pip install -r benches/peers/requirements.txt: $(( $(date +%s) - start ))s"

cd "$root"
"$venv/bin/python" -m pytest -q -p no:cacheprovider benches/peers
"$venv/bin/python" benches/peers/compare.py "$@"
