import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { systemClock, ManualClock, type BrokerClock } from './clock';
import { FaultInjector } from './faults';
import { GroupCoordinator, type CoordinatorOptions } from './groups/coordinator';
import { ForensicEmitter, type ForensicEmitOptions } from './forensic-emit';
import { encodeBatch } from './log/record-batch';
import { TopicStore, type Topic } from './log/topic-store';
import { DataDir } from './persistence/data-dir';
import { AccessLog, AclOperation, Authorizer, CredentialStore, ResourceType, SASL_MECHANISMS, normalizeHost, operationName, resourceTypeName, type AccessRecord, type OAuthBearerValidation } from './security';
import { Connection } from './server/connection';
import type { Session } from './server/session';

/**
 * Which decisions of an authorization check go to the access log: all of them, none (requests
 * that only touch the access-log topic), or only ALLOWs (checks that filter a listing).
 */
export type AuthorizationAudit = 'all' | 'none' | 'allowed-only';

/** What {@link KafkaBroker.authorizeListing} needs to know about the request (a handler's context has it). */
export interface ListingContext {
  readonly session: Session;
  readonly clientId: string;
  readonly apiName: string;
  /** Set for requests whose decisions are not recorded at all. */
  readonly quiet: boolean;
}

/** Options of {@link KafkaBroker}. */
export interface KafkaBrokerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Journal directory; absent = in memory only. */
  dataDir?: string;
  /** @default silentLogger */
  logger?: Logger;
  /** Broker id reported in metadata. @default 1 */
  nodeId?: number;
  /** @default a random id per data directory */
  clusterId?: string;
  /** Bootstrap super user. @default 'admin' */
  adminUser?: string;
  /** Its password; set on every start. @default random */
  adminPassword?: string;
  /** Further super users (`User:name`). */
  superUsers?: readonly string[];
  /** `allow.everyone.if.no.acl.found`. @default false */
  allowEveryoneIfNoAclFound?: boolean;
  /** Retention clock; pass a {@link ManualClock} to move time in tests. @default wall clock */
  clock?: BrokerClock;
  /** How often retention runs on real time. @default 1000 */
  retentionCheckIntervalMs?: number;
  /**
   * PEM key and certificate: the listener becomes SASL_SSL instead of SASL_PLAINTEXT. With `ca`
   * and `requireClientCert` it is `ssl.client.auth=required`: a client without a certificate
   * signed by `ca` fails the handshake before any Kafka request.
   */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requireClientCert?: boolean };
  /** SASL/OAUTHBEARER validation; set, the broker offers OAUTHBEARER besides PLAIN and SCRAM. */
  oauthBearer?: OAuthBearerValidation;
  /** `socket.request.max.bytes`: larger frames close the connection. @default 104857600 */
  maxRequestBytes?: number;
  /** Internal topic that receives access records as JSON. @default '__access_log' */
  accessLogTopic?: string;
  /** `auto.create.topics.enable`. @default false */
  autoCreateTopics?: boolean;
  /** `num.partitions` for auto-created topics and CreateTopics with -1. @default 1 */
  defaultPartitions?: number;
  /**
   * `connections.max.reauth.ms` (KIP-368): authenticated sessions last this long, clients must
   * re-authenticate on the same connection before it ends, and a credential removed meanwhile
   * ends the session. 0 = sessions never expire. @default 0
   */
  saslSessionLifetimeMs?: number;
  /** Consumer-group coordinator settings. */
  groups?: CoordinatorOptions;
  /** Capacity of the in-memory access log. @default 100000 */
  accessLogCapacity?: number;
  /** Request-log lines, `__consumer_offsets` records and audit events for forensics drills (issue 12). @default none */
  forensicEmit?: ForensicEmitOptions;
}

/**
 * A single-node Kafka broker speaking the Kafka wire protocol over TCP (SASL_PLAINTEXT, or
 * SASL_SSL with a key and certificate). It is its own controller, coordinator and partition
 * leader. Topics live in memory, optionally journaled to a data directory.
 */
