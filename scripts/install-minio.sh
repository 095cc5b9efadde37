#!/usr/bin/env bash
# Builds the MinIO server, the S3-compatible object store the S3 integration tests
# (integration/s3_test.go) run on loopback, and prints its path (cached; the first build takes
# a few minutes).
#
# MinIO publishes no semver tags that the module proxy resolves, so the version is the
# pseudo-version `go install github.com/minio/minio@latest` resolved to when this was pinned.
set -euo pipefail
exec "$(dirname "$0")/go-install-tool.sh" minio github.com/minio/minio "${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
