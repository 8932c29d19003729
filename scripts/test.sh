#!/usr/bin/env bash
# Every test of the project, as CI runs it. Needs only Rust (cargo, with the
# rustfmt and clippy components rustup installs by default).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== format"
cargo fmt --all -- --check

echo "== lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== build (the CLI tests run the built binary)"
cargo build --workspace --all-targets --locked

echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"

echo "== benchmarks compile and run once"
cargo test --locked -p govstream-benches --benches

echo "== main job"
cargo run --locked --quiet --bin govstream -- evaluate examples/data/prompts.jsonl > /dev/null
passed=$(awk '/^test result:/ {n += $4} END {print n + 0}' "$log")
failed=$(awk '/^test result:/ {n += $6} END {print n + 0}' "$log")
echo "rust: $passed passed, $failed failed"
