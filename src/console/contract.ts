/**
 * The incident console's HTTP contract (issue 16, item 3): the JSON bodies of `/api/…`, shared by
 * the server (src/console) and the browser front end. Paths and field names are a contract with
 * the front end; a change is written down before it is made.
 *
 * Times are ISO-8601 UTC strings. Record and byte counts of Kafka windows are decimal strings
 * (they can exceed 2^53).
 */

/** `POST /api/session` (200), `GET /api/session`. */
export interface SessionBody {
  /** Slack user id the session is bound to. */
  user: string;
  /** The user's breachline roles (one today; a list so a user may hold several later). */
  roles: string[];
  /** Sent back in `X-CSRF-Token` on every POST/DELETE. */
  csrfToken: string;
  expiresAt: string;
}

/** Any 4xx/5xx answer. `field` names the offending body field or query parameter on a 400. */
export interface ErrorBody {
  error: string;
  field?: string;
}

/** Query parameters of `GET /api/incidents`. */
export type IncidentStatusFilter = 'open' | 'closed' | 'all';
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** One row of `GET /api/incidents`. */
export interface IncidentListItem {
  incidentId: string;
  /**
   * The id to use in `/api/incidents/:id`: the Temporal workflow id, except for a closed later
   * generation of a re-opened fingerprint, where it is the incident id (`incident-<fp>.<n>`).
   */
  workflowId: string;
  title: string;
  /** The incident's lifecycle status (`open`, `containing`, … `closed`). */
  status: string;
  severity: string;
  openedAt: string;
  pendingApprovals: number;
  principal?: string;
}

/** `GET /api/incidents`. */
export interface IncidentListBody {
  incidents: IncidentListItem[];
}

/**
 * A step's state: the fold's own status (`approved`, `denied`, `planned` and `compensated` besides
 * the common ones), or `needs-attention` while an operator's decision (retry, skip, abort) is awaited.
 */
export type ConsoleStepState = 'pending' | 'awaiting-approval' | 'approved' | 'denied' | 'planned' | 'running' | 'completed' | 'failed' | 'skipped' | 'compensated' | 'needs-attention';

/** One runbook step. */
export interface StepView {
  id: string;
  action: string;
  /** A readable title: the step id and its action. */
  title: string;
  state: ConsoleStepState;
  /** The role the runbook gates the step on, or `none`. */
  approval: string;
}

/** One stage of one regime's regulatory clock. */
export interface ClockStageView {
  regime: string;
  authority: string;
  stage: string;
  /** Null while the stage's anchor is unknown (e.g. before classification). */
  dueAt: string | null;
  state: 'pending' | 'filed' | 'missed' | 'not-notifiable';
  filedAt?: string;
  reference?: string;
  /** The rule the due follows, e.g. `GDPR Art. 33(1)`. */
  rule: string;
}

/** One partition of the forensic window: what the attacker read. */
export interface WindowPartitionView {
  topic: string;
  partition: number;
  fromOffset: string;
  toOffset: string;
  /** ISO times of the first and last record read; null when not known. */
  fromTime: string | null;
  toTime: string | null;
  records: string;
  precision: 'exact' | 'bounded' | 'time-derived';
  sources: string[];
}

/** Writes of the principal to one topic the forensics could not place: that topic's window is a lower bound. */
export interface UnplacedWritesView {
  topic: string;
  count: number;
  /** The statement the report prints: count, reason, partitions, times. */
  statement: string;
}

/** Evidence replay progress. */
export interface EvidenceView {
  records: string;
  /** Bytes preserved so far. */
  bytes: string;
  totalRecords?: string;
  ratePerSecond?: number;
  etaSeconds?: number;
  done: boolean;
}

/** An approval waiting for a decision. */
export interface PendingView {
  stepId: string;
  /** The approval's own id (a breaker's approval shares its step's id); accepted as `stepId` too. */
  approvalId: string;
  /** Set when the approval is for closing one circuit breaker rather than for the step. */
  breaker?: string;
  title: string;
  requiredRole: string;
}

/** `GET /api/incidents/:id`. */
export interface IncidentDetailBody {
  incident: {
    incidentId: string;
    workflowId: string;
    title: string;
    status: string;
    severity: string;
    principal: string;
    openedAt: string;
    closedAt?: string;
  };
  steps: StepView[];
  clocks: ClockStageView[];
  // Unplaced writes (access: write): `unplaced` is absent when there are none, so older bodies keep their shape.
  window: { partitions: WindowPartitionView[]; unplaced?: UnplacedWritesView[] } | null;
  evidence: EvidenceView | null;
  pending: PendingView[];
  /** What this session's user may do here, decided by the same policies as Slack. */
  can: { approve: boolean; deny: boolean; file: boolean; close: boolean };
  // wait-for (issue 17): absent when no question is open, so older bodies keep their shape.
  /** Questions of wait-for steps waiting for an answer. */
  questions?: QuestionItemView[];
}

/** A wait-for question waiting for an answer (issue 17); `POST /api/incidents/:id/decide` answers it. */
export interface QuestionItemView {
  stepId: string;
  question: string;
  options: string[];
  requiredRole: string;
  onTimeout: string;
  deadline: string;
  /** Whether this session's user may answer it (the `approve` permission on a step gated on its role). */
  canAnswer: boolean;
}

/** One line of `GET /api/incidents/:id/timeline`. */
export interface TimelineEntryView {
  at: string;
  type: string;
  summary: string;
  /** Slack user id (or system id) that caused the event. */
  actor?: string;
}

/** `GET /api/incidents/:id/timeline`, oldest first. */
export interface TimelineBody {
  entries: TimelineEntryView[];
}

/** Bodies of the actions. */
export interface ApproveRequest {
  stepId: string;
}
export interface DenyRequest {
  stepId: string;
  reason: string;
}
export interface FileRequest {
  regime: string;
  stage: string;
  reference: string;
  /** Required by the workflow when the stage is filed after its due. */
  lateReason?: string;
}

/** `POST /api/incidents/:id/close` (added after the first cut; see the contract changes note). */
export interface CloseRequest {
  /** Recorded on `IncidentClosed`. */
  resolution: string;
}

/** 200 answer of an action: the workflow's own acceptance message. */
export interface ActionBody {
  accepted: true;
  message: string;
}

/** One drill of `GET /api/drills`. */
export interface DrillView {
  id: string;
  scenario: string;
  startedAt: string;
  /** 0–100; null while the drill runs or if it failed. */
  score: number | null;
  passed: boolean | null;
}

/** `GET /api/drills`, oldest first. */
export interface DrillsBody {
  drills: DrillView[];
}

/** Data of an `event: incident` on `GET /api/stream`. */
export interface StreamIncidentEvent {
  incidentId: string;
  type: string;
  seq: number;
  at: string;
}
