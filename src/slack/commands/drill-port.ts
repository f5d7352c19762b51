/** A drill as `/ir drill list` shows it. */
export interface DrillInfo {
  /** Workflow or schedule id. */
  readonly id: string;
  readonly scenario: string;
  /** `running`, `scheduled`, `completed`, … as the drill side reports it. */
  readonly status: string;
  /** Cron expression, for scheduled drills. */
  readonly cron?: string;
  /** ISO-8601: when it started or will next run. */
  readonly at?: string;
}

/**
 * What `/ir drill …` needs from the drill side (tabletop exercises against the sandbox). The
 * drill helper implements it over DrillWorkflow and Temporal schedules; Slack only delegates.
 */
export interface DrillPort {
  /** Starts a drill of a scenario now; resolves to its id. */
  start(scenario: string): Promise<DrillInfo>;
  /** Schedules a recurring drill; resolves to the schedule. */
  schedule(cron: string, scenario: string): Promise<DrillInfo>;
  /** Running and scheduled drills. */
  list(): Promise<DrillInfo[]>;
}
