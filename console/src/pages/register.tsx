import { getJson } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { utc } from '../format';
import { useLive, useLoad } from '../live';

/** A register row as the server sends it (GDPR Art. 33(5) documentation of one incident). */
type RegisterRow = Record<string, unknown> & { incidentId?: string };

/** Columns shown first, in this order; any other field the server adds follows. */
const KNOWN = ['incidentId', 'title', 'severity', 'status', 'openedAt', 'closedAt', 'awareAt', 'notifiable', 'regimes', 'filings', 'missedDeadlines', 'resolution'];
const TIMES = new Set(['openedAt', 'closedAt', 'awareAt']);

function cell(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (TIMES.has(key) && typeof value === 'string') return utc(value);
  if (Array.isArray(value)) return value.length ? value.map(String).join('; ') : '—';
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('; ');
  return String(value);
}

function columns(rows: RegisterRow[]): string[] {
  const present = new Set(rows.flatMap((r) => Object.keys(r)));
  return [...KNOWN.filter((k) => present.has(k)), ...[...present].filter((k) => !KNOWN.includes(k) && !['facts', 'effects', 'remedialAction', 'decisions', 'unknownEvents', 'awarenessDetermined'].includes(k))];
}

/** The breach register, with the CSV the DPO keeps (a plain download: the session cookie authorises it). */
export function Register() {
  const live = useLive();
  const { data, error } = useLoad(() => getJson<{ rows: RegisterRow[] }>('/api/register'), [live.version]);
  const rows = data?.rows;
  return (
    <section aria-labelledby="register-title">
      <h1 id="register-title">Breach register</h1>
      <p>
        <a class="button" href="/api/register.csv" download="breach-register.csv">
          Download CSV
        </a>
      </p>
      <ErrorAlert message={error} />
      {!rows ? (
        <p aria-busy="true">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="empty">The register is empty.</p>
      ) : (
        <div class="scroll">
          <table class="register">
            <thead>
              <tr>
                {columns(rows).map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={r.incidentId ?? i} data-incident={r.incidentId}>
                  {columns(rows).map((c) => (
                    <td key={c}>{cell(c, r[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
