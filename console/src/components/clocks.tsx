import { useState } from 'preact/hooks';
import { act, incidentPath, type ActionAnswer, type Clock } from '../api';
import { countdown, local, localZone, utc } from '../format';
import { useNow } from '../live';
import { Answer } from './answer';

/** Stage states that no longer count down and cannot be filed again. */
const SETTLED = new Set(['filed', 'not-notifiable']);

const keyOf = (c: Clock): string => `${c.regime}:${c.stage}`;

/** Whether a stage is past its due (or recorded as missed): filing it needs a reason. */
function isLate(c: Clock, now: number): boolean {
  return c.state === 'missed' || (c.dueAt !== null && Date.parse(c.dueAt) < now);
}

/**
 * One form to file any open stage with the authority's reference (and the reason, when late);
 * the answer is the workflow's own, shown as it comes.
 */
function FileForm({ incidentId, open, now, onAnswer }: { incidentId: string; open: Clock[]; now: number; onAnswer: (a: ActionAnswer) => void }) {
  // The stage due soonest first: that is usually the one being filed.
  const [chosen, setChosen] = useState(() => keyOf([...open].sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'))[0] ?? open[0]!));
  const [reference, setReference] = useState('');
  const [lateReason, setLateReason] = useState('');
  const [busy, setBusy] = useState(false);
  const clock = open.find((c) => keyOf(c) === chosen) ?? open[0];
  if (!clock) return null;
  const late = isLate(clock, now);
  return (
    <form
      class="file"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        const body = { regime: clock.regime, stage: clock.stage, reference: reference.trim(), ...(late && lateReason.trim() ? { lateReason: lateReason.trim() } : {}) };
        void act(incidentPath(incidentId, '/file'), body).then((a) => {
          setBusy(false);
          onAnswer(a);
          if (a.ok) setReference('');
        });
      }}
    >
      <label>
        Stage{' '}
        <select name="stage" value={keyOf(clock)} onChange={(e) => setChosen(e.currentTarget.value)}>
          {open.map((c) => (
            <option key={keyOf(c)} value={keyOf(c)}>
              {c.regime} {c.stage}
            </option>
          ))}
        </select>
      </label>
      <label>
        Authority reference <input name="reference" required value={reference} onInput={(e) => setReference(e.currentTarget.value)} />
      </label>
      {late && (
        <label>
          Why late <input name="lateReason" required value={lateReason} onInput={(e) => setLateReason(e.currentTarget.value)} />
        </label>
      )}
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
  if (clocks.length === 0) return <p class="empty">No regulatory clock runs for this incident (or your role may not see them).</p>;
  const open = clocks.filter((c) => !SETTLED.has(c.state) && !c.filedAt);
  return (
    <>
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
              <tr key={keyOf(c)} data-clock={keyOf(c)}>
                <td>{c.regime}</td>
                <td>
                  {c.stage}
                  <div class="sub rule" title={c.rule}>
                    {c.rule}
                  </div>
                </td>
                <td>{c.dueAt ? <time dateTime={c.dueAt}>{utc(c.dueAt)}</time> : '—'}</td>
                <td>{c.dueAt ? local(c.dueAt) : '—'}</td>
                <td class={settled ? 'countdown settled' : left.overdue ? 'countdown overdue' : c.dueAt ? 'countdown' : 'countdown unknown'}>{settled ? '—' : left.text}</td>
                <td>
                  {c.state}
                  {c.filedAt && <div class="sub">filed {utc(c.filedAt)}</div>}
                  {c.reference && <div class="sub">ref. {c.reference}</div>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {canFile && open.length > 0 && <FileForm incidentId={incidentId} open={open} now={now} onAnswer={onAnswer} />}
      <Answer answer={answer} />
    </>
  );
}
