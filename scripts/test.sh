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
cargo test --workspace --locked

echo "== benchmarks compile and run once"
cargo test --locked -p govstream-benches --benches

echo "== main job"
cargo run --locked --quiet --bin govstream -- evaluate examples/data/prompts.jsonl > /dev/null
echo "all tests passed"
