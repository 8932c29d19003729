#!/usr/bin/env bash
# Builds and installs the `govstream` Python package as a user would
# (`pip install ./bindings-python`, maturin as the PEP 517 backend) into a
# fresh virtualenv, then runs the tests, the stub check, mypy --strict on the
# examples, the example gateway and one short pass of the evaluate
# benchmark (benches/python/evaluate.py) against that install.
#
# Usage: bindings-python/test.sh [VENV_DIR]   (default: a new temp dir)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="${1:-$(mktemp -d)/gsvenv}"

# shellcheck source=bindings-python/venv.sh
source "$here/venv.sh"
govstream_venv "$venv"
"$venv/bin/pip" install --quiet pytest hypothesis mypy

cd "$root"
"$venv/bin/pytest" -q bindings-python/tests
# The committed stubs must describe the built module.
"$venv/bin/python" -m mypy.stubtest govstream
"$venv/bin/mypy" --strict examples/python benches/python
"$venv/bin/python" examples/python/gateway.py > /dev/null
echo "examples/python/gateway.py: ok"
"$venv/bin/python" examples/python/stream_reply.py > /dev/null
echo "examples/python/stream_reply.py: ok"
# The Python-vs-Rust evaluate benchmark, one short pass (figures: README).
"$venv/bin/python" benches/python/evaluate.py --quick
