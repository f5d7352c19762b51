import { asRecord, requestJson } from '../http/json-client';

/*
 * Jira Cloud REST v3, the calls the `ticket` action makes: search by JQL, create an issue with an
 * ADF description, list and perform transitions. Basic auth with `email:api-token` (a credential:
 * it lives in this module's headers only).
 */

/** An issue as the action needs it. */
export interface JiraIssueRef {
  key: string;
  status: string;
}

/** A new issue. */
export interface NewJiraIssue {
  project: string;
  issueType: string;
  summary: string;
  /** Plain paragraphs; sent as an Atlassian Document. */
  description: readonly string[];
  labels: readonly string[];
}

function describe(body: unknown): string | undefined {
  const b = asRecord(body);
  const messages = Array.isArray(b.errorMessages) ? b.errorMessages.filter((m): m is string => typeof m === 'string') : [];
  const fields = Object.entries(asRecord(b.errors)).map(([k, v]) => `${k}: ${String(v)}`);
  const all = [...messages, ...fields];
  return all.length > 0 ? all.join('; ') : undefined;
}

/** Plain paragraphs as an ADF document. */
export function adfDocument(paragraphs: readonly string[]): Record<string, unknown> {
  return { type: 'doc', version: 1, content: paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })) };
}

/** A Jira client for one site and one `email:api-token`. */
export function jiraClient(siteUrl: string, credential: string, timeoutMs?: number) {
  const base = `${siteUrl.replace(/\/+$/, '')}/rest/api/3`;
  const common = { service: 'jira', headers: { authorization: `Basic ${Buffer.from(credential).toString('base64')}` }, describe, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  const ref = (i: unknown): JiraIssueRef => {
    const r = asRecord(i);
    return { key: String(r.key), status: String(asRecord(asRecord(r.fields).status).name ?? '') };
  };
  return {
    async search(jql: string): Promise<JiraIssueRef[]> {
      const res = await requestJson({ ...common, operation: 'search', method: 'GET', url: `${base}/search?jql=${encodeURIComponent(jql)}&fields=status,labels&maxResults=50` });
      const issues = asRecord(res.body).issues;
      return Array.isArray(issues) ? issues.map(ref) : [];
    },
    async create(issue: NewJiraIssue): Promise<string> {
      const body = {
        fields: { project: { key: issue.project }, issuetype: { name: issue.issueType }, summary: issue.summary, description: adfDocument(issue.description), labels: [...issue.labels] },
      };
      const res = await requestJson({ ...common, operation: 'create issue', method: 'POST', url: `${base}/issue`, body });
      return String(asRecord(res.body).key);
    },
    async get(key: string): Promise<JiraIssueRef> {
      return ref((await requestJson({ ...common, operation: `get ${key}`, method: 'GET', url: `${base}/issue/${encodeURIComponent(key)}?fields=status` })).body);
    },
    async transitions(key: string): Promise<Array<{ id: string; name: string; to: string }>> {
      const res = await requestJson({ ...common, operation: `transitions of ${key}`, method: 'GET', url: `${base}/issue/${encodeURIComponent(key)}/transitions` });
      const list = asRecord(res.body).transitions;
      return Array.isArray(list) ? list.map((t) => { const r = asRecord(t); return { id: String(r.id), name: String(r.name), to: String(asRecord(r.to).name) }; }) : [];
    },
    async transition(key: string, id: string): Promise<void> {
      await requestJson({ ...common, operation: `transition ${key}`, method: 'POST', url: `${base}/issue/${encodeURIComponent(key)}/transitions`, body: { transition: { id } } });
    },
  };
}
