import type { ActionParams } from '../../../src/domain/runbook';

/**
 * Forensics parameters over the scenarios' `orders` topic, whose records name the client by
 * `client.accountId`: counted exactly up to 100,000 subjects, access records on, no legal hold.
 */
export function ordersForensics(access?: 'write'): ActionParams['forensics'] {
  return {
    topics: ['orders'],
    legalHoldRetentionMs: -1,
    piiFields: { source: 'inline', fields: [{ path: 'client.accountId', category: 'account-identifier' }] },
    dataSubjectKey: 'client.accountId',
    exactCountThreshold: 100_000,
    hllPrecision: 14,
    useAccessRecords: true,
    ...(access !== undefined ? { access } : {}),
  };
}
