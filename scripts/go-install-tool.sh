#!/usr/bin/env bash
# go-install-tool.sh NAME PACKAGE VERSION: builds PACKAGE@VERSION with `go install` (static,
# through the module proxy) into $TOOLS_DIR/NAME-VERSION/ (default ~/.cache/goceramic/tools)
# unless it is already there, and prints the binary's path. The helper binaries of the
# integration tests are installed with it.
set -euo pipefail
name=$1 pkg=$2 version=$3
TOOLS_DIR="${TOOLS_DIR:-$HOME/.cache/goceramic/tools}"
bin="$TOOLS_DIR/$name-$version/$(basename "$pkg")"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$(dirname "$bin")"
CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$(dirname "$bin")" go install "$pkg@$version" >&2
echo "$bin"
