# casetrack — see README.md. `make run` and `make test` are the two commands.
GO      ?= go
ADDR    ?= :8080
DATA    ?= ./data
PKGS    := ./...

.PHONY: run build test vet fmt-check fuzz bench clean

run: build
	./bin/casetrack serve --addr $(ADDR) --data $(DATA)

build:
	$(GO) build -o bin/casetrack ./cmd/casetrack

# The PostgreSQL restart test runs on its own, after the rest: other
# packages use the same cluster and must not see it go down.
test: fmt-check vet
	CASETRACK_TEST_PG_RESTART= $(GO) test -race -count=1 -timeout 20m $(PKGS)
	@if [ "$$CASETRACK_TEST_PG_RESTART" = 1 ]; then \
		$(GO) test -race -count=1 -run TestServerRidesOutRestart ./adapters/postgres/ || exit 1; fi
	$(MAKE) fuzz

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Each fuzz target of every package runs briefly on top of its committed
# seed corpus (go test -fuzz takes one target of one package at a time).
# No minimising: it would spend the few seconds shrinking inputs that a
# fresh machine forgets, instead of trying new ones (a failure still
# stops the run and is written to testdata/fuzz).
FUZZTIME ?= 5s
fuzz:
	@for pkg in $$($(GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' $(PKGS)); do \
		targets=$$($(GO) test -list '^Fuzz' $$pkg) || exit 1; \
		for t in $$(echo "$$targets" | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 0s $$pkg || exit 1; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s $(PKGS)

clean:
	rm -rf bin
