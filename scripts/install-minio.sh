#!/usr/bin/env bash
# Builds the MinIO server, the S3-compatible object store the state-store integration tests
# (integration/s3_test.go) run on loopback, and prints its path. The build is cached in
# $TOOLS_DIR (default ~/.cache/goceramic/tools); the first build takes a few minutes.
#
# MinIO publishes no semver tags that the module proxy resolves, so the version is the
# pseudo-version `go install github.com/minio/minio@latest` resolved to when this was pinned.
set -euo pipefail
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
TOOLS_DIR="${TOOLS_DIR:-$HOME/.cache/goceramic/tools}"
bin="$TOOLS_DIR/minio-$MINIO_VERSION/minio"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$(dirname "$bin")"
CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$(dirname "$bin")" \
  go install "github.com/minio/minio@$MINIO_VERSION" >&2
echo "$bin"
