import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/domain/events';
import { silentLogger } from '../../../src/log/logger';
import { start as startKafka, type RunningKafkaSandbox } from '../../../src/sandbox/kafka';
import { start as startSlack, type RunningSlackSandbox } from '../../../src/sandbox/slack';
import { FileCardStore } from '../../../src/slack/cards/file-card-store';
import { createWebConversationPort } from '../../../src/slack/web-conversation-port';
import { WarRoom, warRoomChannelName } from '../../../src/slack/war-room';
import { startWarRoomFeed } from '../../../src/slack/war-room-feed';
import { HistoryBuilder, opened, runStep } from '../../unit/domain/history';

/*
 * The war room (issue 16): each incident gets its own channel with its responders and one card,
 * edited in place from the audit topic as events arrive; a restart edits the same card.
 */

const TOPIC = 'war-room.audit';
const MEMBERS = ['U0COMMANDER', 'U0RESPONDER', 'U0DPOFFICER'];
let kafka: RunningKafkaSandbox;
let slack: RunningSlackSandbox;
let client: Kafka;
let dir: string;

beforeAll(async () => {
  kafka = await startKafka({ port: 0, groups: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1000 } });
  slack = await startSlack({ port: 0 });
  const c = kafka.connection;
  client = new Kafka({ clientId: 'war-room-test', brokers: [...c.brokers], sasl: { mechanism: c.saslMechanism, username: c.username, password: c.password } as SASLOptions, logLevel: logLevel.NOTHING });
  dir = mkdtempSync(join(tmpdir(), 'war-room-'));
});
afterAll(async () => {
  await kafka?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function append(events: readonly DomainEvent[]): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: events.map((e) => ({ key: e.incidentId, value: JSON.stringify(e) })) });
  await producer.disconnect();
}

function room(): WarRoom {
  return new WarRoom({
    port: createWebConversationPort({ apiUrl: slack.apiUrl, botToken: slack.botToken, logger: silentLogger }),
    store: new FileCardStore(join(dir, 'cards.json')),
    members: () => MEMBERS,
    logger: silentLogger,
    debounceMs: 50,
  });
}

/** The channel's pins as Slack's own client lists them: `[ts]` of each pinned message. */
async function pinsIn(channelId: string): Promise<string[]> {
  const web = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  const listed = await web.pins.list({ channel: channelId });
  return (listed.items ?? []).map((i) => i.message?.ts ?? '');
}

const cardsIn = (channelId: string) => slack.workspace.history(channelId).filter((m) => m.user === slack.workspace.allUsers().find((u) => u.isBot)?.id);

describe('the war room', () => {
  it('waits for the audit topic (never creates it), then opens the incident channel with its responders and one card kept current', async () => {
    const b = new HistoryBuilder('incident-warroom1');
    opened(b);
    const warRoom = room();
    const feed = await startWarRoomFeed(client, TOPIC, warRoom, { pollMs: 100 });
    try {
      const admin = client.admin();
      await admin.connect();
      expect(await admin.listTopics()).not.toContain(TOPIC);
      await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
      await admin.disconnect();
      await append(b.events);
      const name = warRoomChannelName('incident-warroom1');
      await expect.poll(() => slack.workspace.channel(`#${name}`)?.id ?? slack.workspace.allChannels().find((c) => c.name === name)?.id, { timeout: 20_000 }).toBeDefined();
      const channel = slack.workspace.allChannels().find((c) => c.name === name)!;
      // The card is posted after the invitations and the topic.
      await expect.poll(() => cardsIn(channel.id).length, { timeout: 10_000 }).toBe(1);
      expect([...channel.members]).toEqual(expect.arrayContaining(MEMBERS));
      expect(channel.topic.value).toBe('CRITICAL: report-exporter reading orders');

      const before = b.events.length;
      runStep(b, 0);
      await append(b.events.slice(before));
      await expect.poll(() => cardsIn(channel.id)[0]?.text ?? '', { timeout: 10_000 }).toContain('contained');
      expect(cardsIn(channel.id)).toHaveLength(1);
      expect(warRoom.channelOf('incident-warroom1')).toBe(channel.id);
      // Pinned once, after the first post; edits do not pin it again.
      await warRoom.settled();
      expect(await pinsIn(channel.id)).toEqual([cardsIn(channel.id)[0]!.ts]);
    } finally {
      await feed.stop();
    }

    // A restart reads the topic again and edits the same card: still one card in the channel.
    const again = room();
    const feed2 = await startWarRoomFeed(client, TOPIC, again, { pollMs: 100 });
    try {
      await expect.poll(() => again.channelOf('incident-warroom1'), { timeout: 20_000 }).toBeDefined();
      await again.settled();
      const channel = slack.workspace.allChannels().find((c) => c.name === warRoomChannelName('incident-warroom1'))!;
      expect(cardsIn(channel.id)).toHaveLength(1);
      // The restarted room pins again, Slack answers already_pinned, and that is success: one pin.
      expect(await pinsIn(channel.id)).toEqual([cardsIn(channel.id)[0]!.ts]);
      expect(slack.record.calls('pins.add').filter((c) => c.args.channel === channel.id).map((c) => c.error ?? 'ok')).toEqual(['ok', 'already_pinned']);
    } finally {
      await feed2.stop();
    }
  });

  it('a card whose channel is gone (a workspace that lost it) is posted anew in the reopened channel', async () => {
    const b = new HistoryBuilder('incident-warroomgone');
    opened(b);
    const store = new FileCardStore(join(dir, 'gone-cards.json'));
    store.set('incident-warroomgone', { channelId: 'C0GONEGONE1', ts: '1700000000.000100' });
    const warRoom = new WarRoom({
      port: createWebConversationPort({ apiUrl: slack.apiUrl, botToken: slack.botToken, logger: silentLogger }),
      store,
      members: () => MEMBERS,
      logger: silentLogger,
      debounceMs: 10,
    });
    warRoom.accept(b.events[0]!);
    await warRoom.settled();
    const channel = slack.workspace.allChannels().find((c) => c.name === warRoomChannelName('incident-warroomgone'));
    expect(channel).toBeDefined();
    expect(cardsIn(channel!.id)).toHaveLength(1);
    expect(store.get('incident-warroomgone')?.channelId).toBe(channel!.id);
    // The reposted card is the pinned one.
    expect(await pinsIn(channel!.id)).toEqual([cardsIn(channel!.id)[0]!.ts]);
  });

  it('drills and dry runs get no channel', async () => {
    const drill = new HistoryBuilder('incident-warroomdrill');
    opened(drill, 'drill');
    const warRoom = room();
    warRoom.accept(drill.events[0]!);
    await warRoom.settled();
    expect(slack.workspace.allChannels().some((c) => c.name === warRoomChannelName('incident-warroomdrill'))).toBe(false);
  });
});
