import { useState } from 'preact/hooks';
import { getJson, listQuery, type IncidentSummary } from '../api';
import { ErrorAlert } from '../components/error-alert';
import { useLive, useLoad } from '../live';
import { utc } from '../format';

const STATUSES = [
  ['open', 'Open'],
  ['closed', 'Closed'],
  ['all', 'All'],
] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** The incident list with its filters; it reloads whenever the live stream reports an event. */
export function IncidentList() {
  const live = useLive();
  const [filters, setFilters] = useState({ status: 'open', severity: '', q: '' });
  const [typed, setTyped] = useState('');
  const { data, error } = useLoad(() => getJson<{ incidents: IncidentSummary[] }>(`/api/incidents${listQuery(filters)}`), [filters, live.version]);
  const incidents = data?.incidents;
  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">Incidents</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...filters, q: typed });
        }}
      >
        <label>
          Status{' '}
          <select name="status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })}>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity{' '}
          <select name="severity" value={filters.severity} onChange={(e) => setFilters({ ...filters, severity: e.currentTarget.value })}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Text{' '}
          <input name="q" type="search" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} placeholder="title, id, principal" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorAlert message={error} />
      {!incidents ? (
        <p aria-busy="true">Loading…</p>
      ) : incidents.length === 0 ? (
        <p class="empty">No incidents match.</p>
      ) : (
        <table class="incidents">
          <thead>
            <tr>
              <th scope="col">Incident</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">Principal</th>
              <th scope="col">Opened</th>
              <th scope="col">Waiting for approval</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={i.workflowId} data-incident={i.incidentId}>
                <td>
                  <a href={`#/incidents/${encodeURIComponent(i.workflowId)}`}>{i.title || i.incidentId}</a>
                  <div class="sub">{i.incidentId}</div>
                </td>
                <td>
                  <span class={`severity severity-${i.severity}`}>{i.severity}</span>
                </td>
                <td>{i.status}</td>
                <td>{i.principal ?? '—'}</td>
                <td>{utc(i.openedAt)}</td>
                <td class="num">{i.pendingApprovals > 0 ? <strong>{i.pendingApprovals}</strong> : '0'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
