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

test: fmt-check vet
	$(GO) test -race -count=1 $(PKGS)
	$(MAKE) fuzz

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Each fuzz target runs briefly on top of its committed seed corpus.
FUZZTIME ?= 5s
fuzz:
	@for t in $$($(GO) test -list '^Fuzz' ./domain/ | grep '^Fuzz'); do \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./domain/ || exit 1; done

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s $(PKGS)

clean:
	rm -rf bin
