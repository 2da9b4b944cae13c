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

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s $(PKGS)

clean:
	rm -rf bin $(WEB)/node_modules $(WEB)/dist/*.js $(WEB)/dist/*.css $(WEB)/testdata/axe.min.js
