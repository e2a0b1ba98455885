# taskmaster — build, run, test. `make help` lists the targets.
SHELL := /bin/bash
NODE ?= node
NPM ?= npm
ESBUILD := node_modules/.bin/esbuild
TSC := node_modules/.bin/tsc
SOURCES := $(shell find src -name "*.ts") package.json Makefile
CONFIG ?= etc/taskmaster.yaml

.PHONY: all build run test unit integration typecheck deps clean help

all: build

help:
	@echo "make build       build dist/taskmasterd and dist/taskmasterctl"
	@echo "make run         build, then run the daemon in the foreground on $(CONFIG)"
	@echo "make test        install dependencies and run every test"
	@echo "make clean       remove build output"

# npm ci only when the lock file changed since the last install.
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

dist/taskmaster.js: node_modules/.installed $(SOURCES)
	@mkdir -p dist
	$(ESBUILD) src/main.ts --bundle --platform=node --target=node20 --format=cjs \
	  --define:import.meta.url=__bundle_url \
	  --banner:js='const __bundle_url = require("node:url").pathToFileURL(__filename).href;' \
	  --log-level=warning --outfile=$@

dist/taskmasterd dist/taskmasterctl: dist/taskmaster.js
	@printf '#!/usr/bin/env node\nrequire("./taskmaster.js").main("%s");\n' \
	  $(if $(findstring taskmasterd,$@),daemon,ctl) > $@
	@chmod +x $@

build: dist/taskmasterd dist/taskmasterctl

run: build
	dist/taskmasterd -c $(CONFIG)

typecheck: node_modules/.installed
	$(TSC) -p .

# Unit tests need only the compiled sources; integration tests also run the
# built daemon and CLI as a user would.
unit: typecheck
	$(NODE) --test --test-concurrency=2 build/test/unit/

integration: typecheck build
	$(NODE) --test --test-concurrency=2 build/test/integration/

test: typecheck build
	$(NODE) --test --test-concurrency=2 build/test/unit/ build/test/integration/

clean:
	rm -rf build dist run
