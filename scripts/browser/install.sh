#!/usr/bin/env bash
# Installs Debian's Chromium, which the report's browser test
# (core/tests/report_browser.rs) screenshots with. Needs root; does nothing
# when a Chromium is already there.
set -euo pipefail

if [ -x "${GOVSTREAM_CHROMIUM:-/usr/bin/chromium}" ]; then
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium > /dev/null
test -x /usr/bin/chromium
