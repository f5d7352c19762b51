import { useState } from 'preact/hooks';
import { act, incidentPath, type ActionAnswer, type Question } from '../api';
import { Answer } from './answer';

/**
 * Questions of wait-for steps (issue 17): one button per answer, shown only to users whose role
 * may answer (the same policy as Slack); the workflow's own refusal is shown as the answer.
 */
export function Questions({ incidentId, questions, onDone }: { incidentId: string; questions: Question[]; onDone: () => void }) {
  const [answer, setAnswer] = useState<ActionAnswer>();
  const [busy, setBusy] = useState(false);
  if (questions.length === 0) return null;
  const decide = async (stepId: string, choice: string): Promise<void> => {
    setBusy(true);
    const a = await act(incidentPath(incidentId, '/decide'), { stepId, answer: choice });
    setBusy(false);
    setAnswer(a);
    if (a.ok) onDone();
  };
  return (
    <>
      <Answer answer={answer} />
      <ul class="pending-list">
        {questions.map((q) => (
          <li class="pending" key={q.stepId} data-question={q.stepId}>
            <div>
              <strong>{q.question}</strong> (step {q.stepId}, answered by <em>{q.requiredRole}</em>; at {q.deadline} it takes “{q.onTimeout}”)
            </div>
            {q.canAnswer ? (
              <div class="buttons">
                {q.options.map((o) => (
                  <button type="button" key={o} disabled={busy} onClick={() => void decide(q.stepId, o)}>
                    {o}
                  </button>
                ))}
              </div>
            ) : (
              <p class="note">Your role may not answer this question.</p>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
