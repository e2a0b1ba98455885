#!/usr/bin/env bash
# Installs what `make bench` compares against, when missing:
#  - supervisord from Debian's `supervisor` package. Its own system service
#    must not run: the install goes under a policy-rc.d that forbids starts,
#    the service is disabled after, and stopped if something started it
#    anyway. The bench starts its own supervisord, on a config in a temp dir.
#  - PM2 from npm, into bench/.cache/pm2 (never global); the bench gives it
#    its own PM2_HOME in a temp dir.
#  - sshd and ssh from Debian's `openssh-server` and `openssh-client`, under
#    the same policy-rc.d, the service disabled after: the remote workload
#    starts its own `sshd -D -f CONFIG` on a loopback port with its own keys.
set -euo pipefail
cd "$(dirname "$0")"
PM2_VERSION=7.0.4

# apt-get install PACKAGE... with no service started or enabled by it.
apt_install_quiet() {
  test "$(id -u)" = 0 || { echo "bench/deps.sh: installing $* needs root" >&2; exit 1; }
  local policy=/usr/sbin/policy-rc.d ours=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && ours=1
  fi
  echo "apt-get install $* (no service started or enabled)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  [ -n "$ours" ] && rm -f "$policy"
  return 0
}

if ! command -v supervisord >/dev/null; then
  apt_install_quiet supervisor
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now supervisor.service >/dev/null 2>&1 || true
  fi
  update-rc.d supervisor disable >/dev/null 2>&1 || true
fi
# The system service, if anything started it: stopped, whichever init runs it.
if [ -e /run/supervisord.pid ] || [ -S /var/run/supervisor.sock ]; then
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl stop supervisor.service || true
  else
    /etc/init.d/supervisor stop >/dev/null 2>&1 || true
  fi
fi

if [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
  apt_install_quiet openssh-server openssh-client
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  fi
  update-rc.d ssh disable >/dev/null 2>&1 || true
fi

if [ ! -x .cache/pm2/node_modules/.bin/pm2 ]; then
  echo "npm install pm2@$PM2_VERSION into bench/.cache/pm2"
  mkdir -p .cache/pm2
  npm install --prefix .cache/pm2 --no-audit --no-fund --loglevel=error "pm2@$PM2_VERSION" >/dev/null
fi
