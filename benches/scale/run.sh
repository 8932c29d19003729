#!/usr/bin/env bash
# The collector tier under load (docs/scale.md): PROCESSES emitting
# processes (benches/src/bin/emit-otlp.rs) send RECORDS records in all over
# OTLP/HTTP to a gateway collector (deploy/collector/gateway.yaml +
# out-otlp.yaml), which forwards them to a second tier writing files
# (gateway.yaml + out-file.yaml). Prints each emitter's figures, the
# records per second through both tiers, and what arrived (otlp-ids):
# nothing may be missing.
#
# usage: bash benches/scale/run.sh [PROCESSES] [RECORDS]   (default 4 1000000)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

processes="${1:-4}"
records="${2:-1000000}"
otelcol=scripts/receivers/otelcol.sh

cargo build --quiet --release --locked -p govstream-benches --bin emit-otlp --bin otlp-ids
bash "$otelcol" build

work="$(mktemp -d "${TMPDIR:-/tmp}/govstream-scale.XXXXXX")"
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		bash "$otelcol" stop "$pid" || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# Two collectors on one machine: their metrics listeners would clash.
printf 'service:\n  telemetry:\n    metrics:\n      level: none\n' > "$work/quiet.yaml"
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
gateway_port="$(free_port)"
next_port="$(free_port)"

pids+=("$(GOVSTREAM_COLLECTOR_LISTEN="127.0.0.1:$next_port" \
	GOVSTREAM_COLLECTOR_FILE="$work/archive/records.jsonl" \
	GOVSTREAM_COLLECTOR_FILE_MB=100000 \
	bash "$otelcol" run "$next_port" deploy/collector/gateway.yaml \
	deploy/collector/out-file.yaml "$work/quiet.yaml")")
pids+=("$(GOVSTREAM_COLLECTOR_LISTEN="127.0.0.1:$gateway_port" \
	GOVSTREAM_COLLECTOR_NEXT="http://127.0.0.1:$next_port" \
	bash "$otelcol" run "$gateway_port" deploy/collector/gateway.yaml \
	deploy/collector/out-otlp.yaml "$work/quiet.yaml")")

per=$((records / processes))
echo "== $processes processes x $per records through two collector tiers"
started=$(date +%s.%N)
emitters=()
for ((e = 0; e < processes; e++)); do
	count=$per
	((e == processes - 1)) && count=$((records - per * (processes - 1)))
	target/release/emit-otlp "http://127.0.0.1:$gateway_port" "$count" "$e" "$work/sent-$e.ids" &
	emitters+=($!)
done
failed=0
for pid in "${emitters[@]}"; do
	wait "$pid" || failed=1
done
finished=$(date +%s.%N)
if ((failed)); then
	echo "an emitter failed" >&2
	exit 1
fi
python3 -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); \
print(f'all acknowledged in {s:.1f} s: {int(sys.argv[3]) / s:,.0f} records/s through both tiers')" \
	"$started" "$finished" "$records"

# The gateway first (it drains its queue into the second tier), then the
# second tier, which flushes its file.
for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
	bash "$otelcol" stop "${pids[i]}"
done
pids=()
echo "archive: $(du -h "$work/archive/records.jsonl" | cut -f1)"
target/release/otlp-ids "$work/archive/records.jsonl" "$work"/sent-*.ids
