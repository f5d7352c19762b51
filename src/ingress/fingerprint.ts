import { createHash } from 'node:crypto';
import type { AlertSource } from '../domain/alert';

/** What an incident is keyed on. */
export interface FingerprintInput {
  source: AlertSource;
  rule: string;
  principal?: string;
  asset?: string;
}

/**
 * sha256 (hex) of the source, the rule and the principal, or the asset when no principal is
 * named. Alerts with the same fingerprint are one incident (design §1).
 *
 * The source is part of it, as the design says: rule names are only unique within one SIEM, so
 * a Splunk search and an Elastic rule that happen to share a name must not merge. The cost is
 * that two SIEMs reporting the same breach open two incidents; correlating those is a human call
 * made in Slack, not something a name collision should decide. The subject is tagged with its
 * kind so a principal can never collide with an asset of the same spelling, and the parts are
 * JSON-encoded so no separator inside a value can shift one part into the next.
 */
export function alertFingerprint(input: FingerprintInput): string {
  const subject = input.principal !== undefined ? ['principal', input.principal] : ['asset', input.asset ?? ''];
  return createHash('sha256').update(JSON.stringify([input.source, input.rule, ...subject]), 'utf8').digest('hex');
}
