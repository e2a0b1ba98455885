#!/bin/sh
# Starts and stops the installed taskmasterd for `make daemon`, `make stop`
# and `make uninstall`: through systemd when it is PID 1, otherwise as a
# background process of our own (a container, WSL, a chroot).
# It also makes the remote API's gateway user for `make install`.
#   usage: packaging/service.sh start|stop|remove|forget|add-user     (BINDIR from the environment)
set -eu
BINDIR=${BINDIR:-/usr/local/bin}
CONFIG=/etc/taskmaster/taskmaster.yaml
LOGDIR=/var/log/taskmaster
PIDFILE=/run/taskmaster/taskmasterd.pid

# sd_booted(3): systemd is PID 1 exactly when this directory exists.
have_systemd() { test -d /run/systemd/system; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "$1: run as root (sudo make $1)" >&2
    exit 1
  fi
}

# The pid of the background daemon we started, if it still runs.
background_pid() {
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  if have_systemd; then
    was_active=$(systemctl is-active taskmaster 2>/dev/null || true)
    systemctl daemon-reload
    systemctl enable --now taskmaster
    systemctl --no-pager --lines=0 status taskmaster || true
    if [ "$was_active" = active ]; then
      echo "taskmaster was already running: 'systemctl restart taskmaster' runs the new build"
    fi
    return
  fi
  if pid=$(background_pid); then
    echo "taskmasterd already runs in the background (pid $pid); 'make stop' stops it"
    return
  fi
  # What systemd's RuntimeDirectory= and LogsDirectory= would have made.
  mkdir -p /run/taskmaster "$LOGDIR"
  out=$LOGDIR/taskmasterd.out
  setsid nohup "$BINDIR/taskmasterd" -c "$CONFIG" >>"$out" 2>&1 </dev/null &
  # The socket answering is our READY=1; `pid` also gives the daemon's own pid.
  i=0
  until pid=$("$BINDIR/taskmasterctl" -c "$CONFIG" pid 2>/dev/null); do
    i=$((i + 1))
    if [ $i -ge 100 ]; then
      echo "taskmasterd did not come up; the end of $out:" >&2
      tail -n 20 "$out" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$pid" >"$PIDFILE"
  echo "systemd is not PID 1 here, so taskmasterd runs in the background: pid $pid,"
  echo "log in $LOGDIR/taskmasterd.log (stderr in $out). 'make stop' stops it."
}

stop() {
  if have_systemd; then
    systemctl stop taskmaster
    echo "taskmaster stopped"
    return
  fi
  if ! pid=$(background_pid); then
    pid=$("$BINDIR/taskmasterctl" -c "$CONFIG" pid 2>/dev/null) || {
      echo "taskmasterd is not running"
      rm -f "$PIDFILE"
      return
    }
  fi
  # SIGTERM: the daemon stops each program with its stopsignal and stoptime.
  kill -TERM "$pid"
  echo "stopping taskmasterd (pid $pid)…"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  rm -f "$PIDFILE"
  echo "taskmasterd stopped"
}

# Before uninstalling: nothing may keep running the removed executable.
remove() {
  if have_systemd; then
    if [ -e /etc/systemd/system/taskmaster.service ]; then systemctl disable --now taskmaster || true; fi
  elif background_pid >/dev/null; then
    stop
  fi
}

# taskmasterd.remote.user's default: a daemon running as root starts the
# remote API's gateway as this account and refuses a config naming one that
# does not exist. Uninstall keeps it: files it owns may outlive taskmaster.
GATEWAY_USER=taskmaster

add_user() {
  if getent passwd "$GATEWAY_USER" >/dev/null; then
    echo "the system user $GATEWAY_USER exists (the remote API's gateway runs as it)"
  elif [ "$(id -u)" != 0 ]; then
    echo "not root: no system user $GATEWAY_USER made; a root daemon with a remote: block needs it (or another remote.user)"
  elif ! command -v useradd >/dev/null; then
    echo "no useradd here: make a system user $GATEWAY_USER (no home, no login shell) for the remote API's gateway" >&2
  else
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$GATEWAY_USER"
    echo "made the system user $GATEWAY_USER, which the remote API's gateway runs as (make uninstall keeps it)"
  fi
}

# After uninstalling: systemd forgets the removed unit.
forget() {
  if have_systemd; then systemctl daemon-reload; fi
}

case ${1:-} in
start) need_root daemon; start ;;
stop) need_root stop; stop ;;
remove) need_root uninstall; remove ;;
forget) forget ;;
add-user) add_user ;;
need-root) need_root "${2:-}" ;;
*) echo "usage: $0 start|stop|remove|forget|add-user|need-root TARGET" >&2; exit 2 ;;
esac
