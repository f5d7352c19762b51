# What the breachline orchestrator needs in Vault (AppRole role `breachline`), nothing more.
# Service credentials (KV v2, check-and-set rotation).
path "secret/data/*"     { capabilities = ["create", "read", "update"] }
path "secret/metadata/*" { capabilities = ["read", "list"] }
# Evidence encryption, PII tokens, audit chain signatures.
path "transit/keys/*"    { capabilities = ["create", "read", "update"] }
path "transit/encrypt/*" { capabilities = ["update"] }
path "transit/decrypt/*" { capabilities = ["update"] }
path "transit/hmac/*"    { capabilities = ["update"] }
path "transit/sign/*"    { capabilities = ["update"] }
path "transit/verify/*"  { capabilities = ["update"] }
# Revoking the compromised service's tokens and AppRole secret ids.
path "auth/token/accessors"        { capabilities = ["list", "sudo"] }
path "auth/token/lookup-accessor"  { capabilities = ["update"] }
path "auth/token/revoke-accessor"  { capabilities = ["update"] }
path "auth/token/create"           { capabilities = ["create", "update"] }
path "auth/approle/role/+/secret-id"                 { capabilities = ["create", "update", "list"] }
path "auth/approle/role/+/secret-id-accessor/*"      { capabilities = ["update"] }
