#!/usr/bin/env bash
# A real rsyslog on loopback, as the peer that receives our RFC 5424 lines
# over TCP (RFC 6587 octet counting or LF framing) in tests. Debian's rsyslogd
# runs as our own foreground process with our own config, never as the system
# service: no imuxsock, no imklog, no /etc/rsyslog.conf. See docs/receivers.md.
#
#   rsyslog.sh install                            apt-get install rsyslog
#   rsyslog.sh start <tcp_port> <file> [<parsed>] run in the background until
#                                                 the port answers; prints
#                                                 the PID on stdout
#   rsyslog.sh stop <pid>                         stop an rsyslogd that
#                                                 `start` began
#
# <file> gets every received message exactly as it arrived (the framing
# removed), one per line. <parsed>, when given, gets one JSON object per
# message with the fields rsyslog's RFC 5424 parser found in it.
set -euo pipefail

install() {
	if command -v rsyslogd >/dev/null 2>&1; then
		echo "rsyslog: already installed: $(rsyslogd -v | head -1)" >&2
		return 0
	fi
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has empty package lists; an install from stale ones
	# fails, so update once and retry.
	if ! apt-get install -y -q rsyslog >&2; then
		apt-get update -q >&2
		apt-get install -y -q rsyslog >&2
	fi
	echo "rsyslog: installed: $(rsyslogd -v | head -1)" >&2
}

# Succeeds once something accepts TCP connections on 127.0.0.1:$1.
port_answers() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

absolute() {
	mkdir -p "$(dirname "$1")"
	echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
}

start() {
	local port="$1" out parsed="" rsyslogd
	rsyslogd="$(command -v rsyslogd || true)"
	if [[ -z "$rsyslogd" ]]; then
		echo "rsyslog: rsyslogd not found; run '$0 install' first" >&2
		return 1
	fi
	if port_answers "$port"; then
		echo "rsyslog: 127.0.0.1:$port is already in use" >&2
		return 1
	fi
	out="$(absolute "$2")"
	[[ -z "${3:-}" ]] || parsed="$(absolute "$3")"
	local run
	run="$(mktemp -d "${TMPDIR:-/tmp}/govstream-rsyslog.XXXXXX")"
	# The input is bound to its own ruleset, so rsyslogd's own start/stop
	# notices (which go to the default ruleset) never reach the files. Control
	# characters are kept as sent (no #012 escaping) so <file> holds the bytes
	# that arrived; a message with an LF inside then spans two lines there.
	{
		cat <<CONF
global(workDirectory="$run" maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="govstream")
template(name="govstream_raw" type="string" string="%rawmsg%\\n")
template(name="govstream_parsed" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="version" name="protocol-version" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app_name" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="structured_data" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="govstream") {
  action(type="omfile" file="$out" template="govstream_raw" flushOnTXEnd="on")
CONF
		[[ -z "$parsed" ]] || echo "  action(type=\"omfile\" file=\"$parsed\" template=\"govstream_parsed\" flushOnTXEnd=\"on\")"
		echo "}"
	} > "$run/rsyslog.conf"
	"$rsyslogd" -N1 -f "$run/rsyslog.conf" >"$run/check.log" 2>&1 || {
		echo "rsyslog: config rejected:" >&2
		cat "$run/check.log" >&2
		return 1
	}
	"$rsyslogd" -n -f "$run/rsyslog.conf" -i "$run/rsyslogd.pid" </dev/null >"$run/rsyslogd.log" 2>&1 &
	local pid=$!
	local tries
	for ((tries = 0; tries < 300; tries++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "rsyslog: exited before listening; its log ($run/rsyslogd.log):" >&2
			cat "$run/rsyslogd.log" >&2
			return 1
		fi
		if port_answers "$port"; then
			echo "rsyslog: pid $pid on 127.0.0.1:$port writing $out${parsed:+ and $parsed} (log $run/rsyslogd.log)" >&2
			echo "$pid"
			return 0
		fi
		sleep 0.1
	done
	echo "rsyslog: 127.0.0.1:$port did not answer within 30 s; log ($run/rsyslogd.log):" >&2
	cat "$run/rsyslogd.log" >&2
	kill "$pid" 2>/dev/null || true
	return 1
}

stop() {
	local pid="$1" cmdline run
	# Only an rsyslogd this script started is stopped: its command line names
	# the run folder that holds its config.
	cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
	if [[ "$cmdline" != *"rsyslogd -n -f "*"/govstream-rsyslog."* ]]; then
		echo "rsyslog: pid $pid is not an rsyslogd started by this script" >&2
		return 1
	fi
	run="${cmdline#*-f }"
	run="$(dirname "${run%% *}")"
	kill -TERM "$pid"
	local tries
	for ((tries = 0; tries < 100; tries++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "rsyslog: pid $pid ignored SIGTERM for 10 s; killing it" >&2
		kill -KILL "$pid"
	fi
	wait "$pid" 2>/dev/null || true
	rm -rf "$run"
}

usage() {
	sed -n '7,12p' "$0" >&2
	exit 2
}

case "${1:-}" in
install) [[ $# -eq 1 ]] || usage; install ;;
start) [[ $# -eq 3 || $# -eq 4 ]] || usage; start "$2" "$3" "${4:-}" ;;
stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
*) usage ;;
esac
