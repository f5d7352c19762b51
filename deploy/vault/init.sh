#!/bin/sh
# One-shot setup of the dev Vault for breachline: transit (evidence encryption and PII tokens),
# AppRole (the compromised service's secret ids are revoked by the playbook, and breachline itself
# logs in with it), the `breachline` policy and role. KV v2 is already mounted at secret/ in dev
# mode. breachline's role_id is fixed (deploy/breachline.env names it); a fresh secret_id is
# written to /breachline/secrets/vault-secret-id (deploy/secrets/ on the host, git-ignored, 0600)
# on every run. Safe to run again.
set -eu
vault secrets list | grep -q '^transit/' || vault secrets enable transit
vault auth list | grep -q '^approle/' || vault auth enable approle
vault policy write breachline /breachline/vault/breachline.hcl
# Tokens live an hour and are renewed by breachline (renew-self) up to a day, then it logs in again.
vault write auth/approle/role/breachline token_policies=breachline token_ttl=1h token_max_ttl=24h secret_id_ttl=0
vault write auth/approle/role/breachline/role-id role_id=breachline-dev-role-id
umask 077
vault write -f -field=secret_id auth/approle/role/breachline/secret-id > /breachline/secrets/vault-secret-id
echo "vault ready for breachline"
