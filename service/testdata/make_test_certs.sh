#!/usr/bin/env bash
# Writes throwaway TLS material for tests into DIR (created if needed):
#   ca.{crt,key}            a CA, "fifo test CA"
#   server.{crt,key}        signed by it; SAN localhost, 127.0.0.1, ::1
#   client.{crt,key}        signed by it; for mutual TLS
#   other_ca.{crt,key}      an unrelated CA
#   other_client.{crt,key}  signed by the unrelated CA
#   expired.{crt,key}       self-signed, valid only in the year 2000
# Everything is valid for 2 days (except expired.crt) and uses P-256 keys.
# Needs /usr/bin/openssl. Usage: make_test_certs.sh DIR
set -euo pipefail
dir=${1:?usage: make_test_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
openssl=/usr/bin/openssl
days=2

newkey() { "$openssl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME CN
  newkey "$1.key"
  "$openssl" req -x509 -new -key "$1.key" -out "$1.crt" -days "$days" \
    -subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() {  # leaf NAME CA CN EXTENSIONS
  newkey "$1.key"
  "$openssl" req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3"
  printf '%s\n' "$4" > "$1.ext"
  "$openssl" x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" \
    -CAcreateserial -out "$1.crt" -days "$days" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "fifo test CA"
leaf server ca localhost \
  "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
leaf client ca "fifo test client" "extendedKeyUsage=clientAuth"
ca other_ca "unrelated test CA"
leaf other_client other_ca "unrelated test client" "extendedKeyUsage=clientAuth"

# An expired certificate: `openssl ca` is the only subcommand of OpenSSL 3.0
# that takes explicit validity dates.
newkey expired.key
"$openssl" req -new -key expired.key -out expired.csr -subj "/CN=localhost"
mkdir -p expired_ca
: > expired_ca/index.txt
cat > expired_ca/ca.cnf <<CNF
[ca]
default_ca = expired
[expired]
database = expired_ca/index.txt
new_certs_dir = expired_ca
serial = expired_ca/serial
default_md = sha256
policy = anything
[anything]
commonName = supplied
CNF
echo 01 > expired_ca/serial
"$openssl" ca -batch -config expired_ca/ca.cnf -selfsign -keyfile expired.key \
  -in expired.csr -out expired.crt -notext \
  -startdate 20000101000000Z -enddate 20001231000000Z 2>/dev/null
rm -rf expired_ca expired.csr ca.srl other_ca.srl
