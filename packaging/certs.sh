#!/usr/bin/env bash
# Certificates for the remote API, made with openssl's own CA tool (so that
# validity dates and revocation lists come from the same place).
#
#   certs.sh dev DIR                     a CA, a server certificate (localhost, this host's
#                                        names and addresses), clients `ops` and `dev`, a CRL
#   certs.sh ca DIR                      a new CA alone
#   certs.sh client DIR NAME [START END] a client certificate with CN=NAME, signed by DIR's CA;
#                                        START/END as YYYYMMDDHHMMSSZ (default: now, +825 days)
#   certs.sh server DIR NAME SAN...      a server certificate (SAN entries: DNS:x, IP:y)
#   certs.sh revoke DIR NAME             revokes NAME's certificate and rewrites DIR/crl.pem
#
# Keys are EC P-256, written 0600. Nothing here is fit for production as it
# stands: the README says how to use your own CA.
set -euo pipefail

die() { echo "certs.sh: $*" >&2; exit 1; }
command -v openssl >/dev/null || die "needs openssl (apt-get install openssl)"

ca_config() {
  local dir=$1
  cat > "$dir/ca/openssl.cnf" <<CNF
[ca]
default_ca = local
[local]
dir = $dir/ca
database = \$dir/index.txt
new_certs_dir = \$dir/issued
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $dir/ca.crt
private_key = $dir/ca/ca.key
default_md = sha256
default_days = 825
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::CERT_SAN}
CNF
}

new_ca() {
  local dir=$1
  mkdir -p "$dir/ca/issued"
  : > "$dir/ca/index.txt"
  echo 1000 > "$dir/ca/serial"
  echo 1000 > "$dir/ca/crlnumber"
  ca_config "$dir"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca/ca.key" 2>/dev/null)
  openssl req -x509 -new -key "$dir/ca/ca.key" -subj "/CN=taskmaster dev CA $(date -u +%Y%m%d%H%M%S)" \
    -days 3650 -sha256 -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.crt"
  gen_crl "$dir"
}

gen_crl() {
  local dir=$1
  CERT_SAN=none openssl ca -batch -config "$dir/ca/openssl.cnf" -gencrl -out "$dir/crl.pem" 2>/dev/null
}

# issue DIR NAME EXTENSION [START END]
issue() {
  local dir=$1 name=$2 ext=$3 start=${4:-} end=${5:-}
  test -e "$dir/ca/openssl.cnf" || die "$dir has no CA (certs.sh ca $dir first)"
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key" 2>/dev/null)
  openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr"
  local dates=()
  if [ -n "$start" ]; then dates=(-startdate "$start" -enddate "$end"); fi
  CERT_SAN=${CERT_SAN:-none} openssl ca -batch -notext -config "$dir/ca/openssl.cnf" -extensions "$ext" \
    "${dates[@]}" -in "$dir/$name.csr" -out "$dir/$name.crt" 2>/dev/null || die "openssl ca failed for $name"
  rm -f "$dir/$name.csr"
}

this_host_sans() {
  local sans="DNS:localhost,IP:127.0.0.1,IP:::1" h
  h=$(hostname 2>/dev/null || true)
  [ -n "$h" ] && [ "$h" != localhost ] && sans="$sans,DNS:$h"
  for a in $(hostname -I 2>/dev/null || true); do sans="$sans,IP:$a"; done
  echo "$sans"
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: certs.sh dev|ca|client|server|revoke DIR …"
mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
case $cmd in
  dev)
    test -e "$dir/ca.crt" && die "$dir already holds a CA; remove it first to make new certificates"
    new_ca "$dir"
    CERT_SAN=$(this_host_sans) issue "$dir" server server
    issue "$dir" ops client
    issue "$dir" dev client
    echo "certificates in $dir: ca.crt, crl.pem, server.{crt,key}, ops.{crt,key}, dev.{crt,key}"
    ;;
  ca) new_ca "$dir" ;;
  client) issue "$dir" "${3:?NAME}" client "${4:-}" "${5:-}" ;;
  server) name=${3:?NAME}; shift 3; CERT_SAN=$(IFS=,; echo "$*") issue "$dir" "$name" server ;;
  revoke)
    CERT_SAN=none openssl ca -batch -config "$dir/ca/openssl.cnf" -revoke "$dir/${3:?NAME}.crt" 2>/dev/null
    gen_crl "$dir"
    ;;
  *) die "unknown command $cmd" ;;
esac
