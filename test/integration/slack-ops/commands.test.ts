import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postOrUpdateIncidentCard } from '../../../src/slack/cards/card-conversation';
import { refusalsQuery } from './workflows/index';
import { NOBODY, OBSERVER, startHarness, type Harness } from './harness';

let h: Harness;
let main: string;

beforeAll(async () => {
  h = await startHarness();
  main = await h.startIncident('commands-main');
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const SLOW = { replyTimeoutMs: 10_000 };

/** Sends `/ir <text>` as a user and returns the one reply's text. */
async function ir(userId: string, text: string): Promise<{ text: string; blocks?: unknown[]; via: string; responseType?: string; status: number; body: string }> {
  const result = await h.signed.slashCommand({ command: '/ir', text, userId, channel: '#incidents' }, SLOW);
  const reply = result.replies[0];
  if (reply === undefined) throw new Error(`no reply to /ir ${text}`);
  return { text: reply.text, blocks: reply.blocks, via: reply.via, responseType: reply.responseType, status: result.status, body: result.body };
}

describe('/ir over signed requests, answered on the response_url', () => {
  it('acks with an empty 200 and answers ephemerally; help lists every subcommand', async () => {
    const r = await ir('U0RESPONDER', `status ${main}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.via).toBe('response_url');
    expect(r.responseType).toBe('ephemeral');
    const help = await ir(OBSERVER, 'help');
    for (const sub of ['list', 'status', 'timeline', 'plan', 'approve', 'deny', 'breaker', 'notify', 'report', 'drill', 'close', 'clocks', 'aware', 'classify', 'material', 'not-notifiable', 'subjects']) {
      expect(help.text).toContain(`/ir ${sub}`);
    }
  });

  it('acks before the slow part: with Temporal 4 s slow, the HTTP answer still comes at once', async () => {
    h.temporal.faults.addLatency('QueryWorkflow', 4000);
    try {
      const started = Date.now();
      const result = await h.signed.slashCommand({ command: '/ir', text: `status ${main}`, userId: 'U0RESPONDER' }, { expectReplies: 0, replyTimeoutMs: 0 });
      const ackMs = Date.now() - started;
      expect(result.status).toBe(200);
      expect(ackMs).toBeLessThan(1000);
      // The answer follows on the response_url once the query returns.
      await expect.poll(() => h.slack.workspace.allMessages().filter((m) => m.responseUrlId === result.request.responseUrlId).length, { timeout: 15_000 }).toBe(1);
    } finally {
      h.temporal.faults.clear();
    }
  });

  it('list shows running incidents with their pending approvals', async () => {
    const r = await ir(OBSERVER, 'list');
    expect(r.text).toContain(`\`${main}\``);
    expect(r.text).toContain('Exfiltration from orders');
    expect(r.text).toMatch(/2 approval\(s\) pending/);
  });

  it('status shows the incident card to an observer, by incident id or by fingerprint', async () => {
    const r = await ir(OBSERVER, `status ${main}`);
    expect(JSON.stringify(r.blocks)).toContain('breachline_card_summary');
    expect(r.text).toContain('Exfiltration from orders');
    const byFingerprint = await ir(OBSERVER, 'status commands-main');
    expect(byFingerprint.text).toContain(main);
  });

  it('timeline, plan and report answer a responder', async () => {
    const t = await ir('U0RESPONDER', `timeline ${main}`);
    expect(t.text).toContain('Approval requested from incident-commander for step "contain"');
    const p = await ir('U0RESPONDER', `plan ${main}`);
    expect(p.text).toContain('`notify-authority` (notify, approval by dpo) — awaiting-approval');
    const rep = await ir('U0RESPONDER', `report ${main}`);
    expect(rep.text).toContain('# Incident report: Exfiltration from orders');
  });

  it('refuses an observer the timeline, naming the permission, and records the refusal on the incident', async () => {
    const before = h.refusals.length;
    const r = await ir(OBSERVER, `timeline ${main}`);
    expect(r.text).toContain('`timeline` permission');
    expect(r.text).toContain('`observer`');
    expect(h.refusals.slice(before)).toMatchObject([{ userId: OBSERVER, role: 'observer', action: 'timeline', workflowId: main }]);
    await expect.poll(async () => (await h.client.workflow.getHandle(main).query(refusalsQuery)).map((x) => x.action)).toContain('timeline');
  });

  it('observer cannot approve; a DPO cannot approve the commander\'s step; the commander can', async () => {
    // An observer may approve no step at all: refused before the step is looked up.
    const obs = await ir(OBSERVER, `approve ${main} contain`);
    expect(obs.text).toContain('`approve` permission, and your role is `observer`');
    const dpo = await ir('U0DPOFFICER', `approve ${main} contain`);
    expect(dpo.text).toContain('Not allowed');
    expect((await h.incidents.state(main)).decisions).toEqual([]);

    const ok = await ir('U0COMMANDER', `approve ${main} contain`);
    expect(ok.text).toContain('Step `contain`');
    expect(ok.text).toContain('approved by <@U0COMMANDER>');
    const s = await h.incidents.state(main);
    expect(s.decisions).toMatchObject([{ stepId: 'contain', granted: true, approver: 'U0COMMANDER', role: 'incident-commander' }]);
    expect(s.steps.find((x) => x.id === 'contain')?.status).toBe('approved');
  });

  it('DPO files a stage through the workflow\'s update; a responder may not', async () => {
    const resp = await ir('U0RESPONDER', `notify ${main} gdpr authority ICO-2026-42`);
    expect(resp.text).toContain('`notify` permission');
    const r = await ir('U0DPOFFICER', `notify ${main} gdpr authority ICO-2026-42`);
    expect(r.text).toBe(`:white_check_mark: \`${main}\`: GDPR authority initial filing recorded with UK ICO (ref ICO-2026-42), on time.`);
    expect((await h.incidents.state(main)).clocks.gdpr?.filed).toMatchObject({ authority: 'UK ICO', reference: 'ICO-2026-42', late: false });
    // Art. 33(4): information in phases.
    const again = await ir('U0DPOFFICER', `notify ${main} gdpr authority ICO-2026-42-2`);
    expect(again.text).toContain('supplementary filing recorded');
    const wrong = await ir('U0DPOFFICER', `notify ${main} gdpr initial ICO-X`);
    expect(wrong.text).toBe(`:no_entry: \`${main}\` refused: NoSuchStage: GDPR has no stage "initial" (stages: authority)`);
  });

  it('a filing after the deadline is refused with the reason and recorded; given after `late:` it is filed late', async () => {
    const late = await h.startIncident('commands-late', '2026-01-01T00:00:00.000Z');
    const bare = await ir('U0DPOFFICER', `notify ${late} gdpr authority ICO-LATE-1`);
    expect(bare.text).toMatch(/refused: LateFilingWithoutReason: GDPR authority was due 2026-01-01T00:00:00.000Z and is filed at .*: a late filing must give the reasons for the delay/);
    await expect.poll(async () => (await h.incidents.events(late)).filter((e) => e.type === 'FilingRefused').length).toBe(1);
    expect((await ir('U0DPOFFICER', `notify ${late} gdpr authority ICO-LATE-1 late:`)).text).toContain('needs the reason for the delay');
    const r = await ir('U0DPOFFICER', `notify ${late} gdpr authority ICO-LATE-1 late: forensics took four days`);
    expect(r.text).toContain('filing recorded with UK ICO (ref ICO-LATE-1), LATE');
    expect((await h.incidents.state(late)).clocks.gdpr?.filed).toMatchObject({ late: true, lateReason: 'forensics took four days' });
  });

  it('clocks shows every stage with due in UTC and local time; not-notifiable is the DPO\'s or commander\'s', async () => {
    const c = await ir('U0RESPONDER', `clocks ${main}`);
    expect(c.text).toContain('*GDPR* (UK ICO)');
    expect(c.text).toMatch(/`authority`: due 2099-01-01T00:00:00.000Z UTC \(Thu, 01 Jan 2099, 00:00 Europe\/London\)/);
    expect((await ir(OBSERVER, `clocks ${main}`)).text).toContain('`clocks` permission');
    const other = await h.startIncident('commands-nn', '2099-01-01T00:00:00.000Z');
    expect((await ir('U0RESPONDER', `not-notifiable ${other} gdpr encrypted at rest`)).text).toContain('`not-notifiable` permission');
    const r = await ir('U0DPOFFICER', `not-notifiable ${other} gdpr the records were encrypted with keys the attacker never had`);
    expect(r.text).toContain('GDPR recorded as not notifiable');
    expect((await ir('U0DPOFFICER', `clocks ${other}`)).text).toContain('not notifiable: the records were encrypted with keys the attacker never had');
  });

  it('aware, classify and material: authorised by Cedar first, then answered by the workflow', async () => {
    const id = await h.startIncident('commands-decisions', '2099-01-01T00:00:00.000Z');
    expect((await ir('U0RESPONDER', `aware ${id} 2026-11-22T01:00:00Z SOC ticket`)).text).toContain('`aware` permission');
    expect((await ir('U0DPOFFICER', `aware ${id} yesterday SOC ticket`)).text).toBe(`:no_entry: \`${id}\` refused: awareness time "yesterday" is not an ISO-8601 instant with a zone`);
    expect((await ir('U0DPOFFICER', `aware ${id} 2026-11-22T01:00:00Z SOC ticket`)).text).toContain('Awareness recorded at 2026-11-22T01:00:00.000Z');
    expect((await ir('U0DPOFFICER', `classify ${id} major`)).text).toContain('`classify` permission');
    expect((await ir('U0COMMANDER', `classify ${id} huge`)).text).toContain('must be `major` or `not-major`');
    expect((await ir('U0COMMANDER', `classify ${id} major`)).text).toContain('classified major for DORA');
    expect((await ir('U0COMMANDER', `material ${id} 2026-11-23T09:00:00Z`)).text).toContain('Materiality determined');
    const s = await h.incidents.state(id);
    expect(s.regulatoryFacts).toMatchObject({ awareAt: '2026-11-22T01:00:00.000Z', awarenessProvisional: false, classification: 'major', determinedAt: '2026-11-23T09:00:00Z' });
  });

  it('the DPO denies its own step with a reason', async () => {
    const r = await ir('U0DPOFFICER', `deny ${main} notify-authority already filed by phone`);
    expect(r.text).toContain('denied (already filed by phone)');
    const s = await h.incidents.state(main);
    expect(s.steps.find((x) => x.id === 'notify-authority')?.status).toBe('denied');
  });

  it('breaker: commander opens it on the owning incident; a responder is refused', async () => {
    const refused = await ir('U0RESPONDER', `breaker open orders-to-analytics ${main}`);
    expect(refused.text).toContain('`breaker` permission');
    const r = await ir('U0COMMANDER', `breaker open orders-to-analytics ${main}`);
    expect(r.text).toContain('is now open');
    expect((await h.incidents.state(main)).breakers['orders-to-analytics']?.state).toBe('open');
    // Without an id, the incident whose state names the breaker is found.
    const closed = await ir('U0COMMANDER', 'breaker close orders-to-analytics');
    expect(closed.text).toContain(`Breaker \`orders-to-analytics\` of \`${main}\` is now closed`);
    // An Update: asking for the state it is in is refused by the incident, at once.
    const again = await ir('U0COMMANDER', `breaker close orders-to-analytics ${main}`);
    expect(again.text).toContain('refused: breaker "orders-to-analytics" is already closed');
  });

  it('drills delegate to the drill port; an observer cannot start one', async () => {
    const refused = await ir(OBSERVER, 'drill start kafka-exfiltration');
    expect(refused.text).toContain('`drill-run` permission');
    expect(h.drills.calls).toEqual([]);
    expect((await ir('U0COMMANDER', 'drill start kafka-exfiltration')).text).toContain('started');
    expect((await ir('U0COMMANDER', 'drill schedule 0 9 * * 1 kafka-exfiltration')).text).toContain('scheduled');
    const list = await ir('U0RESPONDER', 'drill list');
    expect(list.text).toContain('`0 9 * * 1`');
    expect(h.drills.calls).toEqual(['start kafka-exfiltration', 'schedule 0 9 * * 1 kafka-exfiltration', 'list']);
  });

  it('malformed arguments get the usage line', async () => {
    expect((await ir('U0COMMANDER', 'approve')).text).toContain('Usage: `/ir approve <incident-id> [step]`');
    expect((await ir('U0COMMANDER', `deny ${main}`)).text).toContain('a reason is required. Usage: `/ir deny');
    expect((await ir('U0COMMANDER', 'breaker sideways x')).text).toContain('Usage: `/ir breaker open|close');
    expect((await ir('U0COMMANDER', 'drill schedule 99 99 * * * x')).text).toContain('is not a cron expression');
    expect((await ir('U0COMMANDER', 'notify')).text).toContain('Usage: `/ir notify');
    expect((await ir('U0COMMANDER', 'status no-such-incident')).text).toContain('No incident `no-such-incident`');
    expect((await ir('U0COMMANDER', `approve ${main} rotate`)).text).toContain('No approval pending for step `rotate`');
  });

  it('severity: the commander re-rates with a reason (an event); a responder is refused; a bad level gets the usage', async () => {
    expect((await ir('U0RESPONDER', `severity ${main} low false alarm`)).text).toContain('`severity` permission');
    expect((await ir('U0COMMANDER', `severity ${main} apocalyptic it is bad`)).text).toContain('the severity is one of critical, high, medium, low');
    expect((await ir('U0COMMANDER', `severity ${main} critical`)).text).toContain('a severity and the reason for it are required');
    const from = (await h.incidents.state(main)).severity;
    const to = from === 'critical' ? 'high' : 'critical';
    const r = await ir('U0COMMANDER', `severity ${main} ${to} client data confirmed in the exfiltrated set`);
    expect(r.text).toContain(`severity changed from ${from} to ${to}`);
    expect((await h.incidents.state(main)).severity).toBe(to);
    const changed = (await h.incidents.events(main)).find((e) => e.type === 'SeverityChanged');
    expect(changed?.data).toMatchObject({ from, to, changedBy: 'U0COMMANDER', role: 'incident-commander', reason: 'client data confirmed in the exfiltrated set' });
  });

  it('close: a responder is refused, the commander closes', async () => {
    const refused = await ir('U0RESPONDER', `close ${main}`);
    expect(refused.text).toContain('`close` permission');
    expect((await h.incidents.state(main)).status).not.toBe('closed');
    const r = await ir('U0COMMANDER', `close ${main} contained, regulator informed`);
    expect(r.text).toContain('closed by U0COMMANDER (contained, regulator informed)');
    expect((await h.incidents.state(main)).closure?.resolution).toBe('contained, regulator informed');
    expect((await ir(OBSERVER, 'list')).text).not.toContain(main);
  });
});

describe('/ir refuses before it looks anything up', () => {
  let leak: string;
  beforeAll(async () => {
    leak = await h.startIncident('commands-leak');
  }, 60_000);

  it('approve with a bogus step: no pending steps, and the same answer for a real and an unknown incident', async () => {
    const before = h.refusals.length;
    const real = await ir(NOBODY, `approve ${leak} bogus`);
    const unknown = await ir(NOBODY, 'approve inc-does-not-exist bogus');
    expect(real.text).toContain('`approve` permission, and you have no breachline role');
    expect(real.text).not.toMatch(/Pending|pending|contain/);
    expect(unknown.text).toBe(real.text);
    // Both refusals are recorded; the audit record of the real one still names its incident.
    expect(h.refusals.slice(before)).toMatchObject([{ userId: NOBODY, action: 'approve', workflowId: leak }, { userId: NOBODY, action: 'approve' }]);
    expect(h.refusals.at(-1)?.workflowId).toBeUndefined();
  });

  it('status, timeline, retry and close answer a refusal identical for a real and an unknown incident (no "No incident")', async () => {
    for (const sub of ['status', 'timeline', 'retry', 'close']) {
      const args = sub === 'retry' ? ' contain' : '';
      const real = await ir(NOBODY, `${sub} ${leak}${args}`);
      const unknown = await ir(NOBODY, `${sub} inc-does-not-exist${args}`);
      expect(real.text).toContain(`\`${sub}\` permission`);
      expect(unknown.text).toBe(real.text);
    }
    // An observer may see status, so it is told plainly that an id does not exist.
    expect((await ir(OBSERVER, 'status inc-does-not-exist')).text).toContain('No incident `inc-does-not-exist`');
  });

  it('breaker close without an id: a responder and a user with no role learn no running incident ids', async () => {
    for (const user of ['U0RESPONDER', NOBODY]) {
      const r = await ir(user, 'breaker close orders-to-analytics');
      expect(r.text).toContain('`breaker` permission');
      expect(r.text).not.toContain(leak);
      expect(r.text).not.toContain(main);
    }
  });

  it('breaker names are own properties only: `constructor` is not a breaker of any incident', async () => {
    // Without an id, `constructor` must not look owned by every running incident. (The workflow's
    // own check is in test/unit/workflows/operator-signals.test.ts.)
    const search = await ir('U0COMMANDER', 'breaker close constructor');
    expect(search.text).not.toContain('several incidents own');
  });

  it('user text is escaped: a resolution with <!channel> and a link neither pings nor links, in the reply or on the card', async () => {
    const id = await h.startIncident('commands-escape');
    const r = await ir('U0COMMANDER', `close ${id} <!channel> done, see <https://evil.example|the report> & <@U0DPOFFICER>`);
    expect(r.text).toContain('&lt;!channel&gt; done, see &lt;https://evil.example|the report&gt; &amp; &lt;@U0DPOFFICER&gt;');
    expect(r.text).not.toMatch(/<!channel>|<https:|<@U0DPOFFICER>/);
    await postOrUpdateIncidentCard(h.cards, await h.incidents.state(id));
    const posted = JSON.stringify(h.slack.record.calls('chat.postMessage').at(-1)?.args);
    expect(posted).toContain('&lt;!channel&gt; done');
    expect(posted).not.toMatch(/<!channel>|<https:\/\/evil|<@U0DPOFFICER>/);
  });
});