export class KafkaBroker {
  readonly nodeId: number;
  clusterId: string;
  readonly topics = new TopicStore();
  readonly groups: GroupCoordinator;
  credentials = new CredentialStore();
  authorizer: Authorizer;
  readonly accessLog: AccessLog;
  /** Set when `forensicEmit` asks for request-log lines, commit records or audit events. */
  readonly forensicEmitter: ForensicEmitter | undefined;
  readonly faults = new FaultInjector();
  readonly clock: BrokerClock;
  readonly logger: Logger;
  readonly accessLogTopic: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly maxRequestBytes: number;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly tlsEnabled: boolean;
  readonly saslSessionLifetimeMs: number;
  /** Mechanisms offered in SaslHandshake (OAUTHBEARER only when configured). */
  readonly saslMechanisms: readonly string[];
  /** OAUTHBEARER validation, when offered. */
  readonly oauthBearer: OAuthBearerValidation | undefined;
  private readonly superUsers: readonly string[];
  private readonly options: KafkaBrokerOptions;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly fetchWaiters = new Map<string, Set<() => void>>();
  private retentionTimer: NodeJS.Timeout | undefined;
  private dataDir: DataDir | undefined;
  private pendingAccess: AccessRecord[] = [];
  private accessFlushScheduled = false;
  private nextSessionId = 1;
  private nextProducerId = 1n;
  host = '127.0.0.1';
  port = 0;

  constructor(options: KafkaBrokerOptions = {}) {
    this.options = options;
    this.nodeId = options.nodeId ?? 1;
    this.clusterId = options.clusterId ?? randomUUID();
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.accessLogTopic = options.accessLogTopic ?? '__access_log';
    this.adminUser = options.adminUser ?? 'admin';
    this.adminPassword = options.adminPassword ?? randomBytes(18).toString('base64url');
    this.maxRequestBytes = options.maxRequestBytes ?? 100 * 1024 * 1024;
    this.autoCreateTopics = options.autoCreateTopics ?? false;
    this.defaultPartitions = options.defaultPartitions ?? 1;
    this.tlsEnabled = options.tls !== undefined;
    this.saslSessionLifetimeMs = options.saslSessionLifetimeMs ?? 0;
    this.oauthBearer = options.oauthBearer;
    this.saslMechanisms = options.oauthBearer ? [...SASL_MECHANISMS, 'OAUTHBEARER'] : SASL_MECHANISMS;
    this.superUsers = [`User:${this.adminUser}`, ...(options.superUsers ?? [])];
    this.authorizer = new Authorizer({ superUsers: this.superUsers, allowEveryoneIfNoAclFound: options.allowEveryoneIfNoAclFound });
    this.groups = new GroupCoordinator(options.groups);
    this.accessLog = new AccessLog({ capacity: options.accessLogCapacity });
    this.forensicEmitter = options.forensicEmit === undefined ? undefined : new ForensicEmitter(options.forensicEmit, this.emitterHost());
    this.faults.dropAll = () => {
      for (const c of this.connections) c.destroy();
    };
  }

  /** The broker as the forensic emitter sees it (the cluster id may change when a data directory loads). */
  private emitterHost(): { readonly topics: TopicStore; readonly clusterId: string; now(): number } {
    const clusterId = (): string => this.clusterId;
    return {
      topics: this.topics,
      get clusterId() {
        return clusterId();
      },
      now: () => this.clock.now(),
    };
  }

