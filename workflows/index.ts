/** The workflows the worker registers (its `workflowsPath`). */
export { IncidentWorkflow } from './incident';
export { RegulatoryClockWorkflow } from './regulatory-clock';
