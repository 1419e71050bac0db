#!/usr/bin/env bash
# Makes deploy/certs for compose.yaml: a private CA, and one server
# certificate for nginx and both ledgers (names ledger-050008, ledger-130001,
# localhost). For trying dxledger out; in production use your own CA.
#   deploy/make-certs.sh && cd deploy && docker compose up
# Clients then pass --tls-ca deploy/certs/ca.crt --server localhost:8443.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p -m 0700 certs
cd certs
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=dxledger test CA" \
  -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=dxledger" -keyout server.key -out server.csr \
  2>/dev/null
printf 'subjectAltName=DNS:localhost,DNS:ledger-050008,DNS:ledger-130001,IP:127.0.0.1\n' > san.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
  -extfile san.ext -out server.crt 2>/dev/null
rm -f server.csr san.ext ca.srl
# The containers run as uid 10001 (deploy/Dockerfile) and must read the key.
chmod 0644 ca.crt server.crt && chmod 0640 server.key ca.key
echo "certificates in $(pwd): ca.crt (give clients --tls-ca), server.crt, server.key"
