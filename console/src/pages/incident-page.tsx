import { useRef } from 'preact/hooks';
import { getJson, incidentPath, type IncidentDetail, type TimelineEntry } from '../api';
import { Clocks } from '../components/clocks';
import { CloseIncident } from '../components/close-incident';
import { Decisions } from '../components/decisions';
import { Questions } from '../components/questions';
import { EvidenceProgress } from '../components/evidence';
import { ForensicChart } from '../components/forensic-chart';
import { Steps } from '../components/steps';
import { Timeline } from '../components/timeline';
import { utc } from '../format';
import { useLive, useLoad } from '../live';

/** Whether a live event concerns this incident (or cannot tell, e.g. a malformed event). */
function concerns(id: string, detail: IncidentDetail | undefined, eventIncident: string | undefined): boolean {
  return !eventIncident || eventIncident === id || eventIncident === detail?.incident.incidentId || eventIncident === detail?.incident.workflowId;
}

/**
 * One incident (`id` is the list's `workflowId`, the id the API takes, also for actions): what happened, what runs, what waits for whom, the regulatory deadlines, what the
 * attacker read and how much of it is preserved. It reloads when the live stream reports an event
 * of this incident, and after an action the server accepted.
 */
export function IncidentPage({ id }: { id: string }) {
  const live = useLive();
  // The last version of the stream that concerned this incident: other incidents' events do not reload it.
  const seen = useRef({ version: 0, detail: undefined as IncidentDetail | undefined });
  if (live.version !== seen.current.version && concerns(id, seen.current.detail, live.last?.incidentId)) seen.current.version = live.version;
  const relevant = seen.current.version;
  const detail = useLoad(() => getJson<IncidentDetail>(incidentPath(id)), [id, relevant]);
  seen.current.detail = detail.data;
  const timeline = useLoad(() => getJson<{ entries: TimelineEntry[] }>(incidentPath(id, '/timeline')), [id, relevant]);
  const reload = (): void => {
    detail.reload();
    timeline.reload();
  };
  const d = detail.data;
  if (!d)
    return detail.error ? (
      <p class="error" role="alert">
        {detail.error}
      </p>
    ) : (
      <p aria-busy="true">Loading…</p>
    );
  const { incident } = d;
  return (
    <article aria-labelledby="incident-title" data-incident={incident.incidentId}>
      <p>
        <a href="#/incidents">← Incidents</a>
      </p>
      <h1 id="incident-title">{incident.title || incident.incidentId}</h1>
      <dl class="facts">
        <dt>Incident</dt>
        <dd>{incident.incidentId}</dd>
        <dt>Status</dt>
        <dd data-field="status">{incident.status}</dd>
        <dt>Severity</dt>
        <dd>
          <span class={`severity severity-${incident.severity}`}>{incident.severity}</span>
        </dd>
        <dt>Principal</dt>
        <dd>{incident.principal ?? '—'}</dd>
        <dt>Opened</dt>
        <dd>{utc(incident.openedAt)}</dd>
        {incident.closedAt && (
          <>
            <dt>Closed</dt>
            <dd>{utc(incident.closedAt)}</dd>
          </>
        )}
      </dl>
      {detail.error && (
        <p class="error" role="alert">
          Refresh failed: {detail.error}
        </p>
      )}
      <section aria-labelledby="decisions-title">
        <h2 id="decisions-title">Waiting for a decision</h2>
        <Decisions incidentId={id} pending={d.pending} can={d.can} onDone={reload} />
        <Questions incidentId={id} questions={d.questions ?? []} onDone={reload} />
        {d.can.close && incident.status !== 'closed' && <CloseIncident incidentId={id} onDone={reload} />}
      </section>
      <section aria-labelledby="clocks-title">
        <h2 id="clocks-title">Regulatory deadlines</h2>
        <Clocks incidentId={id} clocks={d.clocks} canFile={d.can.file} onDone={reload} />
      </section>
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        <Steps steps={d.steps} />
      </section>
      <section aria-labelledby="window-title" id="forensic-window">
        <h2 id="window-title">Forensic window</h2>
        {d.window && d.window.partitions.length > 0 ? <ForensicChart partitions={d.window.partitions} /> : <p class="empty">Forensics has not established the window yet.</p>}
        {d.window?.unplaced?.map((u) => (
          <p class="unplaced" role="note" key={u.topic}>
            {u.topic}: {u.statement}
          </p>
        ))}
      </section>
      <section aria-labelledby="evidence-title">
        <h2 id="evidence-title">Evidence</h2>
        <EvidenceProgress evidence={d.evidence} />
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        {timeline.data ? <Timeline entries={timeline.data.entries} /> : <p aria-busy="true">Loading…</p>}
      </section>
    </article>
  );
}
