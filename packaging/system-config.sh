#!/bin/sh
# Prints the system-wide /etc/taskmaster/taskmaster.yaml: etc/taskmaster.yaml
# (the one source of the example programs) with its checkout-relative paths
# made system ones, a logfile, and an include of conf.d. Its remote: block
# serves `make run`'s dev certificates from the checkout: it becomes a
# commented example with /etc/taskmaster/tls/ paths.
#   usage: packaging/system-config.sh [etc/taskmaster.yaml] > taskmaster.yaml
set -eu
src=${1:-etc/taskmaster.yaml}
# The first command of a pipeline below: its failure would go unseen.
test -r "$src" || { echo "$0: cannot read $src" >&2; exit 1; }

# taskmasterd's remote: block is that line and every line below it indented
# deeper (4 spaces or more), with the blank lines between them.
remote_example() {
  awk '
    /^  remote:/ {
      print "  # The remote API (README \"Remote control\"): put the server certificate"
      print "  # and key, the CA of client certificates and a CRL in /etc/taskmaster/tls/"
      print "  # (keys 0600), uncomment, then systemctl restart taskmaster. Its gateway"
      print "  # runs as user taskmaster, which make install made."
      print "  # remote:"
      print "  #   listen: \"0.0.0.0:7443\""
      print "  #   cert: /etc/taskmaster/tls/server.crt"
      print "  #   key: /etc/taskmaster/tls/server.key"
      print "  #   client_ca: /etc/taskmaster/tls/ca.crt"
      print "  #   crl: /etc/taskmaster/tls/crl.pem"
      print "  #   users:"
      print "  #     ops: {programs: control, jobs: true}"
      inside = 1
      next
    }
    inside && /^    / { blanks = ""; next }
    inside && /^[ \t]*$/ { blanks = blanks "\n"; next }
    { if (inside) printf "%s", blanks; inside = 0; blanks = ""; print }
  ' "$1"
}

# The dev file's header talks about ./run/ of the checkout: replace it.
out=$(remote_example "$src" | sed \
  -e '1,/^taskmasterd:/{/^#/d}' \
  -e 's|^\(  socket:\) *\.\./run/taskmaster\.sock *$|\1 /run/taskmaster/taskmaster.sock|' \
  -e 's|^\(  childlogdir:\) *\.\./run/logs *$|\1 /var/log/taskmaster|' \
  -e '/^  logfile:/d' \
  -e '/^  childlogdir:/a\
  logfile: /var/log/taskmaster/taskmasterd.log' \
  -e '/^include:/d' \
  -e '/^programs:/i\
include: [/etc/taskmaster/conf.d/*.yaml]   # more programs, one file each\
' \
)

# If etc/taskmaster.yaml changed shape, say so rather than install a config
# that points into a checkout.
for line in '  socket: /run/taskmaster/taskmaster.sock' '  childlogdir: /var/log/taskmaster' \
  '  logfile: /var/log/taskmaster/taskmasterd.log' 'include: [/etc/taskmaster/conf.d/*.yaml]'; do
  if ! printf '%s\n' "$out" | grep -qF -e "$line"; then
    echo "$0: $src: could not make \"$line\" (expected its socket: ../run/taskmaster.sock and childlogdir: ../run/logs)" >&2
    exit 1
  fi
done
if printf '%s\n' "$out" | grep -q '\.\./run'; then
  echo "$0: $src: a path under ../run is left; teach this script about it" >&2
  exit 1
fi
if printf '%s\n' "$out" | grep -q '^ *remote:'; then
  echo "$0: $src: its remote: block is left; it serves the checkout's dev certificates" >&2
  exit 1
fi

cat <<'EOF'
# taskmaster's system-wide config, read by taskmasterd under systemd
# (taskmaster.service). Programs can go here or in /etc/taskmaster/conf.d/,
# one file each; `systemctl reload taskmaster` (or `taskmasterctl reload`)
# applies a change. `taskmasterd --check -c FILE` validates a file.
EOF
printf '%s\n' "$out"
