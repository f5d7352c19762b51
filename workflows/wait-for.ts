import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import { refuseDecision, type WaitForDecision, type WaitForParams } from '../src/actions/wait-for';
import { parseDuration } from '../src/domain/duration';

/*
 * `wait-for` (issue 17, item 3): a human decision with a timeout, the one generic action that
 * needs the workflow. The registry's generic path runs an activity and cannot wait on an Update,
 * so this module is what the incident workflow calls for a `wait-for` step:
 *
 *   const gate = new WaitForGate();   // once per run, before the first step
 *   gate.install();                   // registers the Update handler (a new handler: no patch)
 *   const outcome = await gate.wait(step.id, step.params);   // behind patched('wait-for-v1')
 *
 * `wait` is new commands (a timer through `condition` with a timeout), so the call site must be
 * behind `patched()`; installing the handler changes no command. NOT YET WIRED into
 * IncidentWorkflow (see the generic-actions report).
 */

/** What a decision Update answers. */
export interface WaitForAnswer {
  accepted: true;
  stepId: string;
  answer: string;
}

/** Operators answer a waiting `wait-for` step (Slack, CLI); the validator refuses a wrong step, answer or role. */
export const waitForDecisionUpdate = defineUpdate<WaitForAnswer, [WaitForDecision]>('waitForDecision');

/** How a `wait-for` step ended. */
export interface WaitForOutcome {
  answer: string;
  /** `timeout` when nobody decided in time and `onTimeout` was taken. */
  by: 'decision' | 'timeout';
  decidedBy?: string;
  reason?: string;
}

/** The waiting step of a run and the decision it got. Deterministic: workflow state only. */
export class WaitForGate {
  private waiting: { stepId: string; params: WaitForParams } | undefined;
  private decision: WaitForDecision | undefined;

  /** Registers the decision Update. Call once per run. */
  install(): void {
    setHandler(
      waitForDecisionUpdate,
      (d) => {
        this.decision = d;
        return { accepted: true, stepId: d.stepId, answer: d.answer };
      },
      {
        validator: (d) => {
          // The validator runs before the Update enters history: a refusal leaves no trace.
          const why = refuseDecision(this.waiting, d);
          if (why !== undefined) throw new Error(why);
          if (this.decision !== undefined) throw new Error(`stepId: ${d.stepId} has been decided already`);
        },
      },
    );
  }

  /** Waits for a decision on `stepId` or the step's timeout, whichever comes first. */
  async wait(stepId: string, params: WaitForParams): Promise<WaitForOutcome> {
    this.waiting = { stepId, params };
    this.decision = undefined;
    try {
      const decided = await condition(() => this.decision !== undefined, parseDuration(params.timeout ?? '1h'));
      const d = this.decision as WaitForDecision | undefined; // set by the Update handler while waiting
      if (decided && d) return { answer: d.answer, by: 'decision', decidedBy: d.decidedBy, ...(d.reason !== undefined ? { reason: d.reason } : {}) };
      const options = params.options ?? ['proceed', 'stop'];
      return { answer: params.onTimeout ?? options.at(-1) ?? 'stop', by: 'timeout' };
    } finally {
      this.waiting = undefined;
    }
  }
}
