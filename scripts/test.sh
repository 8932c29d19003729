#!/usr/bin/env bash
# Every test of the project, as CI runs it. Needs Rust (cargo with rustup's
# default rustfmt and clippy), Python 3.9+ with venv and pip (maturin, which
# builds the binding, and the peer comparison's packages come from PyPI), Go
# (to build the OpenTelemetry Collector used as a real receiver) and root for
# apt (rsyslog, chromium). Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A fresh checkout gains nothing from incremental state, which roughly
# doubles the size of target/ on the disk CI runs on.
export CARGO_INCREMENTAL=0
log=$(mktemp)
receivers_log=$(mktemp)
trap 'rm -f "$log" "$receivers_log"' EXIT

echo "== real receivers and Chromium: building and installing in the background"
( bash scripts/receivers/otelcol.sh build && bash scripts/receivers/rsyslog.sh install \
	&& bash scripts/browser/install.sh ) > "$receivers_log" 2>&1 &
receivers_pid=$!

echo "== format"
cargo fmt --all -- --check

echo "== lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== the core builds for wasm32-unknown-unknown without the native driver"
rustup target list --installed | grep -qx wasm32-unknown-unknown \
	|| rustup target add wasm32-unknown-unknown
cargo check --locked -p govstream --target wasm32-unknown-unknown --no-default-features

# The default members: the Python extension is built by maturin below.
echo "== build (the CLI tests run the built binary)"
cargo build --all-targets --locked

echo "== tests"
cargo test --locked 2>&1 | tee -a "$log"

echo "== Python binding (linted with the workspace above): pip install into a fresh virtualenv and test"
bash bindings-python/test.sh 2>&1 | tee -a "$log"

echo "== peer comparison (Presidio, detect-secrets, re): corpus tests and a smoke run"
bash benches/peers/run.sh "$(mktemp -d)/peers-venv" --quick 2>&1 | tee -a "$log"

echo "== benchmarks compile and run once"
cargo test --locked -p govstream-benches --benches

echo "== real receivers: OpenTelemetry Collector and rsyslog"
if ! wait "$receivers_pid"; then
	cat "$receivers_log"
	echo "building or installing the receivers failed" >&2
	exit 1
fi
cargo test --locked -p govstream --test receivers -- --ignored 2>&1 | tee -a "$log"

echo "== the HTML report in headless Chromium"
cargo test --locked -p govstream --test report_browser -- --ignored 2>&1 | tee -a "$log"

echo "== shell scripts: shellcheck"
command -v shellcheck > /dev/null || apt-get install -y -qq shellcheck > /dev/null
shellcheck -x .ci/run scripts/*.sh scripts/*/*.sh bindings-python/*.sh benches/peers/run.sh benches/scale/run.sh

echo "== fuzz: every cargo-fuzz target briefly over its committed corpus"
bash scripts/fuzz.sh

echo "== main job"
cargo run --locked --quiet --bin govstream -- evaluate examples/data/prompts.jsonl > /dev/null

passed=$(awk '/^test result:/ {n += $4} END {print n + 0}' "$log")
failed=$(awk '/^test result:/ {n += $6} END {print n + 0}' "$log")
py_passed=$(grep -Eo '^[0-9]+ passed' "$log" | awk '{n += $1} END {print n + 0}')
echo "all: $((passed + py_passed)) passed, $failed failed"
