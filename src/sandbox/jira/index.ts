import { randomBytes } from 'node:crypto';
import { asRecord, startStub, type StubCall, type StubFaults, type StubReply, type StubRequest } from '../service-stub/server';

/*
 * Jira Cloud REST v3 stand-in, the part the `ticket` action uses: create an issue (ADF
 * description), read it, search by JQL (`labels = "…"` and `project = KEY` joined by AND, the
 * forms the action writes), list and perform transitions. Basic auth `email:api-token`. Errors
 * as Jira sends them: `{errorMessages: [...], errors: {field: message}}` with 400, 401, 404.
 * The workflow is Jira's simplified one: To Do, In Progress, Done, each reachable from any other.
 */

/** One issue as the stand-in keeps it. */
export interface JiraIssue {
  readonly id: string;
  readonly key: string;
  readonly project: string;
  readonly issueType: string;
  readonly summary: string;
  readonly description: unknown;
  readonly labels: readonly string[];
  status: string;
}

/** A running Jira stand-in. */
export interface RunningJiraSandbox {
  readonly name: 'jira';
  /** Site base URL (the real one is `https://<site>.atlassian.net`). */
  readonly address: string;
  /** `email:api-token` the stand-in accepts. */
  readonly credential: string;
  readonly connection: Readonly<Record<string, string>>;
  readonly faults: StubFaults;
  calls(): StubCall[];
  issues(): JiraIssue[];
  close(): Promise<void>;
}

const TRANSITIONS = [
  { id: '11', name: 'To Do', to: 'To Do' },
  { id: '21', name: 'Start progress', to: 'In Progress' },
  { id: '31', name: 'Done', to: 'Done' },
];
const ISSUE_TYPES = new Set(['Task', 'Bug', 'Incident', 'Story']);

const jiraError = (status: number, errorMessages: string[], errors: Record<string, string> = {}): StubReply => ({ status, body: { errorMessages, errors } });

function isAdf(v: unknown): boolean {
  const d = asRecord(v);
  return d.type === 'doc' && d.version === 1 && Array.isArray(d.content);
}

/** Parses the JQL the action writes: `field = "value"` clauses joined by AND. */
function parseJql(jql: string): Array<{ field: 'labels' | 'project'; value: string }> | string {
  const clauses = jql.split(/\s+AND\s+/i);
  const out: Array<{ field: 'labels' | 'project'; value: string }> = [];
  for (const c of clauses) {
    const m = /^\s*(labels|project)\s*=\s*(?:"([^"]*)"|([A-Za-z0-9_.-]+))\s*$/i.exec(c);
    if (!m) return `Error in the JQL Query: the clause '${c.trim()}' is not supported here.`;
    out.push({ field: m[1]!.toLowerCase() as 'labels' | 'project', value: m[2] ?? m[3] ?? '' });
  }
  return out;
}

/** Starts the Jira stand-in on a free port. */
export async function start(options: { host?: string; port?: number; projects?: readonly string[]; credential?: string } = {}): Promise<RunningJiraSandbox> {
  const credential = options.credential ?? `breachline@example.com:${randomBytes(12).toString('hex')}`;
  const expectedAuth = `Basic ${Buffer.from(credential).toString('base64')}`;
  const projects = new Set(options.projects ?? ['SEC']);
  const issues: JiraIssue[] = [];
  let base = '';
  const view = (i: JiraIssue): Record<string, unknown> => ({
    id: i.id,
    key: i.key,
    self: `${base}/rest/api/3/issue/${i.id}`,
    fields: { summary: i.summary, status: { name: i.status }, labels: i.labels, project: { key: i.project }, issuetype: { name: i.issueType } },
  });
  const find = (keyOrId: string): JiraIssue | undefined => issues.find((i) => i.key === keyOrId || i.id === keyOrId);
  const notFound = (): StubReply => jiraError(404, ['Issue does not exist or you do not have permission to see it.']);

  const create = (body: unknown): StubReply => {
    const fields = asRecord(asRecord(body).fields);
    const errors: Record<string, string> = {};
    const project = asRecord(fields.project).key;
    if (typeof project !== 'string' || !projects.has(project)) errors.project = 'Specify a valid project ID or key';
    if (typeof fields.summary !== 'string' || fields.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    const type = asRecord(fields.issuetype).name;
    if (typeof type !== 'string' || !ISSUE_TYPES.has(type)) errors.issuetype = 'Specify a valid issue type';
    if (fields.description !== undefined && !isAdf(fields.description)) errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    const labels = fields.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || /\s/.test(l) || l.length > 255)) errors.labels = 'Labels must be strings without spaces.';
    if (Object.keys(errors).length > 0) return jiraError(400, [], errors);
    const n = issues.filter((i) => i.project === project).length + 1;
    const issue: JiraIssue = { id: String(10000 + issues.length + 1), key: `${String(project)}-${n}`, project: String(project), issueType: String(type), summary: String(fields.summary), description: fields.description, labels: labels as string[], status: 'To Do' };
    issues.push(issue);
    return { status: 201, body: { id: issue.id, key: issue.key, self: `${base}/rest/api/3/issue/${issue.id}` } };
  };

  const search = (req: StubRequest): StubReply => {
    const parsed = parseJql(req.query.get('jql') ?? '');
    if (typeof parsed === 'string') return jiraError(400, [parsed]);
    const hits = issues.filter((i) => parsed.every((c) => (c.field === 'labels' ? i.labels.includes(c.value) : i.project === c.value)));
    return { status: 200, body: { startAt: 0, maxResults: 50, total: hits.length, issues: hits.map(view) } };
  };

  const transition = (issue: JiraIssue, body: unknown): StubReply => {
    const id = asRecord(asRecord(body).transition).id;
    const t = TRANSITIONS.find((x) => x.id === String(id));
    if (!t) return jiraError(400, [`Transition id '${String(id)}' is not valid for this issue.`]);
    issue.status = t.to;
    return { status: 204 };
  };

  const route = (req: StubRequest, raw: Readonly<Record<string, string>>): StubReply => {
    if (raw.authorization !== expectedAuth) return jiraError(401, ['Client must be authenticated to access this resource.']);
    if (req.path === '/rest/api/3/issue' && req.method === 'POST') return create(req.body);
    if (req.path === '/rest/api/3/search' && req.method === 'GET') return search(req);
    const m = /^\/rest\/api\/3\/issue\/([^/]+)(\/transitions)?$/.exec(req.path);
    if (!m) return jiraError(404, ['Not found']);
    const issue = find(decodeURIComponent(m[1]!));
    if (!issue) return notFound();
    if (m[2] === undefined) return req.method === 'GET' ? { status: 200, body: view(issue) } : jiraError(405, ['Method not allowed']);
    if (req.method === 'GET') return { status: 200, body: { transitions: TRANSITIONS.map((t) => ({ id: t.id, name: t.name, to: { name: t.to } })) } };
    return req.method === 'POST' ? transition(issue, req.body) : jiraError(405, ['Method not allowed']);
  };
  const stub = await startStub(route, { ...options, faultBody: (s) => ({ errorMessages: [s === 429 ? 'Rate limit exceeded.' : 'Internal server error'], errors: {} }) });
  base = stub.url;
  return {
    name: 'jira',
    address: stub.url,
    credential,
    connection: { address: stub.url, credential },
    faults: stub.faults,
    calls: stub.calls,
    issues: () => issues.map((i) => ({ ...i })),
    close: stub.close,
  };
}
