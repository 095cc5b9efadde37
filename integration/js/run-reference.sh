#!/usr/bin/env bash
# Runs the acceptance suite against the reference implementation, a real js-ceramic 3.4.1
# daemon backed by kubo v0.26.0, everything on loopback in a throw-away directory.
#
#   ./run-reference.sh                 install (first run only), start, run the suite, stop
#   ./run-reference.sh --serve         install and start, print the URL, wait for Ctrl-C
#   ./run-reference.sh -- ARGS...      run `node --test ARGS` instead of all of test/ (e.g. one file)
#
# Environment (all optional):
#   JSCERAMIC_DIR      where js-ceramic is installed (default /tmp/goceramic-jsceramic-3.4.1)
#   KUBO_BIN           kubo v0.26.0 `ipfs` binary (default: $HOME/.cache/goceramic/tools/kubo-v0.26.0/ipfs,
#                      built there by scripts/install-kubo.sh when missing)
#   CERAMIC_PORT       js-ceramic HTTP port (default 17007)
#   IPFS_API_PORT      kubo RPC API port (default 15011)
#   IPFS_GATEWAY_PORT  kubo gateway port (default 19011)
#   KEEP_TMP=1         keep the work directory (logs, repos) after the run
#
# Needs node >= 20, npm, curl, a C/C++ toolchain and the node headers (/usr/include/node) to
# build js-ceramic's native modules, and the npm registry for the first install.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JSCERAMIC_DIR=${JSCERAMIC_DIR:-/tmp/goceramic-jsceramic-3.4.1}
CERAMIC_PORT=${CERAMIC_PORT:-17007}
IPFS_API_PORT=${IPFS_API_PORT:-15011}
IPFS_GATEWAY_PORT=${IPFS_GATEWAY_PORT:-19011}

SERVE=0
TEST_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --serve) SERVE=1 ;;
    --) shift; TEST_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[run-reference] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- kubo -------------------------------------------------------------------------------
if [ -z "${KUBO_BIN:-}" ]; then
  if [ -x "$HOME/.cache/goceramic/tools/kubo-v0.26.0/ipfs" ]; then
    KUBO_BIN="$HOME/.cache/goceramic/tools/kubo-v0.26.0/ipfs"
  elif [ -x "$HERE/../../scripts/install-kubo.sh" ]; then
    log "building kubo v0.26.0 (once, about 5 minutes)"
    KUBO_BIN=$("$HERE/../../scripts/install-kubo.sh")
  elif command -v ipfs >/dev/null; then
    KUBO_BIN=$(command -v ipfs)
  else
    die "no kubo binary: set KUBO_BIN to a kubo v0.26.0 'ipfs' (see README.md)"
  fi
fi
kubo_version=$("$KUBO_BIN" version --number 2>/dev/null || true)
[ "$kubo_version" = "0.26.0" ] || log "warning: $KUBO_BIN is kubo '$kubo_version', js-ceramic 3.4.1 is known to work with 0.26.0"

for p in "$CERAMIC_PORT" "$IPFS_API_PORT" "$IPFS_GATEWAY_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port 127.0.0.1:$p is already in use (set CERAMIC_PORT / IPFS_API_PORT / IPFS_GATEWAY_PORT)"
  fi
done

# --- js-ceramic install (once per lockfile) ---------------------------------------------
JSCERAMIC_DIR=$(JSCERAMIC_DIR="$JSCERAMIC_DIR" "$HERE/../../scripts/install-jsceramic.sh")

# --- the suite's own dependencies --------------------------------------------------------
if [ ! -d "$HERE/node_modules/@ceramicnetwork/http-client" ]; then
  log "installing the suite's dependencies"
  (cd "$HERE" && npm ci --ignore-scripts >&2)
fi

