#!/usr/bin/env bash
# Installs the reference js-ceramic 3.4.1 daemon (integration/js/reference/package-lock.json)
# into $JSCERAMIC_DIR (default /tmp/goceramic-jsceramic-3.4.1) once per lockfile, and prints
# the directory. Needs node >= 20, npm, a C/C++ toolchain and the node headers (/usr/include/node)
# to build js-ceramic's native modules, and the npm registry for the first install.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REF="$HERE/../integration/js/reference"
JSCERAMIC_DIR=${JSCERAMIC_DIR:-/tmp/goceramic-jsceramic-3.4.1}
lock_sum=$(sha256sum "$REF/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$JSCERAMIC_DIR/.installed" 2>/dev/null || true)" != "$lock_sum" ]; then
  echo "installing js-ceramic 3.4.1 into $JSCERAMIC_DIR (a few minutes)" >&2
  mkdir -p "$JSCERAMIC_DIR"
  cp "$REF/package.json" "$REF/package-lock.json" "$JSCERAMIC_DIR/"
  # --ignore-scripts: one dependency's install script downloads a kubo binary from the
  # internet and another sends install analytics. The native modules are then built from
  # source against the local node headers.
  (cd "$JSCERAMIC_DIR" && npm ci --ignore-scripts --no-audit --no-fund >&2)
  (cd "$JSCERAMIC_DIR" && npm_config_nodedir=${npm_config_nodedir:-/usr} npm rebuild leveldown sqlite3 secp256k1 >&2)
  echo "$lock_sum" > "$JSCERAMIC_DIR/.installed"
fi
echo "$JSCERAMIC_DIR"
