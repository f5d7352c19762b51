import type { ActionName } from '../src/domain/events';
import type { CarriedCompensation, StepOutput } from '../src/domain/step-contract';

/** One undo the saga can run: it returns the events of the compensation (e.g. StepCompensated). */
export interface Compensation {
  stepId: string;
  action: ActionName;
  /** What the undo does, for logs and the channel. */
  description: string;
  undo: () => Promise<StepOutput>;
  /** The same undo as data, so a run that continues as new hands it on (see continuation.ts). */
  carry: CarriedCompensation;
}

/**
 * Remediation that can be undone pushes its undo here; unwinding runs them newest first, so
 * breakers close before access is restored, the reverse of the order they were applied in.
 */
export class Saga {
  private readonly stack: Compensation[] = [];

  push(compensation: Compensation): void {
    this.stack.push(compensation);
  }

  /** Removes a step's undo once it has been done by other means (breakers closed at close). */
  drop(stepId: string): void {
    const index = this.stack.findIndex((c) => c.stepId === stepId);
    if (index >= 0) this.stack.splice(index, 1);
  }

  /** Every undo still to run, oldest first, as data. */
  carried(): CarriedCompensation[] {
    return this.stack.map((c) => c.carry);
  }

  get size(): number {
    return this.stack.length;
  }

  /** Pops and runs every undo, newest first; `onDone` receives each one's output. */
  async unwind(onDone: (c: Compensation, output: StepOutput) => void): Promise<void> {
    for (let c = this.stack.pop(); c !== undefined; c = this.stack.pop()) onDone(c, await c.undo());
  }
}
