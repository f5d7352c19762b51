import type { GenericActionDefinition } from './action-registry';
import { NAME_PATTERN } from './runbook-patterns';

/** Parameters of `annotate`, with defaults applied. */
export interface AnnotateParams extends Record<string, unknown> {
  note: string;
  label: string;
}

/** The longest note: a runbook remark, not a document. */
export const MAX_NOTE_LENGTH = 2000;

/**
 * `annotate`: records a note on the incident's audit trail (e.g. "customer data team paged by
 * phone"). The first generic action: it needs no workflow code, only this definition and its
 * activities (`activities/annotate.ts`). Compensating retracts the note (the retraction is recorded;
 * the trail itself is append-only).
 */
export const annotateAction: GenericActionDefinition<AnnotateParams> = {
  kind: 'generic',
  name: 'annotate',
  summary: 'Record a note on the incident’s audit trail',
  // An annotation does not move the incident forward: `open` is the lowest rank.
  phase: { started: 'open', completed: 'open' },
  defaultTimeout: '30s',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['note'],
    properties: {
      note: { type: 'string', minLength: 1, maxLength: MAX_NOTE_LENGTH, description: 'The note, as it will appear in the audit trail and the report.' },
      label: { type: 'string', pattern: NAME_PATTERN, default: 'note', description: 'A short name to find the note by.' },
    },
  },
  plan: (p) => [`record note "${p.label}" on the audit trail: ${p.note}`],
  activity: 'annotateIncident',
  compensation: 'retractAnnotation',
};
