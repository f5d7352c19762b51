/*
 * Secret references in runbooks: `<kv v2 path>#<key>`. A runbook names where a credential lives,
 * never the credential; the activity reads it from Vault at the moment of use.
 */

/** A Vault path: segments of `[A-Za-z0-9_.-]`, none of them `.` or `..`. */
export const VAULT_PATH_PATTERN = '^(?!(?:.*/)?\\.\\.?(?:/|#|$))[A-Za-z0-9_.-]+(?:/(?!\\.\\.?(?:/|#|$))[A-Za-z0-9_.-]+)*$';

/** `<kv v2 path>#<key>`, e.g. `breachline/pagerduty#routing_key`. */
export const SECRET_REF_PATTERN = `${VAULT_PATH_PATTERN.slice(0, -1)}#[A-Za-z0-9_.-]+$`;

/** The JSON Schema of a secret reference parameter. */
export const SECRET_REF_SCHEMA = { type: 'string', pattern: SECRET_REF_PATTERN } as const;
