#!/usr/bin/env bash
# Builds the kubo `ipfs` binary that the remote-mode integration test runs as an external IPFS
# node, and prints its path. The build is cached in $TOOLS_DIR (default ~/.cache/goceramic/tools).
# kubo is built from the Go module proxy; its version list is not served, so it is fetched as
# a tool dependency of a scratch module.
set -euo pipefail
KUBO_VERSION="${KUBO_VERSION:-v0.26.0}"
TOOLS_DIR="${TOOLS_DIR:-$HOME/.cache/goceramic/tools}"
bin="$TOOLS_DIR/kubo-$KUBO_VERSION/ipfs"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
  go mod init kubo-build >/dev/null 2>&1
  go get -tool "github.com/ipfs/kubo/cmd/ipfs@$KUBO_VERSION" >&2
  mkdir -p "$(dirname "$bin")"
  GOBIN="$(dirname "$bin")" go install github.com/ipfs/kubo/cmd/ipfs >&2
)
echo "$bin"
