#!/usr/bin/env bash
# A real OpenTelemetry Collector on loopback, as the peer that receives our
# OTLP/HTTP logs in tests and as the collector tier of docs/scale.md. It is
# built from the Go module proxy with the collector builder (ocb) and holds
# the components deploy/collector/ uses: the OTLP receiver, the
# memory_limiter processor, the otlp_http exporter and the contrib file
# exporter, which writes every request it receives as one JSON line. See
# docs/receivers.md.
#
#   otelcol.sh build                     build once; later runs reuse the binary
#   otelcol.sh start <http_port> <file>  run in the background until the port
#                                        answers; prints the PID on stdout
#   otelcol.sh run <port> <config>...    the same with these config files
#                                        (merged in order; ${env:...} as set)
#   otelcol.sh validate <config>...      check config files, run nothing
#   otelcol.sh stop <pid>                stop a collector that `start` or
#                                        `run` began
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${GOVSTREAM_RECEIVERS_DIR:-$root/target/receivers}/otelcol"

# One release train: the builder, the core beta modules and contrib share
# v0.162.0; the core stable modules (confmap providers) are its v1.68.0.
# v0.163.0 and later cannot be built from this machine's Go proxy: their
# otlpreceiver imports go.opentelemetry.io/collector/internal/statusutil,
# whose zips the proxy refuses (403 "This module version is not available").
ocb_version="v0.162.0"
beta_version="v0.162.0"
stable_version="v1.68.0"
contrib_version="v0.162.0"
binary_name="otelcol-govstream"
binary="$dir/dist/$binary_name"

# Every module the generated sources import directly, pinned; the
# manifest and the go.mod are both written from this list.
modules=(
	"go.opentelemetry.io/collector/receiver/otlpreceiver $beta_version"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter $contrib_version"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter $beta_version"
	"go.opentelemetry.io/collector/processor/memorylimiterprocessor $beta_version"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider $stable_version"
	"go.opentelemetry.io/collector/confmap/provider/envprovider $stable_version"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider $stable_version"
	"go.opentelemetry.io/collector/service $beta_version"
	"go.opentelemetry.io/collector/otelcol $beta_version"
)

manifest() {
	cat <<YAML
dist:
  module: govstream.local/otelcol-govstream
  name: $binary_name
  description: "OpenTelemetry Collector for govstream's OTLP/HTTP tests"
  output_path: $dir/dist
  version: "$beta_version"
receivers:
  - gomod: ${modules[0]}
exporters:
  - gomod: ${modules[1]}
  - gomod: ${modules[2]}
processors:
  - gomod: ${modules[3]}
providers:
  - gomod: ${modules[4]}
  - gomod: ${modules[5]}
  - gomod: ${modules[6]}
telemetry:
  gomod: ${modules[7]}
  import: go.opentelemetry.io/collector/service/telemetry/otelconftelemetry
YAML
}

go_mod() {
	printf 'module govstream.local/otelcol-govstream\n\ngo 1.25\n\nrequire (\n'
	printf '\t%s\n' "${modules[@]}"
	printf ')\n'
}

build() {
	mkdir -p "$dir"
	local wanted
	wanted="$(manifest)"
	# The stamp is the manifest itself: a binary built from another pin set
	# is rebuilt, an identical one is reused.
	if [[ -x "$binary" && -f "$dir/manifest.yaml" ]] && [[ "$(cat "$dir/manifest.yaml")" == "$wanted" ]]; then
		echo "otelcol: up to date: $binary" >&2
		return 0
	fi
	rm -rf "$dir/manifest.yaml" "$dir/dist"
	local started=$SECONDS
	local builder="$dir/bin/builder-$ocb_version"
	if [[ ! -x "$builder" ]]; then
		echo "otelcol: installing the builder $ocb_version" >&2
		GOBIN="$dir/bin" go install "go.opentelemetry.io/collector/cmd/builder@$ocb_version"
		mv "$dir/bin/builder" "$builder"
	fi
	printf '%s\n' "$wanted" > "$dir/manifest.next.yaml"
	# ocb makes an empty default output folder in $TMPDIR on every run, even
	# when the manifest names another; keep those in our own folder.
	rm -rf "$dir/tmp"
	mkdir -p "$dir/tmp"
	echo "otelcol: generating the collector's sources with the builder" >&2
	TMPDIR="$dir/tmp" "$builder" --skip-get-modules --skip-compilation --config="$dir/manifest.next.yaml" >&2
	# The builder's own module step runs `go mod tidy`, which also fetches the
	# test-only imports of every component, and the proxy here refuses one of
	# them (contrib's otlpencodingextension, imported by fileexporter's
	# tests). So the go.mod is ours, from the same pins, and `go build
	# -mod=mod` resolves only what the binary imports.
	go_mod > "$dir/dist/go.mod"
	echo "otelcol: compiling $binary (a first build downloads and compiles the collector)" >&2
	TMPDIR="$dir/tmp" GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" \
		"$builder" --skip-generate --skip-get-modules --config="$dir/manifest.next.yaml" >&2
	rm -rf "$dir/tmp"
	mv "$dir/manifest.next.yaml" "$dir/manifest.yaml"
	echo "otelcol: built in $((SECONDS - started)) s: $binary" >&2
}

