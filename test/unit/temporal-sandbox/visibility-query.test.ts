import { describe, expect, it } from 'vitest';
import {
  compileVisibilityQuery,
  VisibilityQueryError,
  type SearchAttributeType,
  type VisibilityRecord,
} from '../../../src/sandbox/temporal/visibility-query';

const types: Record<string, SearchAttributeType> = {
  CustomKeywordField: 'Keyword',
  CustomTextField: 'Text',
  CustomIntField: 'Int',
  CustomDoubleField: 'Double',
  CustomBoolField: 'Bool',
  CustomDatetimeField: 'Datetime',
  CustomKeywordListField: 'KeywordList',
  'Incident.Severity': 'Keyword',
};
const attributeTypes = (name: string) => types[name];

const T0 = Date.parse('2026-01-01T00:00:00Z');
const records: VisibilityRecord[] = [
  {
    workflowId: 'incident-a',
    runId: 'r1',
    workflowType: 'IncidentWorkflow',
    taskQueue: 'breachline',
    status: 'Running',
    startTime: T0,
    searchAttributes: {
      CustomKeywordField: 'kafka',
      CustomTextField: 'Consumer group leaked PII',
      CustomIntField: 5,
      CustomDoubleField: 1.5,
      CustomBoolField: true,
      CustomDatetimeField: '2026-01-01T12:00:00Z',
      CustomKeywordListField: ['gdpr', 'ccpa'],
    },
  },
  {
    workflowId: 'incident-b',
    runId: 'r2',
    workflowType: 'IncidentWorkflow',
    taskQueue: 'breachline',
    status: 'Completed',
    startTime: T0 + 60_000,
    closeTime: T0 + 120_000,
    searchAttributes: { CustomKeywordField: 'vault', CustomIntField: 10, CustomBoolField: false, CustomKeywordListField: ['gdpr'] },
  },
  {
    workflowId: 'drill-c',
    runId: 'r3',
    workflowType: 'DrillWorkflow',
    taskQueue: 'breachline-drill',
    status: 'Failed',
    startTime: T0 + 30_000,
    closeTime: T0 + 90_000,
    searchAttributes: { 'Incident.Severity': "it's high" },
  },
];

function ids(query: string): string[] {
  const q = compileVisibilityQuery(query, attributeTypes);
  return q.sort(records.filter((r) => q.matches(r))).map((r) => r.workflowId);
}

