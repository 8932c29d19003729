#!/usr/bin/env bash
# Screenshots a local HTML file with headless Chromium, as a user would see
# it in a 1200x900 window at scale 1 in sRGB:
#   scripts/browser/screenshot.sh report.html report.png
# The browser runs with a fresh profile, no network features, and a time
# limit. GOVSTREAM_CHROMIUM overrides the browser binary.
set -euo pipefail

if [ "$#" -ne 2 ]; then
	echo "usage: $0 <page.html> <screenshot.png>" >&2
	exit 2
fi
page=$(realpath "$1")
png=$(realpath -m "$2")
chromium="${GOVSTREAM_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
	echo "no Chromium at $chromium: run scripts/browser/install.sh (as root)" >&2
	exit 3
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# Chromium writes progress and harmless D-Bus complaints to stderr; keep them
# for a failure only.
log="$profile/chromium.log"
if ! timeout 120 "$chromium" \
	--headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--disable-extensions --hide-scrollbars --force-device-scale-factor=1 \
	--force-color-profile=srgb --user-data-dir="$profile" \
	--window-size=1200,900 --screenshot="$png" "file://$page" > "$log" 2>&1; then
	cat "$log" >&2
	echo "chromium failed" >&2
	exit 1
fi
if [ ! -s "$png" ]; then
	cat "$log" >&2
	echo "chromium wrote no screenshot" >&2
	exit 1
fi
