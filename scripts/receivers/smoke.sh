#!/usr/bin/env bash
# Proves both receivers work on this machine before any test relies on them:
# a hand-written OTLP/HTTP JSON request goes to the collector and must come
# back from its file exporter, and an RFC 5424 line sent over TCP with RFC
# 6587 octet counting must come back from rsyslog, raw and parsed. Exits
# non-zero on the first failure. Builds the collector first if needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

"$here/otelcol.sh" build
"$here/rsyslog.sh" install

work="$(mktemp -d "${TMPDIR:-/tmp}/govstream-smoke.XXXXXX")"
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		"$here/otelcol.sh" stop "$pid" 2>/dev/null || "$here/rsyslog.sh" stop "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# The kernel hands out a port nobody holds, so two runs never collide.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to 10 s for $1 to hold at least $2 lines.
wait_lines() {
	local tries
	for ((tries = 0; tries < 100; tries++)); do
		if [[ -f "$1" ]] && (($(wc -l < "$1") >= $2)); then
			return 0
		fi
		sleep 0.1
	done
	echo "smoke: $1 did not get $2 line(s) within 10 s" >&2
	return 1
}

echo "== otelcol: OTLP/HTTP JSON in, file exporter out"
otlp_port="$(free_port)"
otlp_pid="$("$here/otelcol.sh" start "$otlp_port" "$work/otlp.jsonl")"
pids+=("$otlp_pid")
cat > "$work/request.json" <<'JSON'
{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"govstream-smoke"}}]},"scopeLogs":[{"scope":{"name":"govstream","version":"0.0.0"},"logRecords":[{"timeUnixNano":"1700000000123456789","observedTimeUnixNano":"1700000000123456789","severityNumber":13,"severityText":"WARN","body":{"stringValue":"decision=redact café"},"attributes":[{"key":"govstream.findings","value":{"intValue":"2"}},{"key":"govstream.blocked","value":{"boolValue":false}},{"key":"govstream.score","value":{"doubleValue":0.75}}],"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}
JSON
status="$(curl -sS -o "$work/response.json" -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' --data-binary "@$work/request.json" \
	"http://127.0.0.1:$otlp_port/v1/logs")"
if [[ "$status" != 200 ]]; then
	echo "smoke: collector answered HTTP $status: $(cat "$work/response.json")" >&2
	exit 1
fi
wait_lines "$work/otlp.jsonl" 1
# The exporter writes the collector's own re-encoding, so the comparison is
# of parsed JSON, not of bytes.
python3 - "$work/request.json" "$work/otlp.jsonl" <<'PY'
import json, sys
sent = json.load(open(sys.argv[1], encoding="utf-8"))
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
if len(lines) != 1:
    sys.exit(f"smoke: expected 1 line from the file exporter, got {len(lines)}")
got = json.loads(lines[0])
if got != sent:
    sys.exit(f"smoke: file exporter wrote\n{lines[0]}\nfor the request\n{json.dumps(sent)}")
PY
"$here/otelcol.sh" stop "$otlp_pid"
pids=()
echo "otelcol: ok"

echo "== rsyslog: RFC 5424 over TCP with octet counting in, raw and parsed out"
syslog_port="$(free_port)"
syslog_pid="$("$here/rsyslog.sh" start "$syslog_port" "$work/syslog.log" "$work/syslog.jsonl")"
pids+=("$syslog_pid")
python3 - "$syslog_port" "$work/syslog.log" "$work/syslog.jsonl" <<'PY'
import json, socket, sys, time
port, raw_path, parsed_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
# RFC 5424 section 6: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP
# PROCID SP MSGID SP STRUCTURED-DATA SP MSG, the MSG as BOM + UTF-8.
first = ('<132>1 2023-11-14T22:13:20.123456Z host.example govstream 4242 decision '
         '[govstream@32473 action="redact" note="a \\"q\\" \\] b"] '
         '\ufeffsecret=[REDACTED] café').encode("utf-8")
# An LF inside MSG: octet counting keeps this one message, LF framing would
# have split it in two, so it proves which framing rsyslog applied.
second = '<134>1 2023-11-14T22:13:21Z host.example govstream - - - two\nlines'.encode("utf-8")
with socket.create_connection(("127.0.0.1", port)) as s:
    for line in (first, second):
        s.sendall(str(len(line)).encode("ascii") + b" " + line)  # RFC 6587 3.4.1
def read(path):
    try:
        return open(path, "rb").read()
    except FileNotFoundError:
        return b""
deadline = time.monotonic() + 10
while time.monotonic() < deadline and read(parsed_path).count(b"\n") < 2:
    time.sleep(0.1)
time.sleep(0.2)  # a wrongly split message would show up as a third line now
raw = read(raw_path)
if raw != first + b"\n" + second + b"\n":
    sys.exit(f"smoke: rsyslog wrote {raw!r}\nfor the messages {first!r} and {second!r}")
parsed = [json.loads(l) for l in read(parsed_path).decode("utf-8").splitlines()]
want = [{"pri": "132", "version": "1", "timestamp": "2023-11-14T22:13:20.123456Z",
         "hostname": "host.example", "app_name": "govstream", "procid": "4242",
         "msgid": "decision",
         "structured_data": '[govstream@32473 action="redact" note="a \\"q\\" \\] b"]',
         "msg": "\ufeffsecret=[REDACTED] café"},
        {"pri": "134", "version": "1", "timestamp": "2023-11-14T22:13:21Z",
         "hostname": "host.example", "app_name": "govstream", "procid": "-",
         "msgid": "-", "structured_data": "-", "msg": "two\nlines"}]
if parsed != want:
    sys.exit(f"smoke: rsyslog parsed {parsed}\nwant {want}")
PY
"$here/rsyslog.sh" stop "$syslog_pid"
pids=()
echo "rsyslog: ok"
