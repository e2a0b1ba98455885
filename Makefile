# taskmaster — build, run, test. `make help` lists the targets.
SHELL := /bin/bash
NODE ?= node
NPM ?= npm
ESBUILD := node_modules/.bin/esbuild
TSC := node_modules/.bin/tsc
SOURCES := $(shell find src -name "*.ts" -o -name "*.tsx" -o -name "*.json" -o -name "*.css" -o -name "*.html") package.json Makefile
CONFIG ?= etc/taskmaster.yaml

.PHONY: all build run test unit integration typecheck deps clean help gen certs

all: build

help:
	@echo "make build       build dist/taskmasterd and dist/taskmasterctl"
	@echo "make run         build, then run the daemon in the foreground on $(CONFIG)"
	@echo "make test        install dependencies and run every test"
	@echo "make certs       a dev CA, a server certificate and clients ops and dev for the remote API, in run/certs/"
	@echo "make clean       remove build output"
	@echo "make gen        regenerate src/gen/ from the schema in proto/ (buf + protoc-gen-es), after buf lint"
	@echo "make install     install dist/ (no rebuild), the systemd unit and /etc/taskmaster (PREFIX=$(PREFIX), DESTDIR)"
	@echo "make uninstall   remove what install put, keeping /etc/taskmaster and the logs"
	@echo "make daemon      build, install, start under systemd (or in the background without it); needs root"
	@echo "make nodaemon    build, install, run the installed daemon in the foreground; needs root"
	@echo "make client      the interactive taskmasterctl shell"
	@echo "make stop        stop the daemon started by make daemon"
	@echo "make vagrant     a Debian 13 VM with the checkout at /vagrant"
	@echo "make vagrant-test the VM flow end to end, then the VM destroyed (root; Debian host: installs vagrant, libvirt, qemu)"
	@echo "make system-test the test under a real systemd, in a container (root; part of make test)"
	@echo "make vm-test     the test in a real kernel (cgroup v2), a qemu VM (root; part of make test)"
	@echo "make bench       taskmaster vs supervisord vs PM2 vs plain limits; writes bench/results/ (root: installs supervisor, pm2)"
	@echo "make bench-smoke every benchmark workload once, tiny, taskmaster only (part of make test)"

# Installs from the lock file, only when it changed since the last install.
# Not `npm ci`: it refuses this lock because node-unix-socket names optional
# per-platform packages that are not all published; `npm install` skips those
# and leaves the lock as it is.
node_modules/.installed: package.json package-lock.json
	$(NPM) install --no-audit --no-fund
	@touch $@

deps: node_modules/.installed

# src/gen/ is committed, so a build needs no code generator; a unit test
# (schema-generated) fails when it differs from what this writes. So is
# src/protocol/wire-table.ts, the CLI's local codec's view of the schema
# (test: protocol-local-codec).
gen: node_modules/.installed
	node_modules/.bin/buf lint proto
	rm -rf src/gen
	node_modules/.bin/buf generate proto --template proto/buf.gen.yaml
	node_modules/.bin/esbuild --bundle --platform=node --log-level=warning src/protocol/wire-table-derive.ts --outfile=build/wire-table-derive.js
	node build/wire-table-derive.js > src/protocol/wire-table.ts.tmp && mv src/protocol/wire-table.ts.tmp src/protocol/wire-table.ts

# Also writes dist/sea-config.json: packaging/sea-config.json with this
# machine's node-unix-socket prebuilt (packaging/unix-socket-prebuilt.cjs).
dist/taskmaster.js: node_modules/.installed $(SOURCES) packaging/build.mjs packaging/date-fns-subset.cjs \
    packaging/unix-socket-prebuilt.cjs packaging/sea-config.json packaging/web-build.mjs
	@mkdir -p dist
	$(NODE) packaging/build.mjs

