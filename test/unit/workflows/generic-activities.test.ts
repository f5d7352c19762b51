import { describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities';
import { allActions } from '../../../src/domain/action-registry';
import { silentLogger } from '../../../src/log/logger';

/**
 * A generic action is dispatched by the activity names its definition gives: a name the worker
 * does not register would leave its steps scheduled forever. Every registered definition must
 * name activities the worker registers.
 */
describe('generic actions and the worker', () => {
  const registered = new Set(
    Object.keys(
      createActivities({ kafka: { brokers: ['127.0.0.1:1'], saslMechanism: 'scram-sha-512', username: 'x', password: 'x', ssl: false }, secrets: {} as never, logger: silentLogger, auditTopic: 'a', channel: '#c' }),
    ),
  );
  // wait-for (issue 17) is carried out by the workflow itself: it names no activity to register.
  const generic = allActions().flatMap((d) => (d.kind === 'generic' && d.runsIn !== 'workflow' ? [d] : []));

  it('there is at least one generic action (annotate)', () => {
    expect(generic.map((d) => d.name)).toContain('annotate');
  });

  it('an action the workflow carries out itself is not among them (wait-for)', () => {
    expect(allActions().filter((d) => d.kind === 'generic' && d.runsIn === 'workflow').map((d) => d.name)).toEqual(['wait-for']);
    expect(registered.has('waitForDecision')).toBe(false);
  });

  it.each(generic.map((d) => ({ name: d.name, def: d })))('$name: its activity and compensation are registered by the worker', ({ def }) => {
    expect(registered.has(def.activity), `${def.activity} not registered`).toBe(true);
    if (def.compensation !== undefined) expect(registered.has(def.compensation), `${def.compensation} not registered`).toBe(true);
  });
});
