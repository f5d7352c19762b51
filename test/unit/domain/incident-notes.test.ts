import { describe, expect, it } from 'vitest';
import { IllegalEventError } from '../../../src/domain/errors';
import { applyEvent, foldEvents } from '../../../src/domain/incident';
import { noteTextProblem, openTasks, parseAssignee, workOpenItems } from '../../../src/domain/incident-notes';
import { renderReport } from '../../../src/domain/report';
import { timeline } from '../../../src/domain/timeline';
import { HistoryBuilder, opened } from './history';

const RESP = { kind: 'user' as const, id: 'U0RESPONDER' };

function withWork(): HistoryBuilder {
  const b = new HistoryBuilder('incident-notes');
  opened(b);
  b.add('NoteAdded', { text: 'exporter paused by hand', addedBy: 'U0RESPONDER', role: 'responder' }, RESP);
  b.add('TaskAdded', { number: 1, assignee: 'rita', text: 'rotate the keys', addedBy: 'U0RESPONDER', role: 'responder' }, RESP);
  b.add('TaskAdded', { number: 2, assignee: 'U0DPOFFICER', text: 'check the notice | twice', addedBy: 'U0COMMANDER', role: 'incident-commander' }, RESP);
  b.add('FollowUpAdded', { text: 'review retention', addedBy: 'U0DPOFFICER', role: 'dpo' }, RESP);
  return b;
}

describe('notes, tasks and follow-ups (issue 16)', () => {
  it('fold into the state: tasks numbered, open until completed', () => {
    const b = withWork();
    let s = foldEvents(b.events);
    expect(s.notes).toMatchObject([{ text: 'exporter paused by hand', addedBy: 'U0RESPONDER' }]);
    expect(openTasks(s).map((t) => t.number)).toEqual([1, 2]);
    b.add('TaskCompleted', { number: 1, completedBy: 'U0RESPONDER', role: 'responder' }, RESP);
    s = foldEvents(b.events);
    expect(openTasks(s).map((t) => t.number)).toEqual([2]);
    expect(s.tasks?.[0]?.done?.by).toBe('U0RESPONDER');
    expect(workOpenItems(s)).toEqual(['task 2 (U0DPOFFICER) is open: check the notice | twice', 'follow-up: review retention']);
  });

  it('refuses a task out of number, an unknown or finished task, empty or overlong text', () => {
    const b = withWork();
    const s = foldEvents(b.events);
    const bad = (event: Parameters<typeof applyEvent>[1], reason: RegExp) => {
      expect(() => applyEvent(s, event)).toThrow(IllegalEventError);
      expect(() => applyEvent(s, event)).toThrow(reason);
    };
    bad(b.make('TaskAdded', { number: 5, assignee: 'rita', text: 'x', addedBy: 'U1', role: 'responder' }), /next task is number 3, not 5/);
    bad(b.make('TaskAdded', { number: 3, assignee: '<!channel>', text: 'x', addedBy: 'U1', role: 'responder' }), /not an assignee/);
    bad(b.make('TaskCompleted', { number: 9, completedBy: 'U1', role: 'responder' }), /no task 9 \(tasks: 1, 2\)/);
    bad(b.make('NoteAdded', { text: '  ', addedBy: 'U1', role: 'responder' }), /empty/);
    bad(b.make('FollowUpAdded', { text: 'x'.repeat(1001), addedBy: 'U1', role: 'responder' }), /at most 1000/);
    const done = applyEvent(s, b.make('TaskCompleted', { number: 1, completedBy: 'U1', role: 'responder' }));
    const again = b.make('TaskCompleted', { number: 1, completedBy: 'U1', role: 'responder' });
    expect(() => applyEvent(done, { ...again, seq: again.seq + 1 })).toThrow(/done already/);
  });

  it('parses assignees: Slack mentions become the user id, names lose the @, anything else is refused', () => {
    expect(parseAssignee('<@U0RESPONDER>')).toBe('U0RESPONDER');
    expect(parseAssignee('<@U0RESPONDER|rita>')).toBe('U0RESPONDER');
    expect(parseAssignee('@rita.r')).toBe('rita.r');
    expect(parseAssignee('Zoë')).toBe('Zoë');
    for (const bad of ['<!channel>', '<https://x|y>', 'two words', '', '@', 'a'.repeat(81)]) expect(parseAssignee(bad)).toBeUndefined();
    expect(noteTextProblem('bell\u0007')).toMatch(/control/);
    expect(noteTextProblem('two\nlines')).toBeUndefined();
  });

  it('show in the timeline and the report (open tasks and follow-ups listed); reports without any keep their shape', () => {
    const b = withWork();
    const lines = timeline(b.events).map((t) => t.summary);
    expect(lines).toContain('Task 1 for rita, added by U0RESPONDER (responder): rotate the keys');
    expect(lines).toContain('Follow-up added by U0DPOFFICER (dpo): review retention');
    const report = renderReport(b.events, { includeTimeline: false });
    expect(report).toContain('## Tasks');
    expect(report).toContain('2 open of 2.');
    expect(report).toContain('| 2 | U0DPOFFICER | check the notice \\| twice |');
    expect(report).toContain('## Follow-ups');
    expect(report).toContain('## Notes');
    const plain = new HistoryBuilder('incident-plain');
    opened(plain);
    expect(renderReport(plain.events)).not.toMatch(/## Tasks|## Follow-ups|## Notes/);
  });
});
