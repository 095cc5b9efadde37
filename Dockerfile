# syntax=docker/dockerfile:1
# A static ceramic binary on a minimal non-root base. One container runs the whole node:
# the embedded IPFS needs no separate container.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/goceramic/ceramic/internal/buildinfo.version=${VERSION}" \
      -o /out/ceramic ./cmd/ceramic \
 && mkdir -p /out/root/.ceramic/logs /out/root/.ceramic/statestore /out/root/.ceramic/ipfs

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ceramic /usr/local/bin/ceramic
# js-ceramic's volume paths live under /root/.ceramic; the image runs as the distroless
# "nonroot" user (65532), which owns that tree.
COPY --from=build --chown=65532:65532 /out/root /root
ENV HOME=/root
USER 65532:65532
# 7007 HTTP API, 4011 libp2p websocket swarm, 8011 IPFS healthcheck (HEALTHCHECK_ENABLED=true)
EXPOSE 7007 4011 8011
VOLUME ["/root/.ceramic/logs", "/root/.ceramic/statestore", "/root/.ceramic/ipfs"]
ENTRYPOINT ["/usr/local/bin/ceramic"]
CMD ["daemon"]
