import { APPROVE } from './approve';
import { ABORT, RETRY, SKIP } from './attention';
import { BREAKER } from './breaker';
import { CLOSE } from './close';
import type { SubcommandSpec } from './context';
import { DENY } from './deny';
import { DRILL } from './drill';
import { LIST } from './list';
import { NOTIFY } from './notify';
import { PLAN } from './plan';
import { REPORT } from './report';
import { STATUS } from './status';
import { TIMELINE } from './timeline';
// Regulatory clocks (issue 10).
import { AWARE } from './aware';
import { CLASSIFY } from './classify';
import { CLOCKS } from './clocks';
import { MATERIAL } from './material';
import { NOT_NOTIFIABLE } from './not-notifiable';
import { SUBJECTS } from './subjects';
// Operator actions (issue 16).
import { SEVERITY } from './severity';
// The incident console (issue 16, item 3).
import { CONSOLE } from './console';
// War room: notes, tasks and follow-ups (issue 16).
import { FOLLOW_UP, NOTE, TASK } from './notes';
// wait-for answers (issue 17).
import { DECIDE } from './decide';

/** The incident operations subcommands, in the order `/ir help` lists them. */
export const OPERATION_SUBCOMMANDS: readonly SubcommandSpec[] = [
  LIST,
  STATUS,
  TIMELINE,
  PLAN,
  APPROVE,
  DENY,
  // Decisions when an incident needs attention (issue 9).
  RETRY,
  SKIP,
  ABORT,
  BREAKER,
  NOTIFY,
  REPORT,
  DRILL,
  CLOSE,
  // Regulatory clocks (issue 10).
  CLOCKS,
  AWARE,
  CLASSIFY,
  MATERIAL,
  NOT_NOTIFIABLE,
  SUBJECTS,
  // Operator actions (issue 16).
  SEVERITY,
  // The incident console (issue 16, item 3).
  CONSOLE,
  // War room: notes, tasks and follow-ups (issue 16).
  NOTE,
  TASK,
  FOLLOW_UP,
  // wait-for answers (issue 17).
  DECIDE,
];
