#!/usr/bin/env bash
# Microsoft's Graph SDKs against `mtosim serve`: a Python virtual environment with PyPI's
# msgraph-sdk and msgraph-beta-sdk (pinned), a server on a free loopback port, and the tutorials in tests/sdk/, each
# with the tutorial's own request bodies. Run from the repository root; builds the release
# binary if needed. CI calls it from .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
SDK_VERSION=1.65.0
venv=target/sdk-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import msgraph, msgraph_beta" 2> /dev/null; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || { (apt-get update -qq && apt-get install -y -qq python3-venv > /dev/null) && python3 -m venv "$venv"; }
  "$venv/bin/pip" install -q "msgraph-sdk==$SDK_VERSION" "msgraph-beta-sdk==$SDK_VERSION"
fi
cargo build -q --release --bin mtosim
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2> /dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
# each tutorial on a server of its own: (scenario, script)
for t in "mto-tutorial.toml mto_tutorial.py" "cts-tutorial.toml cts_tutorial.py" "mto-tutorial.toml beta_sdk.py"; do
  set -- $t
  rm -f "$dir/ready.json"
  ./target/release/mtosim serve "tests/sdk/$1" --listen 127.0.0.1:0 --ready-file "$dir/ready.json" > "$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [ -s "$dir/ready.json" ] && break; sleep 0.1; done
  [ -s "$dir/ready.json" ] || { cat "$dir/serve.log"; exit 1; }
  (cd tests/sdk && "../../$venv/bin/python" "$2" "$dir/ready.json")
  kill "$pid"; wait "$pid" 2> /dev/null || true; pid=
done
