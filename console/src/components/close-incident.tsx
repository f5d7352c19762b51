import { useState } from 'preact/hooks';
import { act, incidentPath, type ActionAnswer } from '../api';
import { Answer } from './answer';

/**
 * Closing the incident, for users the policies allow: it asks for the resolution first, and shows
 * the workflow's answer as it is (the runbook may refuse while filings or tasks are open).
 */
export function CloseIncident({ incidentId, onDone }: { incidentId: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [resolution, setResolution] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ActionAnswer>();
  return (
    <div class="close-incident">
      {!open ? (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          Close incident…
        </button>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            void act(incidentPath(incidentId, '/close'), { resolution: resolution.trim() }).then((a) => {
              setBusy(false);
              setAnswer(a);
              if (a.ok) {
                setOpen(false);
                onDone();
              }
            });
          }}
        >
          <label>
            Resolution (recorded on the incident)
            <textarea name="resolution" required value={resolution} onInput={(e) => setResolution(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy || !resolution.trim()}>
            Close incident
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      )}
      <Answer answer={answer} />
    </div>
  );
}
