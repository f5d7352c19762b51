import { IntegrationError } from '../http/errors';
import { asRecord, requestJson } from '../http/json-client';

/*
 * Opsgenie Alert API v2: create (deduplicated by alias while the alert is open), get by alias,
 * close by alias. Auth is `Authorization: GenieKey <api key>`; the key is a credential and never
 * leaves this module's requests.
 */

/** Opsgenie's public endpoint (EU accounts use `https://api.eu.opsgenie.com`). */
export const OPSGENIE_URL = 'https://api.opsgenie.com';

/** A new alert. */
export interface OpsgenieAlertRequest {
  message: string;
  alias: string;
  description?: string;
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
  source: string;
  tags?: readonly string[];
  details?: Readonly<Record<string, string>>;
}

/** An alert as Opsgenie shows it. */
export interface OpsgenieAlertState {
  id: string;
  alias: string;
  status: string;
  count: number;
}

function describe(body: unknown): string | undefined {
  const b = asRecord(body);
  const errors = Object.entries(asRecord(b.errors)).map(([k, v]) => `${k}: ${String(v)}`);
  const message = typeof b.message === 'string' ? b.message : undefined;
  return errors.length > 0 ? `${message ?? 'unprocessable'} (${errors.join('; ')})` : message;
}

/** An Opsgenie client for one API key. */
export function opsgenieAlerts(baseUrl: string, apiKey: string, timeoutMs?: number) {
  const base = `${baseUrl.replace(/\/+$/, '')}/v2/alerts`;
  const common = { service: 'opsgenie', headers: { authorization: `GenieKey ${apiKey}` }, describe, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  return {
    /** The alert with this alias (the open one first), or undefined. */
    async getByAlias(alias: string): Promise<OpsgenieAlertState | undefined> {
      try {
        const res = await requestJson({ ...common, operation: 'get alert', method: 'GET', url: `${base}/${encodeURIComponent(alias)}?identifierType=alias` });
        const d = asRecord(asRecord(res.body).data);
        return { id: String(d.id), alias: String(d.alias), status: String(d.status), count: Number(d.count ?? 1) };
      } catch (err) {
        if (err instanceof IntegrationError && err.status === 404) return undefined;
        throw err;
      }
    },
    async create(alert: OpsgenieAlertRequest): Promise<{ requestId: string }> {
      const res = await requestJson({ ...common, operation: 'create alert', method: 'POST', url: base, body: alert });
      return { requestId: String(asRecord(res.body).requestId ?? '') };
    },
    async closeByAlias(alias: string, note: string, source: string): Promise<{ requestId: string }> {
      const res = await requestJson({ ...common, operation: 'close alert', method: 'POST', url: `${base}/${encodeURIComponent(alias)}/close?identifierType=alias`, body: { source, note } });
      return { requestId: String(asRecord(res.body).requestId ?? '') };
    },
  };
}
