# goceramic: common tasks. `go build ./cmd/ceramic` and `go test ./...` work without make.
SHELL := /bin/bash
GO ?= go
export CGO_ENABLED := 0

BIN := bin/ceramic
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/goceramic/ceramic/internal/buildinfo.version=$(VERSION)
IMAGE ?= goceramic/ceramic:$(VERSION)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the ceramic binary into bin/
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ceramic

.PHONY: run
run: build ## Run a node on the default configuration (~/.ceramic/daemon.config.json)
	./$(BIN) daemon $(ARGS)

.PHONY: test
test: lint test-unit test-integration ## Run every check and test (what CI runs)

.PHONY: test-unit
test-unit: ## Fast unit tests
	$(GO) test -count=1 ./...

.PHONY: tools
tools: js-deps ## Install what the integration tests run: kubo, geth and MinIO (cached in ~/.cache/goceramic), npm packages
	@./scripts/install-kubo.sh >/dev/null
	@./scripts/install-geth.sh >/dev/null
	@./scripts/install-minio.sh >/dev/null

.PHONY: js-deps
js-deps: ## Install the JavaScript client suite's packages from its lockfile
	cd integration/js && npm ci --ignore-scripts --no-audit --no-fund

.PHONY: load
load: ## Drive a running node with signed creates, updates and loads (URL=http://127.0.0.1:7007)
	$(GO) run ./cmd/ceramic-load -url $${URL:-http://127.0.0.1:7007} $(ARGS)

.PHONY: load-sync
load-sync: ## Measure network sync between two running nodes (MODE=sync-load|propagation|flood A=url B=url)
	$(GO) run ./cmd/ceramic-load -mode $${MODE:-sync-load} -a $${A:-http://127.0.0.1:7007} -b $${B:-http://127.0.0.1:7008} $(ARGS)

.PHONY: test-integration
test-integration: tools ## Multi-process tests: builds the binary and runs real daemons on loopback
	KUBO_BIN=$$(./scripts/install-kubo.sh) GETH_BIN=$$(./scripts/install-geth.sh) MINIO_BIN=$$(./scripts/install-minio.sh) $(GO) test -count=1 -tags integration -timeout 20m ./integration/...

.PHONY: test-interop
test-interop: tools ## Interop with a real js-ceramic 3.4.1 (network sync both ways, anchoring through our anchor service); not part of `make test`
	JSCERAMIC_DIR=$$(./scripts/install-jsceramic.sh) KUBO_BIN=$$(./scripts/install-kubo.sh) GETH_BIN=$$(./scripts/install-geth.sh) \
	  $(GO) test -count=1 -tags 'integration interop' -run Interop -timeout 20m ./integration/...

.PHONY: lint
lint: ## gofmt, go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags integration ./integration/...
	$(GO) vet -tags 'integration interop' ./integration/...

.PHONY: docker
docker: ## Build the container image (needs a Docker engine)
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE) .

.PHONY: clean
clean: ## Remove build output
	rm -rf bin
