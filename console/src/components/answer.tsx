import type { ActionAnswer } from '../api';

/** The server's answer to an action, verbatim: acceptance in green, refusal in red (announced). */
export function Answer({ answer }: { answer?: ActionAnswer }) {
  if (!answer) return null;
  return (
    <p class={answer.ok ? 'answer accepted' : 'answer refused'} role={answer.ok ? 'status' : 'alert'} data-status={answer.status}>
      {answer.ok ? 'Accepted: ' : `Refused (${answer.status || 'no answer'}): `}
      {answer.message}
    </p>
  );
}