# The daemon's native addons: spawn (posix_spawn + pidfd; see
# src/native/spawn.c) and notify (the sd_notify socket of `ready: notify`,
# with the sender's credentials; src/native/notify.c). They use Node-API (and libuv's stable ABI, declared in
# src/native/uv-abi.h), whose symbols resolve at load in the Node the single
# executable is made of, so their headers come from npm's node-api-headers (a
# dev dependency), not from the Node that builds: the official Node from
# npm's `node` package ships none.
# Its path is from this Makefile's own directory, and its .installed stamp a
# prerequisite by that path, because the tests run this rule elsewhere (make -f).
HERE := $(dir $(abspath $(firstword $(MAKEFILE_LIST))))
NODE_API_INCLUDE := $(HERE)node_modules/node-api-headers/include
ADDONS = dist/taskmaster-spawn.node dist/taskmaster-notify.node
# When it cannot be compiled (no C compiler, no headers, a compiler error)
# the file holds one line, "not built: WHY", and the daemon does without: it
# spawns through Node's child_process (slower starts) and logs WHY.
dist/taskmaster-%.node: src/native/%.c $(wildcard src/native/*.h) $(wildcard $(HERE)node_modules/.installed)
	@mkdir -p dist
	@without() { \
	  if test -n "$(STRICT_ADDONS)"; then echo "error: $$1: the test build (WERROR=1) needs the $* addon" >&2; rm -f $@; exit 1; fi; \
	  echo "warning: $$1: building without the $* addon$$2" >&2; printf 'not built: %s\n' "$$1" > $@; \
	}; \
	include="$(NODE_API_INCLUDE)"; \
	if ! command -v $(CC) >/dev/null; then \
	  without "no C compiler ($(CC))" " (apt-get install gcc libc6-dev for faster starts)"; \
	elif ! test -e "$$include/node_api.h"; then \
	  without "no Node-API headers in $$include" " (npm install brings them)"; \
	else \
	  echo "$(CC) $(ADDON_CFLAGS) -I$$include -o $@ $<"; \
	  $(CC) $(ADDON_CFLAGS) -I"$$include" -o $@ $< || without "$(CC) failed on $<" " (its messages are above)"; \
	fi

# Warnings fail the project's own test build only (WERROR=1, which make test
# sets): another compiler, or a newer one, warns where ours did not, and a
# user's build must not stop for that. A test build also never goes on
# without an addon: the tests are there to run it.
WERROR ?= 0
STRICT_ADDONS = $(filter 1,$(WERROR))
ADDON_CFLAGS = -O2 -Wall -Wextra$(if $(STRICT_ADDONS), -Werror) -shared -fPIC

# A Node single executable: the bundles and the native addons injected into a
# copy of this machine's node binary. It runs where no Node is installed.
# flock: two builds at once (parallel test runs) must not mix their halves.
# postject is WebAssembly: V8's baseline compiler only (no tier-up), since
# the code of its optimizing tier crashes (SIGSEGV) under emulated CPUs
# (qemu's TCG); the same bytes come out, about half a second later. Not
# --liftoff-only: that makes any function the baseline cannot take fatal.
dist/taskmaster: dist/taskmaster.js $(ADDONS)
	flock dist/.sea.lock sh -c '\
	  $(NODE) --experimental-sea-config dist/sea-config.json && \
	  cp "$$($(NODE) -p process.execPath)" $@.tmp && \
	  $(NODE) --no-wasm-tier-up --no-wasm-dynamic-tiering node_modules/postject/dist/cli.js $@.tmp NODE_SEA_BLOB dist/taskmaster.blob \
	    --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >/dev/null 2>&1 && \
	  mv $@.tmp $@'

# The two roles are links: the executable picks its role by the name it was started as.
dist/taskmasterd dist/taskmasterctl: dist/taskmaster
	ln -sf taskmaster $@

build: dist/taskmasterd dist/taskmasterctl

# etc/taskmaster.yaml serves the remote API with `make certs`' files: made
# here when missing (never remade: certs.sh refuses to replace a CA). As
# root, its gateway runs as nobody and must reach run/gateway.sock through
# every directory above it; a checkout under /root (0700) bars that, and
# only remote calls would fail (EACCES), so say it up front.
run: build run/certs/ca.crt
	@if test "$$(id -u)" = 0 && command -v setpriv >/dev/null && \
	  ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$(CURDIR)/run"; then \
	  echo "make run: warning: the remote API's gateway runs as nobody, who cannot reach $(CURDIR)/run" \
	    "(a directory above it is not searchable by others): remote calls will fail; run make run as yourself" \
	    "or from a checkout that others can search" >&2; \
	fi
	dist/taskmasterd -c $(CONFIG)

run/certs/ca.crt:
	packaging/certs.sh dev run/certs

# Compiles into build/ afresh: a test file deleted from test/ must not live on
# as stale output that the runner still picks up.
typecheck: node_modules/.installed
	rm -rf build/src build/test build/bench
	$(TSC) -p .
	$(TSC) -p src/web --noEmit

# Unit tests need only the compiled sources; integration tests also run the
# built daemon and CLI as a user would.
unit: typecheck
	$(NODE) --test --test-concurrency=2 build/test/unit/

integration: typecheck build
	$(NODE) --test --test-concurrency=2 build/test/integration/

# test-deps first: it brings the C compiler that the build of the spawn addon needs.
# WERROR: the build they run is the project's own, where a warning is an error.
test integration system-test: WERROR = 1
test: test-deps system-deps vm-deps typecheck build
	$(NODE) --test --test-concurrency=2 build/test/unit/ build/test/integration/
	$(NODE) --test build/test/system/
	$(NODE) --test build/test/vm/

# Tools the tests need: tmux (the interactive shell and `top` on a real
# terminal), a C compiler (the tests check the spawn addon is built and in
# use), openssl (certificates made at test time), Python's gRPC with its
# protoc and curl (clients of the remote API that this project did not
# write), Chromium (the web view, driven by playwright-core) and Prometheus
# with promtool (the metrics, scraped for real), and systemd-notify and
# gunicorn (real sd_notify senders for `ready: notify`; gunicorn installs no
# service that would start).
test-deps:
	@missing=""; command -v tmux >/dev/null || missing="tmux"; command -v $(CC) >/dev/null || missing="$$missing gcc libc6-dev"; \
	command -v systemd-notify >/dev/null || missing="$$missing systemd"; test -x /usr/bin/gunicorn || missing="$$missing gunicorn"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; command -v curl >/dev/null || missing="$$missing curl"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	{ command -v promtool >/dev/null && test -x /usr/bin/prometheus; } || missing="$$missing prometheus"; \
	/usr/bin/python3 -c 'import grpc, grpc_tools.protoc' 2>/dev/null || missing="$$missing python3-grpcio python3-grpc-tools"; \
	if [ -n "$$missing" ]; then \
	  test "$$(id -u)" = 0 || { echo "test-deps: apt-get needs root: sudo make test-deps" >&2; exit 1; }; \
	  echo "apt-get install$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Development certificates for the remote API (README "Remote control");
# openssl's CA tool, so that dates and revocation come from one place.
# Once: a second `make certs` keeps the CA that clients already trust.
certs: run/certs/ca.crt
	@echo "run/certs holds the dev CA and certificates (remove the directory to make new ones)"

clean:
	rm -rf build dist run

# ---- Installing, and running under systemd ---------------------------------
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/bin
LIBDIR := $(PREFIX)/lib/taskmaster
SYSCONFDIR := /etc/taskmaster
UNITDIR := /etc/systemd/system
LOGDIR := /var/log/taskmaster

.PHONY: install uninstall daemon nodaemon client stop vagrant vagrant-test system-test system-deps test-deps vm-test vm-deps

# No build here: a packager, or a machine without Node, installs what
# `make build` made. The config is installed only if absent (it is yours);
# it is etc/taskmaster.yaml with system paths (packaging/system-config.sh).
# A real install (no DESTDIR) as root also makes the system user taskmaster,
# the remote API gateway's; a package makes its users in its own scripts.
install:
	@test -x dist/taskmaster || { echo "make install: dist/taskmaster is missing: run make build first" >&2; exit 1; }
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/conf.d $(DESTDIR)$(LOGDIR)
	install -m 755 dist/taskmaster $(DESTDIR)$(LIBDIR)/taskmaster
	ln -sfr $(DESTDIR)$(LIBDIR)/taskmaster $(DESTDIR)$(BINDIR)/taskmasterd
	ln -sfr $(DESTDIR)$(LIBDIR)/taskmaster $(DESTDIR)$(BINDIR)/taskmasterctl
	sed 's|/usr/local/bin/|$(BINDIR)/|' packaging/taskmaster.service > $(DESTDIR)$(UNITDIR)/taskmaster.service.tmp
	chmod 644 $(DESTDIR)$(UNITDIR)/taskmaster.service.tmp
	mv $(DESTDIR)$(UNITDIR)/taskmaster.service.tmp $(DESTDIR)$(UNITDIR)/taskmaster.service
	@if test -e $(DESTDIR)$(SYSCONFDIR)/taskmaster.yaml; then \
	  echo "keeping $(DESTDIR)$(SYSCONFDIR)/taskmaster.yaml"; \
	else \
	  echo "packaging/system-config.sh etc/taskmaster.yaml > $(DESTDIR)$(SYSCONFDIR)/taskmaster.yaml"; \
	  packaging/system-config.sh etc/taskmaster.yaml > $(DESTDIR)$(SYSCONFDIR)/taskmaster.yaml.tmp && \
	  chmod 644 $(DESTDIR)$(SYSCONFDIR)/taskmaster.yaml.tmp && \
	  mv $(DESTDIR)$(SYSCONFDIR)/taskmaster.yaml.tmp $(DESTDIR)$(SYSCONFDIR)/taskmaster.yaml; \
	fi
	@if test -z "$(DESTDIR)"; then packaging/service.sh add-user; fi

uninstall:
	@if test -z "$(DESTDIR)"; then packaging/service.sh remove; fi
	rm -f $(DESTDIR)$(BINDIR)/taskmasterd $(DESTDIR)$(BINDIR)/taskmasterctl \
	  $(DESTDIR)$(LIBDIR)/taskmaster $(DESTDIR)$(UNITDIR)/taskmaster.service
	-rmdir $(DESTDIR)$(LIBDIR) 2>/dev/null
	@if test -z "$(DESTDIR)"; then packaging/service.sh forget; fi
	@echo "kept $(DESTDIR)$(SYSCONFDIR) and $(DESTDIR)$(LOGDIR)"
	@if test -z "$(DESTDIR)" && getent passwd taskmaster >/dev/null; then \
	  echo "kept the system user taskmaster (userdel taskmaster removes it)"; fi

daemon: build
	@packaging/service.sh need-root daemon
	@$(MAKE) --no-print-directory install
	@BINDIR=$(BINDIR) packaging/service.sh start

nodaemon: build
	@packaging/service.sh need-root nodaemon
	@$(MAKE) --no-print-directory install
	@mkdir -p /run/taskmaster
	@echo "taskmasterd in the foreground; its log: $(LOGDIR)/taskmasterd.log; Ctrl-C stops it"
	$(BINDIR)/taskmasterd -c $(SYSCONFDIR)/taskmaster.yaml

# The installed client talks to the system daemon; without an installed one,
# dist/taskmasterctl talks to `make run`'s.
client:
	@if test -x $(BINDIR)/taskmasterctl; then exec $(BINDIR)/taskmasterctl; \
	else exec dist/taskmasterctl -c $(CONFIG); fi

stop:
	@BINDIR=$(BINDIR) packaging/service.sh stop

vagrant:
	@command -v vagrant >/dev/null || { echo "make vagrant: needs vagrant, with VirtualBox or vagrant-libvirt" >&2; exit 1; }
	vagrant up

# Not part of make test: it needs Vagrant, libvirt and a few minutes.
vagrant-test:
	@packaging/vagrant-test.sh

# ---- The system test: a real systemd as PID 1, in a container ----------------
# Host tools, from Debian, when missing (CI is a clean machine, as root).
system-deps:
	@if ! command -v systemd-nspawn >/dev/null || ! command -v mmdebstrap >/dev/null; then \
	  test "$$(id -u)" = 0 || { echo "system-deps: apt-get needs root: sudo make system-deps" >&2; exit 1; }; \
	  echo "apt-get install systemd-container mmdebstrap"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd-container mmdebstrap >/dev/null; \
	fi

system-test: typecheck build system-deps
	$(NODE) --test build/test/system/

# ---- The VM test: a real kernel with cgroup v2, booted by qemu (test/vm/) ----
# qemu for this machine's own architecture (qemu-system-<uname -m>, from
# Debian's package for its dpkg architecture), mke2fs to make the disk,
# mmdebstrap for the rootfs in it.
vm-deps:
	@qemu=qemu-system-$$(uname -m); missing=""; \
	command -v $$qemu >/dev/null || case "$$(dpkg --print-architecture)" in \
	  amd64|i386) missing=qemu-system-x86;; arm64|armhf|armel) missing=qemu-system-arm;; *) missing=qemu-system;; esac; \
	command -v mke2fs >/dev/null || missing="$$missing e2fsprogs"; \
	command -v mmdebstrap >/dev/null || missing="$$missing mmdebstrap"; \
	if [ -n "$$missing" ]; then \
	  test "$$(id -u)" = 0 || { echo "vm-deps: apt-get needs root: sudo make vm-deps" >&2; exit 1; }; \
	  echo "apt-get install$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

vm-test: WERROR = 1
vm-test: typecheck build vm-deps
	$(NODE) --test build/test/vm/

# ---- Benchmarks (bench/, README "Benchmarks") --------------------------------
.PHONY: bench bench-smoke

# supervisord (Debian's package, its service never started) and PM2 (npm,
# into bench/.cache) are installed by bench/deps.sh when missing.
bench: typecheck build
	bench/deps.sh
	$(NODE) build/bench/main.js

bench-smoke: typecheck build
	$(NODE) build/bench/main.js --smoke
