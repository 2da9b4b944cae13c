# casetrack — see README.md. `make run` and `make test` are the two commands.
GO      ?= go
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./data
PKGS    := ./...

.PHONY: run build test vet fmt-check fuzz bench clean assets

run: build
	./bin/casetrack serve --addr $(ADDR) --data $(DATA)

build: assets
	$(GO) build -buildvcs=true -o bin/casetrack ./cmd/casetrack # the commit for `casetrack version`, whatever GOFLAGS says

# Front-end packages come from npm through the lockfile; only the dist files
# the pages load are copied next to the web package, which embeds them
# (adapters/web/dist is gitignored but for its placeholder). axe-core is for
# the browser tests only, so it goes to testdata instead of the binary.
WEB := adapters/web
WEB_ASSETS := $(WEB)/dist/htmx.min.js $(WEB)/dist/echarts.min.js $(WEB)/dist/swagger-ui-bundle.js $(WEB)/dist/swagger-ui.css \
	$(WEB)/testdata/axe.min.js
assets: $(WEB_ASSETS)

$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(WEB)/dist/htmx.min.js: $(WEB)/node_modules/.package-lock.json
	cp $(WEB)/node_modules/htmx.org/dist/htmx.min.js $@
$(WEB)/dist/echarts.min.js: $(WEB)/node_modules/.package-lock.json
	cp $(WEB)/node_modules/echarts/dist/echarts.common.min.js $@
# The API reference page (/docs) renders /openapi.json with Swagger UI.
$(WEB)/dist/swagger-ui-bundle.js: $(WEB)/node_modules/.package-lock.json
	cp $(WEB)/node_modules/swagger-ui-dist/swagger-ui-bundle.js $@
$(WEB)/dist/swagger-ui.css: $(WEB)/node_modules/.package-lock.json
	cp $(WEB)/node_modules/swagger-ui-dist/swagger-ui.css $@
$(WEB)/testdata/axe.min.js: $(WEB)/node_modules/.package-lock.json
	mkdir -p $(WEB)/testdata
	cp $(WEB)/node_modules/axe-core/axe.min.js $@

# The PostgreSQL restart test runs on its own, after the rest: other
# packages use the same cluster and must not see it go down. The demo-city
# test (cmd/casetrack/demo_test.go) is built without -race: it loads the
# whole demo through serve, which takes minutes under the race detector.
test: assets fmt-check vet
	CASETRACK_TEST_PG_RESTART= $(GO) test -race -count=1 -timeout 20m $(PKGS)
	$(GO) test -count=1 -run TestServeLoadsTheDemoOnce ./cmd/casetrack/
	@if [ "$$CASETRACK_TEST_PG_RESTART" = 1 ]; then \
		$(GO) test -race -count=1 -run TestServerRidesOutRestart ./adapters/postgres/ || exit 1; fi
	$(MAKE) fuzz

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Each fuzz target of every package runs briefly on its seed corpus; see
# .ci/fuzz for why one known failure of Go's coordinator is passed over.
FUZZTIME ?= 5s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) bash .ci/fuzz $(PKGS)

# Every benchmark, each beside the baseline it prints from the same run:
# the sets of cmd/benchreport/sets.txt (a package, a pattern, a -benchtime each; SETS
# picks lines by a grep pattern, e.g. SETS=sqlite), their output in
# $(BENCH_OUT)/bench.txt, then one JSON file and a Markdown table of all
# figures with the command, commit, Go version, CPUs and load average
# (cmd/benchreport). A failed set is listed in the report and fails the
# target, after the others have run. Not part of `make test`.
BENCH_OUT ?= bin/bench
SETS ?= .
bench:
	@mkdir -p $(BENCH_OUT)
	@started=$$(date -u +%Y-%m-%dT%H:%M:%SZ); load=$$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null); \
	: > $(BENCH_OUT)/bench.txt; status=0; \
	grep -v '^#' cmd/benchreport/sets.txt | grep -e '$(SETS)' | grep . > $(BENCH_OUT)/sets.txt; \
	while read pkg pattern benchtime; do \
		echo "== go test -run '^$$' -bench '$$pattern' -benchtime $$benchtime $$pkg"; \
		{ $(GO) test -run '^$$' -bench "$$pattern" -benchtime "$$benchtime" -timeout 2h $$pkg 2>&1 </dev/null; echo $$? > $(BENCH_OUT)/rc; } \
			| tee -a $(BENCH_OUT)/bench.txt; \
		[ "$$(cat $(BENCH_OUT)/rc)" = 0 ] || status=1; \
	done < $(BENCH_OUT)/sets.txt; \
	$(GO) run ./cmd/benchreport -command "make bench$(if $(filter-out .,$(SETS)), SETS='$(SETS)')" -commit "$$(git describe --always --dirty --abbrev=40 2>/dev/null)" \
		-started "$$started" -load "$$load" -json $(BENCH_OUT)/bench.json -md $(BENCH_OUT)/bench.md $(BENCH_OUT)/bench.txt || status=1; \
	echo "wrote $(BENCH_OUT)/bench.json and $(BENCH_OUT)/bench.md"; exit $$status

clean:
	rm -rf bin $(WEB)/node_modules $(WEB)/dist/*.js $(WEB)/dist/*.css $(WEB)/testdata/axe.min.js
