import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { act, incidentPath, type ActionAnswer, type Clock } from '../api';
import { countdown, local, localZone, utc } from '../format';
import { useNow } from '../live';
import { Answer } from './answer';

/** Stage states that no longer count down. */
const SETTLED = new Set(['filed', 'not-notifiable']);

/** Files one stage with the authority's reference. */
function FileStage({ incidentId, clock, late, onAnswer }: { incidentId: string; clock: Clock; late: boolean; onAnswer: (a: ActionAnswer) => void }) {
  const [reference, setReference] = useState('');
  const [lateReason, setLateReason] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="file"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        void act(incidentPath(incidentId, '/file'), { regime: clock.regime, stage: clock.stage, reference: reference.trim(), ...(late && lateReason.trim() ? { lateReason: lateReason.trim() } : {}) }).then((a) => {
          setBusy(false);
          onAnswer(a);
        });
      }}
    >
      <label>
        Authority reference for {clock.regime} {clock.stage}{' '}
        <input name="reference" required value={reference} onInput={(e) => setReference(e.currentTarget.value)} />
      </label>{' '}
      {late && (
        <label>
          Why late{' '}
          <input name="lateReason" required value={lateReason} onInput={(e) => setLateReason(e.currentTarget.value)} />
        </label>
      )}{' '}
      <button type="submit" disabled={busy || !reference.trim() || (late && !lateReason.trim())}>
        File {clock.regime} {clock.stage}
      </button>
    </form>
  );
}

/**
 * Every regulatory stage with its deadline in UTC and in the browser's time zone, and a countdown
 * that ticks every second until the stage is filed or otherwise settled.
 */
export function Clocks({ incidentId, clocks, canFile, onDone }: { incidentId: string; clocks: Clock[]; canFile: boolean; onDone: () => void }) {
  const now = useNow(1000);
  const [answer, setAnswer] = useState<ActionAnswer>();
  const onAnswer = (a: ActionAnswer): void => {
    setAnswer(a);
    if (a.ok) onDone();
  };
  if (clocks.length === 0) return <p class="empty">No regulatory clock runs for this incident.</p>;
  return (
    <>
    <Answer answer={answer} />
    <table class="clocks">
      <caption class="sub">Local time zone: {localZone()}</caption>
      <thead>
        <tr>
          <th scope="col">Regime</th>
          <th scope="col">Stage</th>
          <th scope="col">Due (UTC)</th>
          <th scope="col">Due (local)</th>
          <th scope="col">Time left</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {clocks.map((c) => {
          const settled = SETTLED.has(c.state) || Boolean(c.filedAt);
          const left = c.dueAt ? countdown(c.dueAt, now) : { text: 'not started', overdue: false };
          return (
            <Fragment key={`${c.regime}:${c.stage}`}>
              <tr data-clock={`${c.regime}:${c.stage}`}>
                <td>{c.regime}</td>
                <td>
                  {c.stage}
                  <div class="sub">{c.rule}</div>
                </td>
                <td>
                  {c.dueAt ? <time dateTime={c.dueAt}>{utc(c.dueAt)}</time> : '—'}
                </td>
                <td>{c.dueAt ? local(c.dueAt) : '—'}</td>
                <td class={settled ? 'countdown settled' : left.overdue ? 'countdown overdue' : 'countdown'} aria-live="off">
                  {settled ? '—' : left.text}
                </td>
                <td>
                  {c.state}
                  {c.filedAt && <div class="sub">filed {utc(c.filedAt)}</div>}
                  {c.reference && <div class="sub">ref. {c.reference}</div>}
                </td>
              </tr>
              {canFile && !settled && (
                <tr class="file-row">
                  <td colSpan={6}>
                    <FileStage incidentId={incidentId} clock={c} late={left.overdue || c.state === 'missed'} onAnswer={onAnswer} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
    </>
  );
}
