#!/usr/bin/env bash
# Builds go-ethereum's `geth` binary, whose `--dev` chain the anchoring integration tests send
# anchor transactions to, and prints its path. The build is cached in $TOOLS_DIR (default
# ~/.cache/goceramic/tools); the first build takes a few minutes.
set -euo pipefail
GETH_VERSION="${GETH_VERSION:-v1.17.10}"
TOOLS_DIR="${TOOLS_DIR:-$HOME/.cache/goceramic/tools}"
bin="$TOOLS_DIR/geth-$GETH_VERSION/geth"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$(dirname "$bin")"
CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$(dirname "$bin")" \
  go install "github.com/ethereum/go-ethereum/cmd/geth@$GETH_VERSION" >&2
echo "$bin"
