import type { Step } from '../api';

const STATE_LABEL: Record<string, string> = {
  pending: 'pending',
  'awaiting-approval': 'awaiting approval',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  skipped: 'skipped',
  'needs-attention': 'needs attention',
};

/** The runbook's steps in order, each with its state in words (colour only repeats it). */
export function Steps({ steps }: { steps: Step[] }) {
  return (
    <ol class="steps">
      {steps.map((s) => (
        <li key={s.id} data-step={s.id} data-state={s.state}>
          <span class={`state state-${s.state}`}>{STATE_LABEL[s.state] ?? s.state}</span> <strong>{s.title || s.id}</strong>{' '}
          <span class="sub">
            {s.action}
            {s.approval && s.approval !== 'none' ? ` · approval: ${s.approval}` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
