import { useState } from 'preact/hooks';
import { act, incidentPath, type ActionAnswer, type Can, type Pending } from '../api';
import { Answer } from './answer';

/** One pending step: approve, or deny with a reason; each button only when the user may. */
function PendingStep({ incidentId, pending, can, onAnswer }: { incidentId: string; pending: Pending; can: Can; onAnswer: (a: ActionAnswer) => void }) {
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (path: string, body: Record<string, unknown>): Promise<void> => {
    setBusy(true);
    const a = await act(incidentPath(incidentId, path), body);
    setBusy(false);
    onAnswer(a);
    if (a.ok) setDenying(false);
  };
  return (
    <li class="pending" data-step={pending.stepId} data-approval={pending.approvalId}>
      <div>
        <strong>{pending.title || pending.stepId}</strong>
        {pending.breaker && <> (closing breaker {pending.breaker})</>} waits for approval by <em>{pending.requiredRole}</em>.
      </div>
      <div class="buttons">
        {can.approve && (
          <button type="button" disabled={busy} onClick={() => void run('/approve', { stepId: pending.approvalId })}>
            Approve {pending.stepId}
          </button>
        )}
        {can.deny && !denying && (
          <button type="button" class="secondary" disabled={busy} onClick={() => setDenying(true)}>
            Deny {pending.stepId}…
          </button>
        )}
      </div>
      {denying && (
        <form
          class="deny"
          onSubmit={(e) => {
            e.preventDefault();
            void run('/deny', { stepId: pending.approvalId, reason: reason.trim() });
          }}
        >
          <label>
            Reason for denying {pending.stepId}
            <textarea name="reason" required minLength={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy || !reason.trim()}>
            Deny
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setDenying(false)}>
            Cancel
          </button>
        </form>
      )}
    </li>
  );
}

/**
 * Steps waiting for a decision, with the buttons the user's role allows. The server's last answer
 * stays shown after the step it concerned has left the list.
 */
export function Decisions({ incidentId, pending, can, onDone }: { incidentId: string; pending: Pending[]; can: Can; onDone: () => void }) {
  const [answer, setAnswer] = useState<ActionAnswer>();
  const onAnswer = (a: ActionAnswer): void => {
    setAnswer(a);
    if (a.ok) onDone();
  };
  return (
    <>
      <Answer answer={answer} />
      {pending.length === 0 ? (
        <p class="empty">No step is waiting for approval.</p>
      ) : (
        <>
          {!can.approve && !can.deny && <p class="note">Your role may not approve or deny steps of this incident.</p>}
          <ul class="pending-list">
            {pending.map((p) => (
               <PendingStep key={p.approvalId} incidentId={incidentId} pending={p} can={can} onAnswer={onAnswer} />
            ))}
          </ul>
        </>
      )}
    </>
  );
}
