# shellcheck shell=bash
# Sourced by the scripts that test the Python package:
#   govstream_venv VENV_DIR
# makes VENV_DIR a fresh virtualenv (with $PYTHON, default python3) holding
# the package installed as a user installs it, `pip install ./bindings-python`
# (maturin as the PEP 517 backend), and prints how long that took. An
# existing VENV_DIR is replaced only when it is a virtualenv.
govstream_venv() {
	local venv="$1" python="${PYTHON:-python3}"
	local package
	package="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	if [[ -e $venv && ! -f $venv/pyvenv.cfg ]]; then
		echo "refusing to replace $venv: it is not a virtualenv" >&2
		return 2
	fi
	rm -rf "$venv"
	"$python" -m venv "$venv"
	"$venv/bin/pip" install --quiet --upgrade pip
	local start
	start=$(date +%s)
	"$venv/bin/pip" install --quiet "$package"
	echo "pip install ./bindings-python: $(($(date +%s) - start))s"
}
