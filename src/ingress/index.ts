/**
 * SIEM ingress: verifies, parses and normalises webhook alerts and opens or joins incidents in
 * Temporal. See docs/ingress.md.
 */
export { DEFAULT_REPLAY_WINDOW_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, checkSignedTimestamp, signPayload, verifyBearer, verifySignature } from './auth';
export { IngressError, type FieldProblem, type IngressErrorCode } from './errors';
export { alertFingerprint, type FingerprintInput } from './fingerprint';
export { createIngressHandler, type IngressHandlerOptions, type IngressRequestHandler } from './handler';
export { createTemporalIncidentGateway, type IncidentAcceptance, type IncidentGateway, type TemporalGatewayOptions } from './incidents';
export { createMetrics, sharedMetrics, type AlertOutcome, type BreachlineMetrics } from './metrics';
export { normaliseAlert } from './normalise';
export { PARSERS, type ParsedAlert, type SourceParser } from './parsers';
export { ReplayGuard, type ReplayGuardOptions } from '../security/replay-guard';
export { DEFAULT_SCENARIO, RunbookCatalog, type RunbookChoice } from './runbooks';
export { createIngressServer, loadIngressRunbooks, type IngressServer, type IngressServerOptions, type ListeningAddress } from './server';
// Alert storms (issue 15, item 3).
export { createAlertLog, readAlertRecord, type AlertLog, type AlertLogOptions, type AlertRecord } from './alert-log';
export { createCoalescingGateway, type CoalescingGateway, type CoalescingOptions } from './coalescer';
export { startCorrelator, type Correlator, type CorrelatorOptions } from './correlator';
export { createDurableGateway } from './durable-gateway';
export { IncidentCache, type IncidentCacheOptions, type OpenIncident } from './incident-cache';
export { createTemporalBatchSignaller, type BatchSignaller, type TemporalCall } from './incidents';
export { runIngressProcess, type IngressProcessOptions, type RunningIngressProcess } from './process';
