#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry and record what was taken.
# Usage: scripts/vendor.sh   (versions below; bump them here, run, commit static/vendor/)
set -euo pipefail
HTMX_VERSION=2.0.11
CHARTJS_VERSION=4.6.1
# Tests only (tests/browser.py injects it); never served.
AXE_VERSION=4.14.1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$HTMX_VERSION" "chart.js@$CHARTJS_VERSION" "axe-core@$AXE_VERSION" >/dev/null
mkdir -p htmx chartjs axe
tar -xzf "htmx.org-$HTMX_VERSION.tgz" -C htmx
tar -xzf "chart.js-$CHARTJS_VERSION.tgz" -C chartjs
tar -xzf "axe-core-$AXE_VERSION.tgz" -C axe
mkdir -p "$root/tests/vendor/axe-core"
cp axe/package/axe.min.js axe/package/LICENSE "$root/tests/vendor/axe-core/"
dest="$root/static/vendor"
mkdir -p "$dest/htmx" "$dest/chartjs"
cp htmx/package/dist/htmx.min.js "$dest/htmx/htmx.min.js"
cp htmx/package/LICENSE "$dest/htmx/LICENSE"
cp chartjs/package/dist/chart.umd.min.js "$dest/chartjs/chart.umd.min.js"
cp chartjs/package/LICENSE.md "$dest/chartjs/LICENSE.md"
{
  echo "# Vendored front-end libraries"
  echo
  echo "Taken from the npm registry by scripts/vendor.sh; served from this origin only (no CDN)."
  echo
  echo "| package | version | file | sha256 |"
  echo "|---|---|---|---|"
  echo "| htmx.org | $HTMX_VERSION | htmx/htmx.min.js | $(sha256sum "$dest/htmx/htmx.min.js" | cut -d' ' -f1) |"
  echo "| chart.js | $CHARTJS_VERSION | chartjs/chart.umd.min.js | $(sha256sum "$dest/chartjs/chart.umd.min.js" | cut -d' ' -f1) |"
  echo "| axe-core (tests only) | $AXE_VERSION | ../../tests/vendor/axe-core/axe.min.js | $(sha256sum "$root/tests/vendor/axe-core/axe.min.js" | cut -d' ' -f1) |"
} > "$dest/VERSIONS.md"
echo "vendored htmx $HTMX_VERSION and Chart.js $CHARTJS_VERSION into $dest, axe-core $AXE_VERSION into tests/vendor"
