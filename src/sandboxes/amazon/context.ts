// The state of one running Amazon sandbox: clock, buckets, credentials and tokens, the marketplace,
// stored documents, queues, subscriptions, feeds and reports. Routes receive this object.
import { randomBytes } from 'node:crypto';
import { SandboxClock } from './clock.js';
import { SandboxBuckets } from './limits.js';
import { Marketplace, type EventGroup } from './marketplace.js';
import { SqsQueue } from './queue.js';
import type { FaultInjector } from '../shared/faults.js';
import { SandboxFeatures } from '../shared/features.js';
import { amazonFeaturesSchema } from './features.js';

export interface AmazonCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  sellerId: string;
  marketplaceId: string;
  /** Seconds an LWA access token lives (Amazon: 3600). */
  tokenTtlS: number;
}

export interface RestrictedResource {
  method: string;
  path: string;
  dataElements?: string[];
}

export interface AccessToken {
  value: string;
  kind: 'lwa' | 'rdt' | 'grantless';
  sellerId: string;
  expiresAt: number;
  resources?: RestrictedResource[];
}

export interface StoredDocument {
  id: string;
  kind: 'feed' | 'feedResult' | 'report';
  contentType: string;
  /** Absent until the client uploads a feed document. */
  content?: Buffer;
  /** Large reports are produced on the fly (gzip stream), never held in memory. */
  producer?: () => AsyncIterable<string>;
  gzip: boolean;
  createdAt: number;
  /** Sandbox time when the pre-signed URL stops working (Amazon: 5 minutes). */
  urlExpiresAt: number;
}

export interface FeedRecord {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  createdTime: number;
  processingStatus: 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';
  processingStartTime?: number;
  processingEndTime?: number;
  inputFeedDocumentId: string;
  resultFeedDocumentId?: string;
}

export interface ReportRecord {
  reportId: string;
  reportType: string;
  marketplaceIds: string[];
  dataStartTime?: number;
  dataEndTime?: number;
  createdTime: number;
  processingStatus: 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';
  processingStartTime?: number;
  processingEndTime?: number;
  reportDocumentId?: string;
  settlement?: EventGroup;
}

export interface Destination {
  destinationId: string;
  name: string;
  arn: string;
}

export interface Subscription {
  subscriptionId: string;
  notificationType: string;
  payloadVersion: string;
  destinationId: string;
}

export const DEFAULT_CREDENTIALS: AmazonCredentials = {
  clientId: 'amzn1.application-oa2-client.syncline-sandbox',
  clientSecret: 'sandbox-client-secret',
  refreshToken: 'Atzr|syncline-sandbox-refresh-token',
  sellerId: 'A2SYNCLINESELLER',
  marketplaceId: 'ATVPDKIKX0DER',
  tokenTtlS: 3600,
};

export class AmazonSandbox {
  readonly clock: SandboxClock;
  readonly buckets: SandboxBuckets;
  readonly creds: AmazonCredentials;
  readonly tokens = new Map<string, AccessToken>();
  readonly market: Marketplace;
  readonly documents = new Map<string, StoredDocument>();
  readonly feeds = new Map<string, FeedRecord>();
  readonly reports = new Map<string, ReportRecord>();
  readonly destinations = new Map<string, Destination>();
  readonly subscriptions = new Map<string, Subscription>();
  /** Queues by name; the ARN's last segment names the queue. */
  readonly queues = new Map<string, SqsQueue>();
  readonly stats = { throttled: 0, calls: {} as Record<string, number> };
  baseUrl = '';
  /** Sees every SP-API request and answer (fidelity tests). */
  recorder?: (x: import('./http.js').Exchange) => void;
  faults?: FaultInjector;
  /** Which SP-API it plays (features.ts); set from `options.features` or PUT /__sandbox/features. */
  readonly features = new SandboxFeatures(amazonFeaturesSchema);
  private idSeq = 50_000_000;

  constructor(opts: { seed?: number; timeScale?: number; credentials?: Partial<AmazonCredentials>; historicalOrders?: number } = {}) {
    this.clock = new SandboxClock(opts.timeScale ?? 1);
    this.buckets = new SandboxBuckets(() => this.clock.now());
    this.creds = { ...DEFAULT_CREDENTIALS, ...opts.credentials };
    this.market = new Marketplace(this.creds.sellerId, this.clock, (type, data) => this.onMarketEvent(type, data), opts.seed ?? 1, {
      historicalOrders: opts.historicalOrders,
    });
  }

  /** Numeric ids as Amazon prints them for feeds and reports. */
  nextId(): string {
    return String(++this.idSeq);
  }

  issueToken(kind: AccessToken['kind'], ttlS: number, resources?: RestrictedResource[]): AccessToken {
    const prefix = kind === 'rdt' ? 'Atz.sprdt|' : 'Atza|';
    const t: AccessToken = { value: prefix + randomBytes(48).toString('base64url'), kind, sellerId: this.creds.sellerId, expiresAt: this.clock.now() + ttlS * 1000, ...(resources ? { resources } : {}) };
    this.tokens.set(t.value, t);
    return t;
  }

  /** Test/demo helper: every issued token expires now (a long run crossing the hour). */
  expireTokens(): number {
    const now = this.clock.now();
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
    return this.tokens.size;
  }

  queue(name: string): SqsQueue {
    let q = this.queues.get(name);
    if (!q) {
      q = new SqsQueue(name, this.clock);
      this.queues.set(name, q);
    }
    return q;
  }

  /** Set by the reports module: publishes a generated settlement of `n` lines (load tests). */
  publishSyntheticSettlement: (n: number) => { reportId: string; reportDocumentId: string; settlementId: string; total: string } = () => {
    throw new Error('reports module not installed');
  };

  /** Set by the notifications module: turns marketplace changes into notifications. */
  onMarketEvent: (type: string, data: unknown) => void = () => {};
}
