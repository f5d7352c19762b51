/**
 * One worker process of the data-subject scan benchmark (bench/forensics.ts): receives a chunk over
 * IPC, waits for "go", runs `countDataSubjectsInChunk` on it outside Temporal (checkpoints are then
 * no-ops; the work is the same), and reports the records scanned and the time it took.
 */
import { createDataSubjectActivities, type SubjectChunkInput } from '../activities/data-subjects';
import type { KafkaConnection } from '../src/kafka/client';
import { silentLogger } from '../src/log/logger';

interface Job {
  connection: KafkaConnection;
  input: SubjectChunkInput;
}

let job: Job | undefined;
process.on('message', (m: { kind: 'job'; job: Job } | { kind: 'go' }) => {
  if (m.kind === 'job') {
    job = m.job;
    process.send?.({ kind: 'ready' });
    return;
  }
  if (job === undefined) throw new Error('go before job');
  const { connection, input } = job;
  const acts = createDataSubjectActivities({ kafka: connection, logger: silentLogger });
  const start = performance.now();
  acts
    .countDataSubjectsInChunk(input)
    .then((r) => {
      process.send?.({ kind: 'done', records: r.records, ms: performance.now() - start, sketch: r.sketch });
      process.disconnect();
    })
    .catch((err: unknown) => {
      process.send?.({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      process.disconnect();
    });
});
