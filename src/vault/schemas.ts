import { z } from 'zod';

/*
 * Shapes of the Vault responses the adapter reads. node-vault hands back untyped JSON; parsing it
 * here keeps `any` out of the adapter and turns a surprising answer into a typed error.
 */

const stringMap = z.record(z.string(), z.string());

/** KV v2 `GET <mount>/data/<path>`. */
export const kvReadResponse = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()),
    metadata: z.object({ version: z.number(), created_time: z.string() }),
  }),
});

/** KV v2 `POST <mount>/data/<path>`. */
export const kvWriteResponse = z.object({ data: z.object({ version: z.number(), created_time: z.string() }) });

/** KV v2 `GET <mount>/metadata/<path>`. */
export const kvMetadataResponse = z.object({
  data: z.object({
    current_version: z.number(),
    oldest_version: z.number(),
    max_versions: z.number(),
    cas_required: z.boolean(),
    created_time: z.string(),
    updated_time: z.string(),
    versions: z.record(z.string(), z.object({ created_time: z.string(), deletion_time: z.string(), destroyed: z.boolean() })),
  }),
});

/** Any LIST answer. */
export const keysResponse = z.object({ data: z.object({ keys: z.array(z.string()) }) });

/** `auth/token/lookup*`. */
export const tokenLookupResponse = z.object({
  data: z.object({
    accessor: z.string(),
    policies: z.array(z.string()),
    display_name: z.string(),
    meta: stringMap.nullable(),
    ttl: z.number(),
    expire_time: z.string().nullable(),
    renewable: z.boolean(),
    orphan: z.boolean(),
    path: z.string(),
    // Unix seconds; read by `vault.trace-token` to bound a shipped audit log (leaked-token playbook).
    creation_time: z.number().optional(),
  }),
});

/** Answers carrying an `auth` block (token create, login). */
export const authResponse = z.object({
  auth: z.object({
    client_token: z.string(),
    accessor: z.string(),
    policies: z.array(z.string()),
    lease_duration: z.number(),
    renewable: z.boolean(),
  }),
});

/** Transit encrypt (single). */
export const ciphertextResponse = z.object({ data: z.object({ ciphertext: z.string() }) });
/** Transit decrypt (single). */
export const plaintextResponse = z.object({ data: z.object({ plaintext: z.string() }) });
/** Transit hmac. */
export const hmacResponse = z.object({ data: z.object({ hmac: z.string() }) });
/** Transit verify. */
export const verifyResponse = z.object({ data: z.object({ valid: z.boolean() }) });

const batchItem = z.object({ ciphertext: z.string().optional(), plaintext: z.string().optional(), error: z.string().optional() });
/** Transit encrypt/decrypt with `batch_input`. */
export const batchResponse = z.object({ data: z.object({ batch_results: z.array(batchItem) }) });

/** Transit sign. */
export const signatureResponse = z.object({ data: z.object({ signature: z.string() }) });

/** Transit key read (`GET <mount>/keys/<name>`), as far as signing keys need it. */
export const transitKeyResponse = z.object({
  data: z.object({
    name: z.string(),
    type: z.string(),
    latest_version: z.number(),
    keys: z.record(z.string(), z.union([z.number(), z.object({ public_key: z.string().optional() })])),
  }),
});

/** Transit `datakey/plaintext` (issue 15). */
export const dataKeyResponse = z.object({ data: z.object({ plaintext: z.string(), ciphertext: z.string(), key_version: z.number() }) });

// Leaked-token playbook (issue 17, item 4): the audit device's HMAC of a value.
/** `POST sys/audit-hash/<device>`: Vault answers `data.hash` (and `hash` at the top level). */
export const auditHashResponse = z.object({ data: z.object({ hash: z.string().regex(/^hmac-sha256:[0-9a-f]{64}$/) }) });