  /** Loads the data directory (if any), binds the listener and starts retention. */
  async start(): Promise<void> {
    if (this.options.dataDir) {
      this.dataDir = new DataDir(this.options.dataDir, this.logger);
      this.dataDir.load(this, { superUsers: this.superUsers, allowEveryoneIfNoAclFound: this.options.allowEveryoneIfNoAclFound });
    }
    this.topics.listener = {
      event: (e) => this.dataDir?.append(e),
      partitionCreated: (topic, partition) => this.attachPartition(topic, partition),
    };
    this.groups.listener = (e) => this.dataDir?.append(e);
    this.credentials.onChange(() => this.dataDir?.append({ t: 'credentials', data: this.credentials.toJSON() }));
    this.authorizer.onChange(() => this.dataDir?.append({ t: 'acls', data: this.authorizer.toJSON() }));
    for (const topic of this.topics.list()) topic.partitions.forEach((_, i) => this.attachPartition(topic, i));
    this.credentials.setPassword(this.adminUser, this.adminPassword);
    if (!this.topics.get(this.accessLogTopic)) this.topics.create(this.accessLogTopic, 1, new Map([['retention.ms', '-1']]), { internal: true });
    this.forensicEmitter?.createTopics();
    this.accessLog.onRecord((r) => this.queueAccessRecord(r));
    if (this.clock instanceof ManualClock) this.clock.onChange(() => this.runRetention());
    this.retentionTimer = setInterval(() => this.runRetention(), this.options.retentionCheckIntervalMs ?? 1000);
    this.retentionTimer.unref();

    const onSocket = (socket: Socket): void => this.accept(socket);
    const tls = this.options.tls;
    this.server = tls
      ? createTlsServer({
          key: tls.key,
          cert: tls.cert,
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          ...(tls.requireClientCert ? { requestCert: true, rejectUnauthorized: true } : {}),
        }, onSocket)
      : createNetServer(onSocket);
    if (tls) this.server.on('tlsClientError', (err) => this.logger.info({ err: { message: err.message } }, 'kafka TLS handshake refused'));
    this.server.on('error', (err) => this.logger.error({ err }, 'kafka listener error'));
    const server = this.server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      // Nothing may stay behind when the port cannot be bound: timers, parked groups, open files.
      this.server = undefined;
      await this.close();
      throw err;
    }
    const addr = server.address() as AddressInfo;
    this.host = this.options.host ?? '127.0.0.1';
    this.port = addr.port;
    this.logger.info({ host: this.host, port: this.port, tls: this.tlsEnabled }, 'kafka sandbox listening');
  }

  /** Closes every connection and the listener, fails parked group requests and flushes the journal. */
  async close(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.flushAccessRecords();
    this.groups.close();
    for (const waiters of this.fetchWaiters.values()) for (const wake of waiters) wake();
    for (const c of this.connections) c.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
    this.dataDir?.close();
  }

  /** `host:port` of the listener. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  private accept(socket: Socket): void {
    const session: Session = {
      id: this.nextSessionId++,
      host: normalizeHost(socket.remoteAddress ?? 'unknown'),
      port: socket.remotePort ?? 0,
      principal: null,
      mechanism: null,
      exchange: null,
      rawSasl: false,
      expiresAt: null,
      closeAfterReply: false,
    };
    const conn = new Connection(this, socket, session);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  private attachPartition(topic: Topic, partition: number): void {
    const log = topic.partitions[partition];
    if (!log) return;
    const key = `${topic.name}\0${partition}`;
    log.onAppend = () => this.wake(key);
    this.dataDir?.attach(topic, partition, log);
  }

  private wake(key: string): void {
    const waiters = this.fetchWaiters.get(key);
    if (!waiters) return;
    this.fetchWaiters.delete(key);
    for (const wake of waiters) wake();
  }

  /** Resolves when any of the partitions gets data, or after `ms`. */
  waitForData(partitions: ReadonlyArray<{ topic: string; partition: number }>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const keys = partitions.map((p) => `${p.topic}\0${p.partition}`);
      const done = (): void => {
        clearTimeout(timer);
        for (const k of keys) this.fetchWaiters.get(k)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const k of keys) {
        const set = this.fetchWaiters.get(k) ?? new Set();
        set.add(done);
        this.fetchWaiters.set(k, set);
      }
    });
  }

  /** True for principals in `super.users`. */
  isSuperUser(principal: string | null): boolean {
    return principal !== null && this.superUsers.includes(principal);
  }

  /**
   * One authorization decision, recorded in the access log. The access-log topic is special:
   * only super users may read or describe it, and nobody may write, delete or reconfigure it
   * (the broker alone appends), so the record of access cannot be tampered with over the wire.
   */
  authorize(
    session: Session,
    clientId: string,
    api: string,
    operation: number,
    resourceType: number,
    resourceName: string,
    record: boolean | AuthorizationAudit = true,
  ): boolean {
    const principal = session.principal ?? 'User:ANONYMOUS';
    let allowed: boolean;
    if (resourceType === ResourceType.TOPIC && resourceName === this.accessLogTopic) {
      const readOnly = operation === AclOperation.READ || operation === AclOperation.DESCRIBE || operation === AclOperation.DESCRIBE_CONFIGS;
      allowed = readOnly && this.isSuperUser(principal);
    } else {
      allowed = this.authorizer.authorize({ principal, host: session.host, operation, resourceType, resourceName });
    }
    // Reading the access log must not write to it, or a consumer of it would wake itself forever.
    const selfRead = resourceName === this.accessLogTopic && api === 'Fetch';
    const audit: AuthorizationAudit = record === true ? 'all' : record === false ? 'none' : record;
    const recorded = audit === 'all' || (audit === 'allowed-only' && allowed);
    if (recorded && !selfRead) {
      this.accessLog.append({
        time: this.clock.now(),
        kind: 'authorization',
        principal,
        clientId,
        host: session.host,
        api,
        resourceType: resourceTypeName(resourceType),
        resourceName,
        operation: operationName(operation),
        decision: allowed ? 'ALLOW' : 'DENY',
      });
    }
    return allowed;
  }

  /**
   * An authorization that only decides whether a resource appears in a listing (all-topics
   * Metadata, ListGroups, OffsetFetch of every topic): an ALLOW is recorded, a DENY is not. The
   * principal asked for "whatever I may see", not for that resource, so a denial is no attempted
   * access; Kafka's authorizer does not log these denials either (`logIfDenied = false`), and
   * forensics would otherwise read every listing as probing every resource.
   */
  authorizeListing(ctx: ListingContext, operation: number, resourceType: number, resourceName: string): boolean {
    return this.authorize(ctx.session, ctx.clientId, ctx.apiName, operation, resourceType, resourceName, ctx.quiet ? 'none' : 'allowed-only');
  }

  /** True when every named topic is the access-log topic (such requests are not recorded). */
  onlyAccessLog(topics: readonly string[]): boolean {
    return topics.length > 0 && topics.every((t) => t === this.accessLogTopic);
  }

  /** Records a served fetch: which offsets of which partition left the broker, to whom. */
  recordFetch(session: Session, clientId: string, topic: string, partition: number, from: bigint, to: bigint, records: number, bytes: number): void {
    if (topic === this.accessLogTopic) return;
    this.accessLog.append({
      time: this.clock.now(),
      kind: 'fetch',
      principal: session.principal ?? 'User:ANONYMOUS',
      clientId,
      host: session.host,
      api: 'Fetch',
      resourceType: 'TOPIC',
      resourceName: topic,
      operation: 'READ',
      decision: 'ALLOW',
      partition,
      fromOffset: from.toString(),
      toOffset: to.toString(),
      records,
      bytes,
    });
  }

  /**
   * Records an accepted Produce: which offsets of which partition a principal's batches took, and
   * the producer id they carry (the v2 batch header's `producerId`), so forensics can find what a
   * principal wrote as it finds what one read. `to` is exclusive; bytes are the stored batches'.
   */
  recordProduce(session: Session, clientId: string, topic: string, partition: number, batch: { from: bigint; to: bigint; records: number; bytes: number; producerId: bigint; producerEpoch: number }): void {
    if (topic === this.accessLogTopic) return;
    this.accessLog.append({
      time: this.clock.now(),
      kind: 'produce',
      principal: session.principal ?? 'User:ANONYMOUS',
      clientId,
      host: session.host,
      api: 'Produce',
      resourceType: 'TOPIC',
      resourceName: topic,
      operation: 'WRITE',
      decision: 'ALLOW',
      partition,
      fromOffset: batch.from.toString(),
      toOffset: batch.to.toString(),
      records: batch.records,
      bytes: batch.bytes,
      producerId: batch.producerId.toString(),
      producerEpoch: batch.producerEpoch,
    });
  }

  private queueAccessRecord(r: AccessRecord): void {
    this.pendingAccess.push(r);
    if (!this.accessFlushScheduled) {
      this.accessFlushScheduled = true;
      // One batch per event-loop turn keeps the cost per request to a JSON.stringify.
      setImmediate(() => this.flushAccessRecords());
    }
  }

  private flushAccessRecords(): void {
    this.accessFlushScheduled = false;
    const records = this.pendingAccess;
    if (records.length === 0) return;
    this.pendingAccess = [];
    const log = this.topics.get(this.accessLogTopic)?.partitions[0];
    if (!log) return;
    const data = encodeBatch(
      records.map((r) => ({ key: Buffer.from(r.principal), value: Buffer.from(JSON.stringify(r)), timestamp: r.time })),
    );
    log.append([{ data, recordCount: records.length, lastOffsetDelta: records.length - 1, maxTimestamp: records.reduce((m, r) => Math.max(m, r.time), -1) }]);
  }

  /** Enforces retention on every partition now (also runs on a timer and after a ManualClock advance). */
  runRetention(): number {
    return this.topics.applyRetention(this.clock.now());
  }

  /** A fresh producer id for InitProducerId. */
  allocateProducerId(): bigint {
    return this.nextProducerId++;
  }

  /** Creates a topic directly (tests, scenarios); throws on invalid input like CreateTopics would. */
  createTopic(name: string, partitions = this.defaultPartitions, configs: Record<string, string> = {}): Topic {
    const entries = Object.entries(configs).map(([k, v]) => ({ name: k, value: v }));
    this.topics.checkCreate(name, partitions, 1, entries);
    return this.topics.create(name, partitions, new Map(Object.entries(configs)));
  }

  /** Deletes a topic and the group offsets that referred to it. */
  deleteTopic(name: string): void {
    this.topics.delete(name);
    this.groups.dropTopic(name);
  }
}
