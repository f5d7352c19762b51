import type { KafkaBroker } from '../broker';
import { ApiKey } from '../protocol/api-keys';
import * as alterConfigsV0 from '../protocol/alter-configs/v0';
import * as describeConfigsV0 from '../protocol/describe-configs/v0';
import * as describeConfigsV1 from '../protocol/describe-configs/v1';
import { ConfigSource } from '../protocol/describe-configs/v1';
import { BrokerError, ErrorCode } from '../protocol/errors';
import { TOPIC_CONFIGS } from '../log/topic-configs';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../security';
import { defineHandler, type ApiHandler } from './types';

/** Config resource types on the wire (not the ACL resource types). */
const ConfigResource = { TOPIC: 2, BROKER: 4 } as const;

/** The broker's own settings, reported read-only under their Kafka names. */
function brokerConfigs(broker: KafkaBroker): Record<string, string> {
  return {
    'broker.id': String(broker.nodeId),
    'num.partitions': String(broker.defaultPartitions),
    'default.replication.factor': '1',
    'auto.create.topics.enable': String(broker.autoCreateTopics),
    'socket.request.max.bytes': String(broker.maxRequestBytes),
    'sasl.enabled.mechanisms': broker.saslMechanisms.join(','),
    'listeners': `${broker.tlsEnabled ? 'SASL_SSL' : 'SASL_PLAINTEXT'}://${broker.address}`,
    'log.cleanup.policy': 'delete',
    'log.retention.ms': TOPIC_CONFIGS['retention.ms']?.default ?? '',
  };
}

function describeOne(broker: KafkaBroker, res: { resourceType: number; resourceName: string; configNames: string[] | null }): describeConfigsV0.DescribedConfigResource {
  const base = { errorCode: 0, errorMessage: null, resourceType: res.resourceType, resourceName: res.resourceName };
  const pick = (name: string): boolean => res.configNames === null || res.configNames.includes(name);
  if (res.resourceType === ConfigResource.TOPIC) {
    const topic = broker.topics.get(res.resourceName);
    if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${res.resourceName} does not exist.`, entries: [] };
    const entries = Object.entries(TOPIC_CONFIGS)
      .filter(([name]) => pick(name))
      .map(([name, def]) => {
        const override = topic.configs.get(name);
        const fallback = { name, value: def.default, source: ConfigSource.DEFAULT_CONFIG };
        const synonyms = override === undefined ? [fallback] : [{ name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }, fallback];
        const source = override === undefined ? ConfigSource.DEFAULT_CONFIG : ConfigSource.DYNAMIC_TOPIC_CONFIG;
        return { name, value: override ?? def.default, readOnly: false, isDefault: override === undefined, isSensitive: false, source, synonyms };
      });
    return { ...base, entries };
  }
  const entries = Object.entries(brokerConfigs(broker))
    .filter(([name]) => pick(name))
    .map(([name, value]) => {
      const source = ConfigSource.STATIC_BROKER_CONFIG;
      return { name, value, readOnly: true, isDefault: false, isSensitive: false, source, synonyms: [{ name, value, source }] };
    });
  return { ...base, entries };
}

type DescribeReq = ReturnType<typeof describeConfigsV0.decode> & { includeSynonyms?: boolean };

/** v1 and v2 share one layout (config_source and synonyms); v0 has is_default. */
function encodeDescribe(version: number, w: Parameters<typeof describeConfigsV0.encode>[0], resources: describeConfigsV0.DescribedConfigResource[], includeSynonyms: boolean): void {
  if (version === 0) describeConfigsV0.encode(w, { resources });
  else describeConfigsV1.encode(w, { resources, includeSynonyms });
}

const describeConfigs = defineHandler<DescribeReq>({
  decode: (r, version) => (version === 0 ? describeConfigsV0.decode(r) : describeConfigsV1.decode(r)),
  handle(ctx, req) {
    const resources = req.resources.map((res): describeConfigsV0.DescribedConfigResource => {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName, entries: [] };
      if (res.resourceType === ConfigResource.TOPIC) {
        if (!ctx.authorize(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, res.resourceName)) {
          return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
        }
      } else if (res.resourceType === ConfigResource.BROKER) {
        if (!ctx.authorize(AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)) {
          return { ...base, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
        }
      } else {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported config resource type ${res.resourceType}` };
      }
      return describeOne(ctx.broker, res);
    });
    return (w) => encodeDescribe(ctx.version, w, resources, req.includeSynonyms ?? false);
  },
  fail: (ctx, req, code) => (w) =>
    encodeDescribe(
      ctx.version,
      w,
      req.resources.map((r) => ({ errorCode: code, errorMessage: 'injected fault', resourceType: r.resourceType, resourceName: r.resourceName, entries: [] })),
      false,
    ),
});

const alterConfigs = defineHandler<alterConfigsV0.AlterConfigsRequest>({
  decode: (r) => alterConfigsV0.decode(r),
  handle(ctx, req) {
    const { broker } = ctx;
    let changed = false;
    const resources = req.resources.map((res) => {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName };
      try {
        if (res.resourceType === ConfigResource.TOPIC) {
          if (!ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, res.resourceName)) throw new BrokerError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
          broker.topics.setConfigs(res.resourceName, res.entries, req.validateOnly);
          changed = changed || !req.validateOnly;
        } else if (res.resourceType === ConfigResource.BROKER) {
          if (!ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)) throw new BrokerError(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Authorization failed.');
          throw new BrokerError(ErrorCode.INVALID_CONFIG, 'Broker configs of the sandbox are read-only; set them when starting it.');
        } else {
          throw new BrokerError(ErrorCode.INVALID_REQUEST, `Unsupported config resource type ${res.resourceType}`);
        }
        return { ...base, errorCode: 0, errorMessage: null };
      } catch (err) {
        if (!(err instanceof BrokerError)) throw err;
        return { ...base, errorCode: err.code, errorMessage: err.message };
      }
    });
    // A lowered retention applies at once rather than at the next periodic check.
    if (changed) broker.runRetention();
    return (w) => alterConfigsV0.encode(w, { resources });
  },
  fail: (_ctx, req, code) => (w) =>
    alterConfigsV0.encode(w, { resources: req.resources.map((r) => ({ errorCode: code, errorMessage: 'injected fault', resourceType: r.resourceType, resourceName: r.resourceName })) }),
});

/** DescribeConfigs and AlterConfigs. */
export const CONFIG_HANDLERS: ReadonlyArray<[number, ApiHandler]> = [
  [ApiKey.DescribeConfigs, describeConfigs],
  [ApiKey.AlterConfigs, alterConfigs],
];
