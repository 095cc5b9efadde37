#!/usr/bin/env bash
# Builds go-ethereum's `geth`, whose `--dev` chain the anchoring integration tests send anchor
# transactions to, and prints its path (cached; the first build takes a few minutes).
set -euo pipefail
exec "$(dirname "$0")/go-install-tool.sh" geth github.com/ethereum/go-ethereum/cmd/geth "${GETH_VERSION:-v1.17.10}"
