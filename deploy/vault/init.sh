#!/bin/sh
# One-shot setup of the dev Vault for breachline: transit (evidence encryption and PII tokens)
# and AppRole (the compromised service's secret ids are revoked by the playbook). KV v2 is
# already mounted at secret/ in dev mode. Safe to run again.
set -eu
vault secrets list | grep -q '^transit/' || vault secrets enable transit
vault auth list | grep -q '^approle/' || vault auth enable approle
echo "vault ready for breachline"