# Succeeds once something accepts TCP connections on 127.0.0.1:$1.
port_answers() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

need_binary() {
	if [[ ! -x "$binary" ]]; then
		echo "otelcol: no binary at $binary; run '$0 build' first" >&2
		return 1
	fi
}

start() {
	local port="$1" out="$2"
	need_binary
	mkdir -p "$(dirname "$out")"
	out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
	local run
	run="$(mktemp -d "${TMPDIR:-/tmp}/govstream-otelcol.XXXXXX")"
	# Metrics of the collector itself are off: its default listener on
	# :8888 would clash between two collectors and leave loopback.
	cat > "$run/config.yaml" <<YAML
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$port
exporters:
  file:
    path: $out
    format: json
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
    logs:
      level: info
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [file]
YAML
	launch "$port" "$run" "$run/config.yaml"
}

# Runs the collector on config files copied into its run folder (so that
# `stop` recognises it), merged in the order given.
run() {
	local port="$1" run config n=0
	shift
	need_binary
	run="$(mktemp -d "${TMPDIR:-/tmp}/govstream-otelcol.XXXXXX")"
	local copies=()
	for config in "$@"; do
		n=$((n + 1))
		cp "$config" "$run/$n-$(basename "$config")"
		copies+=("$run/$n-$(basename "$config")")
	done
	launch "$port" "$run" "${copies[@]}"
}

validate() {
	need_binary
	local args=() config
	for config in "$@"; do
		args+=("--config=file:$(cd "$(dirname "$config")" && pwd)/$(basename "$config")")
	done
	"$binary" validate "${args[@]}"
}

# Starts the collector in the background with RUN as its folder and waits
# until 127.0.0.1:PORT answers; prints its PID.
launch() {
	local port="$1" run="$2" config
	shift 2
	if port_answers "$port"; then
		echo "otelcol: 127.0.0.1:$port is already in use" >&2
		rm -rf "$run"
		return 1
	fi
	local args=()
	for config in "$@"; do
		args+=("--config=file:$config")
	done
	"$binary" "${args[@]}" </dev/null >"$run/otelcol.log" 2>&1 &
	local pid=$!
	local tries
	for ((tries = 0; tries < 300; tries++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "otelcol: exited before listening; its log ($run/otelcol.log):" >&2
			cat "$run/otelcol.log" >&2
			return 1
		fi
		if port_answers "$port"; then
			echo "otelcol: pid $pid on 127.0.0.1:$port (log $run/otelcol.log)" >&2
			echo "$pid"
			return 0
		fi
		sleep 0.1
	done
	echo "otelcol: 127.0.0.1:$port did not answer within 30 s; log ($run/otelcol.log):" >&2
	cat "$run/otelcol.log" >&2
	kill "$pid" 2>/dev/null || true
	return 1
}

stop() {
	local pid="$1" cmdline run
	# Only a collector this script started is stopped: its command line names
	# our binary and the run folder that holds its config and log.
	cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
	if [[ "$cmdline" != *"$binary_name"*"--config=file:"*"/govstream-otelcol."* ]]; then
		echo "otelcol: pid $pid is not a collector started by this script" >&2
		return 1
	fi
	run="${cmdline#*--config=file:}"
	run="$(dirname "${run%% *}")"
	kill -TERM "$pid"
	local tries
	for ((tries = 0; tries < 100; tries++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "otelcol: pid $pid ignored SIGTERM for 10 s; killing it" >&2
		kill -KILL "$pid"
	fi
	# Reap it when it is our own child (the smoke check); otherwise it is gone.
	wait "$pid" 2>/dev/null || true
	rm -rf "$run"
}

usage() {
	sed -n '10,18p' "$0" >&2
	exit 2
}

case "${1:-}" in
build) [[ $# -eq 1 ]] || usage; build ;;
start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
run) [[ $# -ge 3 ]] || usage; shift; run "$@" ;;
validate) [[ $# -ge 2 ]] || usage; shift; validate "$@" ;;
stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
*) usage ;;
esac