describe('compileVisibilityQuery', () => {
  it.each([
    ['', ['incident-b', 'drill-c', 'incident-a']],
    ['   ', ['incident-b', 'drill-c', 'incident-a']],
    ["WorkflowId = 'incident-a'", ['incident-a']],
    ['WorkflowId = "incident-a"', ['incident-a']],
    ["`WorkflowId` = 'incident-a'", ['incident-a']],
    ["WorkflowId != 'incident-a'", ['incident-b', 'drill-c']],
    ["WorkflowId <> 'incident-a'", ['incident-b', 'drill-c']],
    ["RunId = 'r3'", ['drill-c']],
    ["WorkflowType = 'DrillWorkflow'", ['drill-c']],
    ["TaskQueue = 'breachline'", ['incident-b', 'incident-a']],
    ["ExecutionStatus = 'Running'", ['incident-a']],
    ["ExecutionStatus = 'running'", ['incident-a']],
    ["ExecutionStatus IN ('Completed', 'Failed')", ['incident-b', 'drill-c']],
    ["ExecutionStatus NOT IN ('Completed', 'Failed')", ['incident-a']],
    ["WorkflowId STARTS_WITH 'incident-'", ['incident-b', 'incident-a']],
    ["WorkflowId NOT STARTS_WITH 'incident-'", ['drill-c']],
    ["StartTime > '2026-01-01T00:00:00Z'", ['incident-b', 'drill-c']],
    ["StartTime >= '2026-01-01T00:00:00Z'", ['incident-b', 'drill-c', 'incident-a']],
    ["StartTime < '2026-01-01T00:00:30Z'", ['incident-a']],
    ["StartTime <= '2026-01-01T01:00:30+01:00'", ['drill-c', 'incident-a']],
    ["StartTime = '2026-01-01T00:00:30.000000000Z'", ['drill-c']],
    ["StartTime = '2026-01-01T00:00:30'", ['drill-c']],
    ["StartTime < '2026-01-01'", []],
    ["StartTime BETWEEN '2026-01-01T00:00:10Z' AND '2026-01-01T00:01:00Z'", ['incident-b', 'drill-c']],
    ["StartTime NOT BETWEEN '2026-01-01T00:00:10Z' AND '2026-01-01T00:01:00Z'", ['incident-a']],
    ['CloseTime IS NULL', ['incident-a']],
    ['CloseTime IS NOT NULL', ['incident-b', 'drill-c']],
    ["CloseTime > '2026-01-01T00:01:00Z'", ['incident-b', 'drill-c']],
    ["ExecutionTime = '2026-01-01T00:00:00Z'", ['incident-a']],
    ["CustomKeywordField = 'kafka'", ['incident-a']],
    ["CustomKeywordField != 'kafka'", ['incident-b', 'drill-c']],
    ["CustomTextField = 'pii leaked'", ['incident-a']],
    ["CustomTextField = 'pii stolen'", []],
    ['CustomIntField > 5', ['incident-b']],
    ['CustomIntField >= 5', ['incident-b', 'incident-a']],
    ["CustomIntField = '10'", ['incident-b']],
    ['CustomIntField IN (1, 5)', ['incident-a']],
    ['CustomIntField BETWEEN 6 AND 10', ['incident-b']],
    ['CustomDoubleField < 2.5', ['incident-a']],
    ['CustomDoubleField > -1e3', ['incident-a']],
    ['CustomBoolField = true', ['incident-a']],
    ['CustomBoolField = FALSE', ['incident-b']],
    ["CustomBoolField = 'false'", ['incident-b']],
    ["CustomDatetimeField > '2026-01-01T11:59:59Z'", ['incident-a']],
    ["CustomDatetimeField = '2026-01-01T13:00:00+01:00'", ['incident-a']],
    ["CustomKeywordListField = 'ccpa'", ['incident-a']],
    ["CustomKeywordListField = 'gdpr'", ['incident-b', 'incident-a']],
    ["CustomKeywordListField != 'ccpa'", ['incident-b', 'drill-c']],
    ["CustomKeywordListField IN ('ccpa', 'hipaa')", ['incident-a']],
    ['CustomKeywordListField IS NULL', ['drill-c']],
    ["`Incident.Severity` = 'it''s high'", ['drill-c']],
    ["Incident.Severity = 'it\\'s high'", ['drill-c']],
    ["WorkflowType = 'IncidentWorkflow' AND ExecutionStatus = 'Running'", ['incident-a']],
    ["WorkflowType = 'DrillWorkflow' OR ExecutionStatus = 'Running'", ['drill-c', 'incident-a']],
    ["ExecutionStatus = 'Failed' OR ExecutionStatus = 'Completed' AND CustomIntField = 5", ['drill-c']],
    ["(ExecutionStatus = 'Failed' OR ExecutionStatus = 'Completed') AND CustomIntField = 10", ['incident-b']],
    ["NOT WorkflowType = 'IncidentWorkflow'", ['drill-c']],
    ["NOT (WorkflowType = 'IncidentWorkflow' AND CustomIntField = 5)", ['incident-b', 'drill-c']],
    ["workflowtype = 'DrillWorkflow' or WorkflowId = 'incident-a'", []],
  ])('%s', (query, expected) => {
    if (/^workflowtype/.test(query)) {
      // Field names are case-sensitive, as on the real server.
      expect(() => ids(query)).toThrow(VisibilityQueryError);
      return;
    }
    expect(ids(query)).toEqual(expected);
  });

  it.each([
    ['ORDER BY StartTime ASC', ['incident-a', 'drill-c', 'incident-b']],
    ['ORDER BY StartTime', ['incident-a', 'drill-c', 'incident-b']],
    ['ORDER BY StartTime DESC', ['incident-b', 'drill-c', 'incident-a']],
    ['ORDER BY CloseTime DESC', ['incident-b', 'drill-c', 'incident-a']],
    ['ORDER BY CloseTime ASC', ['drill-c', 'incident-b', 'incident-a']],
    ["TaskQueue = 'breachline' order by CustomIntField desc", ['incident-b', 'incident-a']],
    ['ORDER BY WorkflowType ASC, StartTime DESC', ['drill-c', 'incident-b', 'incident-a']],
  ])('orders: %s', (query, expected) => {
    expect(ids(query)).toEqual(expected);
  });

  it.each([
    ["NoSuchField = 'x'", /unknown search attribute 'NoSuchField' at position 0/],
    ["WorkflowId = 'x' AND Bogus = 1", /unknown search attribute 'Bogus' at position 21/],
    ["WorkflowId = 'x", /unterminated string starting at position 13/],
    ['WorkflowId = x', /expected a quoted string for Keyword field WorkflowId: 'x' at position 13/],
    ["WorkflowId 'x'", /unexpected 'x' at position 11 \(expected an operator after WorkflowId\)/],
    ["WorkflowId = 'x' AND", /unexpected end of query/],
    ["(WorkflowId = 'x'", /expected '\)'/],
    ["WorkflowId = 'x')", /unexpected '\)' at position 16/],
    ["ExecutionStatus = 'Sleeping'", /unknown execution status/],
    ["CustomIntField = 'abc'", /expected a number for Int field CustomIntField/],
    ['CustomIntField = 1.5', /expected an integer/],
    ['CustomBoolField = 1', /expected true or false/],
    ["StartTime > 'yesterday'", /expected an RFC 3339 timestamp for Datetime field StartTime: 'yesterday' at position 12/],
    ["CustomKeywordListField > 'a'", /operator '>' at position 23 is not supported for KeywordList/],
    ["CustomTextField BETWEEN 'a' AND 'b'", /BETWEEN .* not supported for Text/],
    ["CustomIntField STARTS_WITH '1'", /STARTS_WITH .* needs a string field/],
    ['WorkflowId IS NOTNULL', /expected NULL/],
    ['ORDER BY CustomTextField', /cannot order by Text field/],
    ['ORDER StartTime', /expected BY/],
    ["WorkflowId = 'x' # comment", /unexpected character '#' at position 17/],
    ["WorkflowId IN ()", /expected a value/],
    ['AND', /expected a field name/],
  ])('rejects %s', (query, message) => {
    expect(() => compileVisibilityQuery(query, attributeTypes)).toThrow(VisibilityQueryError);
    expect(() => compileVisibilityQuery(query, attributeTypes)).toThrow(message);
  });

  it('knows Temporal predefined attributes and accepts field aliases', () => {
    const rec: VisibilityRecord = {
      ...records[0]!,
      workflowId: 'nightly-drill',
      searchAttributes: { TemporalScheduledById: 'nightly', TemporalScheduledStartTime: '2026-01-02T03:00:00Z' },
    };
    const q = compileVisibilityQuery(
      "ScheduleId = 'nightly-drill' AND TemporalScheduledById = 'nightly' AND TemporalScheduledStartTime = '2026-01-02T03:00:00Z'",
      () => undefined,
      { fieldAliases: { ScheduleId: 'WorkflowId' } },
    );
    expect(q.matches(rec)).toBe(true);
    expect(q.matches({ ...rec, workflowId: 'other' })).toBe(false);
  });

  it('sort returns a copy and leaves the input alone', () => {
    const input = [...records];
    const sorted = compileVisibilityQuery('ORDER BY StartTime ASC', attributeTypes).sort(input);
    expect(sorted).not.toBe(input);
    expect(input.map((r) => r.workflowId)).toEqual(['incident-a', 'incident-b', 'drill-c']);
  });
});
