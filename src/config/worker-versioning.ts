import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from './config';

/**
 * Worker versioning (Temporal Worker Deployments). Incidents run for days; a release that changes
 * workflow code must not replay running incidents on code they were not written by. With a
 * deployment name and build id configured, each worker joins that deployment version and every
 * workflow is PINNED: it finishes on the build it started on, new incidents start on the current
 * version. Promote a build with `temporal worker deployment set-current-version`. Without them the
 * workers are unversioned, and compatibility rests on `patched()` and the replayed histories.
 */
export function workerVersioning(config: Config): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  const { deploymentName, buildId } = config.temporal;
  if (deploymentName === undefined || buildId === undefined) return {};
  return { workerDeploymentOptions: { version: { deploymentName, buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' } };
}
