import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { planWaitFor, refuseDecision, WAIT_FOR_PARAMS, type WaitForParams } from '../../../src/actions/wait-for';
import { PLAN_CONTEXT } from './plan-cases';
import { parseRunbook } from '../../../src/domain/runbook-loader';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, useDefaults: true });

describe('wait-for (pure half)', () => {
  const params: WaitForParams = { question: 'Rewind risk-engine to before the forged trades?', options: ['rewind', 'hold'], timeout: '30m' };
  const waiting = { stepId: 'approve-rewind', params };
  const decision = { stepId: 'approve-rewind', answer: 'rewind', decidedBy: 'U-IC', role: 'incident-commander' };

  it('plans the question, the options and what a timeout takes', () => {
    const p = structuredClone(params);
    expect(ajv.compile(WAIT_FOR_PARAMS)(p)).toBe(true);
    expect(planWaitFor(p, PLAN_CONTEXT)).toEqual(['ask incident-commander: "Rewind risk-engine to before the forged trades?" (rewind / hold); after 30m take "hold"']);
  });

  it('accepts the waiting step’s decision and refuses every other with the field named', () => {
    expect(refuseDecision(waiting, decision)).toBeUndefined();
    expect(refuseDecision(undefined, decision)).toBe('no step is waiting for a decision');
    expect(refuseDecision(waiting, { ...decision, stepId: 'other' })).toBe('stepId: step other is not waiting (approve-rewind is)');
    expect(refuseDecision(waiting, { ...decision, answer: 'yolo' })).toBe('answer: "yolo" is not one of rewind, hold');
    expect(refuseDecision(waiting, { ...decision, role: 'analyst' })).toBe('role: incident-commander decides this step, not analyst');
    expect(refuseDecision(waiting, { ...decision, decidedBy: ' ' })).toBe('decidedBy: required');
  });

  it('refuses a timeout that is not a duration and a single option', () => {
    expect(ajv.compile(WAIT_FOR_PARAMS)({ question: 'q', timeout: 'soon' })).toBe(false);
    expect(ajv.compile(WAIT_FOR_PARAMS)({ question: 'q', options: ['only'] })).toBe(false);
  });

  it('the loader refuses a timeout answer or a stopping answer that is not an option, at the line', () => {
    const yaml = [
      'id: w', 'version: 1', 'title: W', 'scenario: generic', 'severity: low', 'steps:',
      '  - id: ask',
      '    action: wait-for',
      '    with:',
      '      question: Go on?',
      '      options: [rewind, hold]',
      '      onTimeout: later',
      '      stopOn: [hold, abort]',
    ].join('\n');
    expect(() => parseRunbook(yaml, 'w.yaml')).toThrow(/w\.yaml:12: step "ask" with\.onTimeout: "later" is not one of the options \(rewind, hold\)/);
    expect(() => parseRunbook(yaml, 'w.yaml')).toThrow(/with\.stopOn\[1\]: "abort" is not one of the options \(rewind, hold\)|stopOn.*"abort" is not one of the options/);
    expect(() => parseRunbook(yaml.replace('      onTimeout: later\n', '').replace(', abort', ''), 'w.yaml')).not.toThrow();
  });
});
