#!/bin/sh
# Makes the dev PKI of docker-compose.yml's secured path, on the host, with openssl:
#   ca.crt / ca.key           a private CA (trusted by breachline and the broker)
#   kafka.p12                 the broker's key and certificate (SAN localhost, kafka), PKCS#12
#   breachline.crt / .key     breachline's client certificate (the broker requires one: mTLS)
# Written to deploy/pki/out/ (git-ignored). Run once before `docker compose up`; safe to re-run
# (existing files are kept). Dev-grade: the PKCS#12 password is in deploy/breachline.env too.
set -eu
cd "$(dirname "$0")"
OUT=out
P12_PASSWORD="${BREACHLINE_DEV_P12_PASSWORD:-breachline-dev-keystore}"
mkdir -p "$OUT"
cd "$OUT"
if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=breachline dev CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout ca.key -out ca.crt
fi
leaf() { # name subject extensions
  [ -f "$1.crt" ] && return 0
  openssl req -newkey rsa:3072 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr"
  printf '%b' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile "$1.ext" -out "$1.crt"
  rm -f "$1.csr" "$1.ext"
}
leaf kafka kafka 'subjectAltName=DNS:localhost,DNS:kafka,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n'
leaf breachline breachline 'extendedKeyUsage=clientAuth\n'
[ -f kafka.p12 ] || openssl pkcs12 -export -in kafka.crt -inkey kafka.key -certfile ca.crt -name kafka -passout "pass:$P12_PASSWORD" -out kafka.p12
chmod 600 ./*.key kafka.p12
# The broker runs as uid 1000 in the apache/kafka image and must read its keystore.
chmod 644 kafka.p12 ca.crt
echo "dev PKI ready in $(pwd)"