# --- work directory and cleanup ----------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/goceramic-reference.XXXXXX")
IPFS_PID=
CERAMIC_PID=
cleanup() {
  local rc=$?
  for pid in $CERAMIC_PID $IPFS_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $CERAMIC_PID $IPFS_PID; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- start kubo (loopback only) ----------------------------------------------------------
export IPFS_PATH="$WORK/ipfs" IPFS_TELEMETRY=off
"$KUBO_BIN" init --profile test >"$WORK/ipfs-init.log" 2>&1
"$KUBO_BIN" config --json Pubsub.Enabled true
"$KUBO_BIN" config Addresses.API "/ip4/127.0.0.1/tcp/$IPFS_API_PORT"
"$KUBO_BIN" config Addresses.Gateway "/ip4/127.0.0.1/tcp/$IPFS_GATEWAY_PORT"
"$KUBO_BIN" config --json Addresses.Swarm '["/ip4/127.0.0.1/tcp/0/ws"]'
"$KUBO_BIN" config --json Bootstrap '[]'
"$KUBO_BIN" config --json Discovery.MDNS.Enabled false
"$KUBO_BIN" config Routing.Type none
"$KUBO_BIN" daemon --enable-pubsub-experiment >"$WORK/ipfs.log" 2>&1 &
IPFS_PID=$!
for _ in $(seq 1 100); do
  curl -sf -X POST "http://127.0.0.1:$IPFS_API_PORT/api/v0/id" >/dev/null 2>&1 && break
  kill -0 "$IPFS_PID" 2>/dev/null || { cat "$WORK/ipfs.log" >&2; die "kubo exited"; }
  sleep 0.2
done
log "kubo $kubo_version up on 127.0.0.1:$IPFS_API_PORT"

# --- start js-ceramic --------------------------------------------------------------------
ADMIN_DID=$(cd "$HERE" && node admin-did.js)
mkdir -p "$WORK/home"
cat >"$WORK/daemon.config.json" <<EOF
{
  "anchor": {},
  "http-api": {
    "hostname": "127.0.0.1",
    "port": $CERAMIC_PORT,
    "cors-allowed-origins": [".*"],
    "admin-dids": ["$ADMIN_DID"]
  },
  "ipfs": { "mode": "remote", "host": "http://127.0.0.1:$IPFS_API_PORT" },
  "logger": { "log-level": 2, "log-to-files": false },
  "metrics": { "metrics-exporter-enabled": false, "prometheus-exporter-enabled": false },
  "network": { "name": "inmemory" },
  "node": {},
  "state-store": { "mode": "fs", "local-directory": "$WORK/statestore" },
  "indexing": {
    "db": "sqlite://$WORK/indexing.sqlite",
    "allow-queries-before-historical-sync": true,
    "disable-composedb": false,
    "enable-historical-sync": false
  }
}
EOF
started=$(date +%s%N)
(cd "$WORK" && HOME="$WORK/home" SCARF_ANALYTICS=false DO_NOT_TRACK=1 CERAMIC_METRICS_EXPORTER_ENABLED=false \
  exec node "$JSCERAMIC_DIR/node_modules/@ceramicnetwork/cli/bin/ceramic.js" daemon \
  --config "$WORK/daemon.config.json") >"$WORK/ceramic.log" 2>&1 &
CERAMIC_PID=$!
URL="http://127.0.0.1:$CERAMIC_PORT"
for _ in $(seq 1 300); do
  [ "$(curl -s "$URL/api/v0/node/healthcheck" 2>/dev/null)" = "Alive!" ] && break
  kill -0 "$CERAMIC_PID" 2>/dev/null || { tail -50 "$WORK/ceramic.log" >&2; die "js-ceramic exited"; }
  sleep 0.2
done
[ "$(curl -s "$URL/api/v0/node/healthcheck")" = "Alive!" ] || { tail -50 "$WORK/ceramic.log" >&2; die "js-ceramic not healthy after 60 s"; }
log "js-ceramic 3.4.1 healthy on $URL after $(( ($(date +%s%N) - started) / 1000000 )) ms (admin DID $ADMIN_DID)"
log "logs: $WORK/ceramic.log, $WORK/ipfs.log"

if [ "$SERVE" = 1 ]; then
  log "serving; run the suite with: CERAMIC_URL=$URL CERAMIC_REFERENCE=js npm test   (Ctrl-C stops)"
  KEEP_TMP=1
  wait "$CERAMIC_PID"
  exit 0
fi

# --- run the suite -----------------------------------------------------------------------
cd "$HERE"
set +e
CERAMIC_URL="$URL" CERAMIC_REFERENCE=js node --test --test-concurrency=1 "${TEST_ARGS[@]:-test/}"
rc=$?
set -e
if [ $rc -ne 0 ]; then
  log "suite failed (exit $rc); last js-ceramic log lines:"
  tail -30 "$WORK/ceramic.log" >&2
fi
exit $rc
