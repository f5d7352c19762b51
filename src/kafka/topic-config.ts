import { ConfigResourceTypes, type Admin } from 'kafkajs';

/**
 * Topic configs through kafkajs (DescribeConfigs / AlterConfigs), and the legal hold built on them.
 *
 * AlterConfigs (the non-incremental API kafkajs speaks) REPLACES every override of the resource:
 * any key left out falls back to the broker default. So every change here is read-modify-write of
 * the full override set. (IncrementalAlterConfigs would avoid that, but kafkajs 2.2.4 lacks it.)
 */

/** One topic's configs: effective values and which of them are overrides. */
export interface TopicConfigs {
  topic: string;
  /** Every config the broker reported, with its effective value. */
  effective: Record<string, string>;
  /** Only the keys set on the topic (not defaults); what AlterConfigs must re-send. */
  overrides: Record<string, string>;
}

/** Describes the configs of `topics` in one request. */
export async function describeTopicConfigs(admin: Admin, topics: readonly string[]): Promise<TopicConfigs[]> {
  if (topics.length === 0) return [];
  const res = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
  return topics.map((topic) => {
    const r = res.resources.find((x) => x.resourceName === topic);
    if (r === undefined) throw new Error(`DescribeConfigs returned nothing for topic ${topic}`);
    if (r.errorCode !== 0) throw new Error(`DescribeConfigs failed for topic ${topic}: error ${r.errorCode} ${r.errorMessage ?? ''}`.trim());
    const effective: Record<string, string> = {};
    const overrides: Record<string, string> = {};
    for (const e of r.configEntries) {
      effective[e.configName] = e.configValue;
      if (!e.isDefault && !e.readOnly && e.configValue !== null) overrides[e.configName] = e.configValue;
    }
    return { topic, effective, overrides };
  });
}

/** Sets `changes` on a topic, keeping every other override (read-modify-write; see the module comment). */
export async function alterTopicConfigs(admin: Admin, topic: string, changes: Readonly<Record<string, string>>): Promise<TopicConfigs> {
  const [current] = await describeTopicConfigs(admin, [topic]);
  const next = { ...(current as TopicConfigs).overrides, ...changes };
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(next).map(([name, value]) => ({ name, value })) }],
  });
  const [after] = await describeTopicConfigs(admin, [topic]);
  return after as TopicConfigs;
}

/** Retention values a legal hold replaces, kept so the hold can be released to them. */
export interface RetentionSettings {
  retentionMs: string;
  retentionBytes: string;
}

/** Outcome of {@link applyLegalHold}. */
export interface LegalHoldOutcome {
  topic: string;
  /** Retention before the hold (from the first attempt when given). */
  previous: RetentionSettings;
  hold: RetentionSettings;
  /** False when the topic already had the hold's values (nothing was changed). */
  changed: boolean;
}

/** Current retention of a topic, as effective values. */
export function retentionOf(configs: TopicConfigs): RetentionSettings {
  return { retentionMs: configs.effective['retention.ms'] ?? '604800000', retentionBytes: configs.effective['retention.bytes'] ?? '-1' };
}

/**
 * Puts a topic under legal hold: `retention.ms` raised to `retentionMs` (-1 = forever) and
 * `retention.bytes` to -1, so nothing ages out while the investigation runs. Idempotent: a topic
 * already at those values is left alone. `knownPrevious` (e.g. from an earlier attempt's
 * checkpoint) wins over what is read now, since after the hold the old values are gone.
 * `beforeChange` runs after the previous values are known and before anything changes, so the
 * caller can checkpoint them first. The result is verified by describing the topic again.
 */
export async function applyLegalHold(
  admin: Admin,
  topic: string,
  retentionMs: number,
  options: { knownPrevious?: RetentionSettings; beforeChange?: (previous: RetentionSettings) => void | Promise<void> } = {},
): Promise<LegalHoldOutcome> {
  const hold: RetentionSettings = { retentionMs: String(retentionMs), retentionBytes: '-1' };
  const [current] = await describeTopicConfigs(admin, [topic]);
  const now = retentionOf(current as TopicConfigs);
  const previous = options.knownPrevious ?? now;
  if (now.retentionMs === hold.retentionMs && now.retentionBytes === hold.retentionBytes) return { topic, previous, hold, changed: false };
  await options.beforeChange?.(previous);
  const after = retentionOf(await alterTopicConfigs(admin, topic, { 'retention.ms': hold.retentionMs, 'retention.bytes': hold.retentionBytes }));
  if (after.retentionMs !== hold.retentionMs || after.retentionBytes !== hold.retentionBytes) {
    throw new LegalHoldError(`legal hold on ${topic} did not take: retention.ms=${after.retentionMs}, retention.bytes=${after.retentionBytes}`);
  }
  return { topic, previous, hold, changed: true };
}

/** The hold was applied but the topic does not show it. */
export class LegalHoldError extends Error {
  override readonly name = 'LegalHoldError';
}
