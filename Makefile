# berth: build, demo and test entry points. `make test` is what CI runs
# (.ci/run); everything it needs is installed by scripts/setup.sh.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
TAGS := exclude_graphdriver_btrfs containers_image_openpgp
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN := bin/berth
FULL_BIN := bin/berth-full
E2E := ./test/e2e/...
E2E_TIMEOUT := 40m
BERTH_BINARY ?= $(CURDIR)/$(BIN)

.PHONY: all setup build compose demo test vet staticcheck unit e2e clean

all: build

setup:
	./scripts/setup.sh

# Always handed to go build: its cache makes a no-op rebuild cheap, and make
# cannot see every Go source the binary depends on. Two binaries of one
# tree: bin/berth is the lean build (tag berth_lean: no image/v5 copy
# machinery, a third less start-up), which hands pull, push, save, load,
# import, commit, login/logout and manifest to bin/berth-full beside it.
build:
	CGO_ENABLED=1 $(GO) build -tags "$(TAGS) berth_lean" -o $(BIN) ./cmd/berth
	CGO_ENABLED=1 $(GO) build -tags "$(TAGS)" -o $(FULL_BIN) ./cmd/berth

# docker compose v5 for the e2e suite (TestAPIComposeV5), built from the
# Go module proxy by its own module under test/tools/compose so that
# berth's go.mod does not carry compose's dependencies. Always handed to go
# build like `build`: its cache makes a rebuild a few seconds.
COMPOSE_VERSION := v5.6.0
compose:
	cd test/tools/compose && CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "-w -X github.com/docker/compose/v5/internal.Version=$(COMPOSE_VERSION)" \
		-o $(CURDIR)/bin/docker-compose github.com/docker/compose/v5/cmd

demo: setup build
	./scripts/demo.sh

test: setup build compose vet staticcheck unit e2e

vet:
	$(GO) vet -tags "$(TAGS)" ./...
	$(GO) vet -tags "$(TAGS) berth_lean" ./cli/... ./engine/image/... ./cmd/...

# staticcheck's default checks. (Do not pass `-checks default`: staticcheck
# takes it as the name of a check and silently runs none.)
staticcheck:
	$(GO) run $(STATICCHECK) -tags "$(TAGS)" ./...
	$(GO) run $(STATICCHECK) -tags "$(TAGS) berth_lean" ./cli/... ./engine/image/... ./cmd/...

# Every package except the end-to-end suite, which needs the built binary
# and root. BERTH_RUNC_TEST=1 runs spec/generate's check of a generated
# spec against the real runc (root).
unit:
	BERTH_RUNC_TEST=1 $(GO) test -tags "$(TAGS)" -count=1 $$($(GO) list -tags "$(TAGS)" ./... | grep -v '/test/e2e')
	$(GO) test -tags "$(TAGS) berth_lean" -count=1 ./cli/... ./engine/image/...

# The end-to-end suite against bin/berth. Output goes to the terminal as it
# comes (plain, not -v) and is kept in a temporary file only to print a
# summary of the failed tests at the end.
e2e:
	@log=$$(mktemp /tmp/berth-e2e-log.XXXXXX); \
	status=0; \
	BERTH_BINARY=$(BERTH_BINARY) $(GO) test -tags "$(TAGS)" -count=1 -p 2 -timeout $(E2E_TIMEOUT) $(E2E) 2>&1 | tee "$$log" || status=$$?; \
	echo "=== e2e summary"; \
	grep -E '^(ok|FAIL|---[[:space:]]FAIL|panic:)' "$$log" || true; \
	if [[ $$status -eq 0 ]]; then echo "=== e2e PASS"; else echo "=== e2e FAIL (exit $$status)"; fi; \
	rm -f "$$log"; \
	exit $$status

clean:
	rm -rf bin
