import type { Engine } from './engine';
import type { Run } from './model';
import { EventType } from './proto';
import { scheduleWorkflowTask } from './workflow-task';

/** Arms a workflow timer on the server clock; when due it writes TimerFired. */
export function armTimer(engine: Engine, run: Run, timerId: string, at: number): void {
  const timer = run.timers.get(timerId);
  if (!timer || engine.restoring) return;
  timer.cancel?.();
  const startedId = timer.startedId;
  timer.cancel = engine.clock.setTimer(at, () => {
    const current = run.timers.get(timerId);
    if (run.status !== 'Running' || current?.startedId !== startedId) return;
    // Taken off the pending set now so a cancel arriving while the event is buffered is ignored.
    current.cancel = undefined;
    engine.addExternal(run, [{ event: { eventType: EventType.EVENT_TYPE_TIMER_FIRED, timerFiredEventAttributes: { timerId, startedEventId: startedId } } }], (r) => scheduleWorkflowTask(engine, r));
  });
}

/** Stops a pending timer (CancelTimer command). */
export function cancelTimer(run: Run, timerId: string): void {
  run.timers.get(timerId)?.cancel?.();
}
