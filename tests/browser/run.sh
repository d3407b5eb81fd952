#!/usr/bin/env bash
# The HTML reports in a real browser: Debian's chromium (installed with apt if absent) driven
# headless by puppeteer-core (pinned, installed into target/browser), on reports of several
# scenarios, a what-if forecast, a sweep and an explore counterexample (tests/browser/check.js
# says what is checked). Run from anywhere; CI calls it from .ci/run. Idempotent; works as root
# without a display.
#   tests/browser/run.sh            check the pages
#   tests/browser/run.sh --shots    also write the README's screenshots to docs/img/
#   tests/browser/run.sh --bench    measure how long the 100-tenant what-if page takes to open
set -euo pipefail
cd "$(dirname "$0")/../.."
PUPPETEER_VERSION=24.22.0
driver=target/browser
missing=()
command -v chromium > /dev/null 2>&1 || missing+=(chromium)
command -v node > /dev/null 2>&1 || missing+=(nodejs)
command -v npm > /dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" > /dev/null
fi
have=$(node -p "try { require('./$driver/node_modules/puppeteer-core/package.json').version } catch (e) { '' }")
if [ "$have" != "$PUPPETEER_VERSION" ]; then
  mkdir -p "$driver"
  [ -f "$driver/package.json" ] || echo '{"private": true}' > "$driver/package.json"
  (cd "$driver" && npm install --no-audit --no-fund --silent "puppeteer-core@$PUPPETEER_VERSION")
fi
cargo build -q --bin mtosim
bin=./target/debug/mtosim
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ "${1:-}" = "--bench" ]; then
  cargo build -q --release --bin mtosim
  ./target/release/mtosim whatif --tenants 100 --users 3000 --topology mesh --html "$dir/whatif-100-tenants.html" > /dev/null
  ./target/release/mtosim whatif --tenants 100 --users 3000 --topology hub --html "$dir/whatif-100-tenants-hub.html" > /dev/null
  node tests/browser/check.js --bench "$dir"/*.html
  exit 0
fi
for s in seed-walkthrough cts-full-mesh cts-quarantine join-failures-and-reset owner-exit-ga cts-deprovision-restore-purge; do
  "$bin" report "scenarios/$s.toml" -o "$dir/$s.html" > /dev/null
done
"$bin" whatif --tenants 100 --users 3000 --topology mesh --html "$dir/whatif-100-tenants.html" > /dev/null
"$bin" whatif --users 3000 --topology mesh --sweep tenants=2..100 --html "$dir/sweep-tenants.html" > /dev/null
"$bin" explore scenarios/explore-owner-handover.toml --html "$dir/explore-counterexample.html" > /dev/null || [ $? -eq 1 ]
shots=()
if [ "${1:-}" = "--shots" ]; then
  mkdir -p docs/img
  shots=(--shots "$dir/shots")
  mkdir -p "$dir/shots"
fi
node tests/browser/check.js "${shots[@]}" "$dir"/*.html
if [ "${1:-}" = "--shots" ]; then
  cp "$dir/shots/seed-walkthrough.png" docs/img/report-seed-walkthrough.png
  cp "$dir/shots/sweep-tenants.png" docs/img/report-sweep.png
  echo "wrote docs/img/report-seed-walkthrough.png and docs/img/report-sweep.png"
fi
