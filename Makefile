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

# Installs from the lock file, only when it changed since the last install.
# Not `npm ci`: it refuses this lock because node-unix-socket names optional
# per-platform packages that are not all published; `npm install` skips those
# and leaves the lock as it is.
node_modules/.installed: package.json package-lock.json
	$(NPM) install --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

dist/taskmaster.js: node_modules/.installed $(SOURCES) packaging/build.mjs
	@mkdir -p dist
	$(NODE) packaging/build.mjs

# A Node single executable: the bundle and the sd_notify addon injected into a
# copy of this machine's node binary. It runs where no Node is installed.
dist/taskmaster: dist/taskmaster.js packaging/sea-config.json
	$(NODE) --experimental-sea-config packaging/sea-config.json
	cp "$$($(NODE) -p process.execPath)" $@.tmp
	node_modules/.bin/postject $@.tmp NODE_SEA_BLOB dist/taskmaster.blob \
	  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >/dev/null
	mv $@.tmp $@

# The two roles are links: the executable picks its role by the name it was started as.
dist/taskmasterd dist/taskmasterctl: dist/taskmaster
	ln -sf taskmaster $@

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
