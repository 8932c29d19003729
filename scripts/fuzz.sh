#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ briefly, starting from its committed
# corpus (fuzz/corpus/TARGET), and fails on any crash, broken invariant or
# hang. A regression check, not a fuzzing campaign: docs/fuzzing.md says how
# to run longer. Installs a nightly toolchain (libFuzzer needs it) and
# cargo-fuzz when they are missing.
#
# usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-10}"
targets=(scan_text scan_policy policy_reader keycloak encoders outbox)

# Read whole before matching: `grep -q` closing a pipe early could fail the
# pipeline under pipefail and trigger a needless install.
toolchains=$(rustup toolchain list)
if ! grep -q '^nightly' <<< "$toolchains"; then
	rustup toolchain install nightly --profile minimal
fi
installed=$(cargo install --list)
if ! grep -q '^cargo-fuzz ' <<< "$installed"; then
	cargo install cargo-fuzz --version '^0.13'
fi

cd fuzz
# Lint the targets like the rest of the code, with stable clippy and
# without libFuzzer's C++ runtime, which a check does not need.
cargo fmt -- --check
cargo clippy --locked --no-default-features --all-targets -- -D warnings

# No sanitizer: the core forbids `unsafe`, and without AddressSanitizer the
# build is faster and each run does more executions in the same time; panics,
# overflow checks and debug assertions are on either way. A target directory
# of its own keeps the sanitizer builds of longer local runs intact; 16
# codegen units build the large core crate on both cores.
flags=(--sanitizer none --codegen-units 16 --target-dir "$PWD/target/check")
cargo +nightly fuzz build "${flags[@]}"

for target in "${targets[@]}"; do
	mkdir -p "corpus/$target"
	echo "-- $target: ${seconds}s from $(find "corpus/$target" -type f | wc -l) corpus files"
	log=$(mktemp)
	# -timeout: one input taking longer than 10 s counts as a hang.
	# Inputs found during the run go to a scratch directory, not the
	# committed corpus, so a CI run leaves the work tree clean.
	scratch=$(mktemp -d)
	if ! cargo +nightly fuzz run "${flags[@]}" "$target" "$scratch" "corpus/$target" -- \
		-max_total_time="$seconds" -timeout=10 -print_final_stats=1 > "$log" 2>&1; then
		tail -n 60 "$log"
		echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
		rm -rf "$scratch" "$log"
		exit 1
	fi
	grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
	rm -rf "$scratch" "$log"
done
