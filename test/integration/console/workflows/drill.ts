import { ApplicationFailure } from '@temporalio/workflow';

/**
 * A stand-in for the drill workflow, registered under its type name: it returns the score it is
 * given at once (or fails), so the console's drill history can be read without running a drill.
 */
export async function DrillWorkflow(input: { scenario: string; points: number | null }): Promise<{ points: number; markdown: string; path: string; forensicsExact: boolean; drillId: string; incidentId: string }> {
  if (input.points === null) throw ApplicationFailure.nonRetryable('the drill range could not be seeded');
  return { points: input.points, markdown: '', path: '', forensicsExact: true, drillId: 'stand-in', incidentId: 'stand-in' };
}
