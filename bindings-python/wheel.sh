#!/usr/bin/env bash
# Builds the wheel we ship and tests *that wheel* as a user gets it.
#
# 1. One abi3 wheel (CPython >= 3.9) tagged manylinux2014 (glibc >= 2.17,
#    x86_64): maturin links it through zig (`--zig`, the `ziglang` package
#    from PyPI) against glibc 2.17's symbols, since this machine's own glibc
#    is newer and a wheel linked against it would not install on older
#    systems. maturin's own audit refuses a wheel that needs more than its
#    tag says.
# 2. A fresh virtualenv whose PATH holds no Rust toolchain (checked), the
#    wheel installed with pip, and the package's test suite run against it
#    from outside the source tree. The framework integration tests skip
#    there (their frameworks are not installed; test.sh runs them); the
#    integrations' modules are checked to be in the wheel.
#
# Usage: bindings-python/wheel.sh [OUT_DIR]   (default: target/wheels)
#   PYTHON                       the interpreter for both virtualenvs (default python3)
#   GOVSTREAM_WHEEL_TARGET_DIR   cargo's target directory (default target/wheel)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="${1:-$root/target/wheels}"
python="$(command -v "${PYTHON:-python3}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A target directory of its own: the zig-linked, stripped build shares no
# artifacts with `pip install ./bindings-python`'s, and alternating the two
# in one directory rebuilds everything each time.
export CARGO_TARGET_DIR="${GOVSTREAM_WHEEL_TARGET_DIR:-$root/target/wheel}"

"$python" -m venv "$work/build"
"$work/build/bin/pip" install --quiet "maturin>=1.16,<2" "ziglang>=0.13"
start=$(date +%s)
# --strip: the release profile keeps line tables for backtraces in our own
# builds; a shipped wheel does not need them (44 MB -> a fraction).
PATH="$work/build/bin:$PATH" maturin build --release --locked --strip \
	--manifest-path "$here/Cargo.toml" --compatibility manylinux2014 --zig --out "$out" --quiet
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)"
shopt -s nullglob
wheels=("$out/govstream-$version-cp39-abi3-"*"manylinux_2_17_$(uname -m)"*.whl)
shopt -u nullglob
if [[ ${#wheels[@]} -ne 1 ]]; then
	echo "expected one abi3 manylinux_2_17 wheel of $version in $out, found: ${wheels[*]:-none}" >&2
	exit 1
fi
wheel="${wheels[0]}"
echo "wheel: $(basename "$wheel"), $(($(du -k "$wheel" | cut -f1))) KiB, built in $(($(date +%s) - start))s"

# PATH without any directory that holds cargo, rustc or rustup.
clean_path=""
IFS=: read -ra dirs <<< "$PATH"
for dir in "${dirs[@]}"; do
	[[ -x $dir/cargo || -x $dir/rustc || -x $dir/rustup ]] && continue
	clean_path="${clean_path:+$clean_path:}$dir"
done
if PATH="$clean_path" command -v cargo rustc > /dev/null; then
	echo "a Rust toolchain is still on PATH" >&2
	exit 1
fi

start=$(date +%s)
PATH="$clean_path" "$python" -m venv "$work/venv"
PATH="$clean_path" "$work/venv/bin/pip" install --quiet "$wheel" pytest hypothesis
echo "pip install the wheel and pytest: $(($(date +%s) - start))s"

# Tests run from outside the tree, so `import govstream` can only be the wheel.
cd "$work"
PATH="$clean_path" "$work/venv/bin/python" - "$work/venv" <<'PY'
import sys, govstream, govstream.integrations, govstream.integrations.asgi
assert govstream.__file__.startswith(sys.argv[1]), govstream.__file__
print("installed:", govstream.__version__, "from", govstream.__file__)
PY
cli="$root/target/debug/govstream"
args=()
if [[ -x $cli ]]; then
	export GOVSTREAM_CLI="$cli"
else
	# The CLI comparison needs the govstream binary, which is not in the wheel.
	args+=(--ignore "$here/tests/test_cli_parity.py")
fi
# Here the frameworks are absent on purpose: their tests skip (test.sh may
# have exported the switch that makes them fail instead).
unset GOVSTREAM_REQUIRE_INTEGRATIONS
start=$(date +%s)
PATH="$clean_path" "$work/venv/bin/pytest" -q -p no:cacheprovider --rootdir "$work" "${args[@]}" "$here/tests"
echo "pytest against the wheel: $(($(date +%s) - start))s"
