# syntax=docker/dockerfile:1
# The whole Ceramic node in one container: the HTTP API and the embedded IPFS (kubo as a
# library). No separate IPFS container is needed. See deploy/README.md.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/goceramic/ceramic/internal/buildinfo.version=${VERSION}" \
      -o /out/ceramic ./cmd/ceramic

# Alpine rather than distroless/static: the HEALTHCHECK below needs an HTTP client, and
# Alpine's busybox wget is one (distroless has neither a shell nor wget, and the binary has
# no healthcheck subcommand). The binary itself is static and needs only the CA certificates.
FROM alpine:3.22
RUN apk add --no-cache ca-certificates \
 && addgroup -S -g 65532 ceramic \
 && adduser -S -D -H -u 65532 -G ceramic -h /root -s /sbin/nologin ceramic \
 && mkdir -p /root/.ceramic /data/ipfs \
 && chown 65532:65532 /root /root/.ceramic /data/ipfs
COPY --from=build /out/ceramic /usr/local/bin/ceramic

# js-ceramic's paths: config, logs, state store and the SQLite index live in
# /root/.ceramic. The embedded IPFS repository goes to /data/ipfs, the go-ipfs-daemon
# image's path, through IPFS_PATH (which overrides ipfs.repo-path of the config file; run
# with -e IPFS_PATH= to use the file's key, or the default /root/.ceramic/ipfs).
ENV HOME=/root \
    IPFS_PATH=/data/ipfs
WORKDIR /root
# Non-root (uid/gid 65532). Host directories mounted here must be writable by that user.
USER 65532:65532
VOLUME ["/root/.ceramic", "/data/ipfs"]

# 7007 HTTP API; 4011 libp2p websocket swarm (must be reachable from the internet);
# 8011 IPFS healthcheck (HEALTHCHECK_ENABLED=true). The kubo RPC API (IPFS_API_PORT) is off
# by default and not exposed.
EXPOSE 7007 4011 8011

# The node's own healthcheck (200 once started and IPFS answers). The HTTP API opens only
# after start-up, so give a first start time. Assumes http-api.port 7007.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
  CMD wget -q -T 5 -O /dev/null http://127.0.0.1:7007/api/v0/node/healthcheck || exit 1

# Arguments are daemon flags: docker run IMAGE --network mainnet
ENTRYPOINT ["/usr/local/bin/ceramic", "daemon"]
