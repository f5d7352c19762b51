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

/** The incident operations subcommands, in the order `/ir help` lists them. */
export const OPERATION_SUBCOMMANDS: readonly SubcommandSpec[] = [LIST, STATUS, TIMELINE, PLAN, APPROVE, DENY, RETRY, SKIP, ABORT, BREAKER, NOTIFY, REPORT, DRILL, CLOSE];
