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
python="${PYTHON:-python3}"

if [[ -e $venv && ! -f $venv/pyvenv.cfg ]]; then
  echo "run.sh: refusing to replace $venv: it is not a virtualenv" >&2
  exit 2
fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip

start=$(date +%s)
"$venv/bin/pip" install --quiet "$root/bindings-python"
echo "pip install ./bindings-python: $(( $(date +%s) - start ))s"
start=$(date +%s)
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
echo "pip install -r benches/peers/requirements.txt: $(( $(date +%s) - start ))s"

cd "$root"
"$venv/bin/python" -m pytest -q -p no:cacheprovider benches/peers
"$venv/bin/python" benches/peers/compare.py "$@"
