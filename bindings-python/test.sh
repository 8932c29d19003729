#!/usr/bin/env bash
# Builds and installs the `govstream` Python package as a user would
# (`pip install ./bindings-python`, maturin as the PEP 517 backend) into a
# fresh virtualenv with the frameworks the integrations are tested against
# (tests/requirements-integrations.txt), then runs the tests, the stub
# check, mypy --strict on the examples and the integrations, every example
# (the framework ones against a stand-in OpenAI-compatible server on
# loopback) and one short pass of the evaluate benchmark
# (benches/python/evaluate.py) against that install.
#
# Usage: bindings-python/test.sh [VENV_DIR]   (default: a new temp dir)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="${1:-$(mktemp -d)/gsvenv}"

# shellcheck source=bindings-python/venv.sh
source "$here/venv.sh"
govstream_venv "$venv"
start=$(date +%s)
"$venv/bin/pip" install --quiet pytest hypothesis mypy -r "$here/tests/requirements-integrations.txt"
echo "pip install test requirements: $(($(date +%s) - start))s"

cd "$root"
# The integration tests must run here, not be skipped for a missing
# framework; LiteLLM reads its bundled price list instead of fetching it.
export GOVSTREAM_REQUIRE_INTEGRATIONS=1 LITELLM_LOCAL_MODEL_COST_MAP=True
"$venv/bin/pytest" -q bindings-python/tests
# The committed stubs must describe the built module.
"$venv/bin/python" -m mypy.stubtest govstream
"$venv/bin/mypy" --strict examples/python benches/python
"$venv/bin/mypy" --strict bindings-python/python/govstream/integrations
for example in gateway stream_reply openai_guard litellm_guardrail asgi_gateway; do
	start=$(date +%s)
	"$venv/bin/python" "examples/python/$example.py" > /dev/null
	echo "examples/python/$example.py: ok ($(($(date +%s) - start))s)"
done
# The Python-vs-Rust evaluate benchmark, one short pass (figures: README).
"$venv/bin/python" benches/python/evaluate.py --quick
# The wheel we ship: abi3, manylinux2014, installed where no Rust toolchain
# is on PATH, and tested there (docs/python.md, "Shipping a wheel").
bash "$here/wheel.sh"
