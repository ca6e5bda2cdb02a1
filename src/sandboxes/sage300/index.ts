// `syncline sandbox sage300`: a stateful Sage 300 Web API for tests, benchmarks and the demo.
import type { RunningSandbox, SandboxOptions } from '../shared/types.js';
import { createSandboxApp, listen } from '../shared/server.js';
import { installApi, renderSageError } from './app.js';
import { BackOffice } from './backoffice.js';
import { Company } from './company.js';
import { seedCompany, WEB_CUSTOMER } from './seed.js';
import { SandboxFeatures } from '../shared/features.js';
import { sage300FeaturesSchema, type Sage300Features } from './features.js';

export { BackOffice, type ShipResult, type StockLevel } from './backoffice.js';
export { WEB_CUSTOMER } from './seed.js';
export { sage300FeaturesSchema, type Sage300Features } from './features.js';

export interface Sage300Sandbox extends RunningSandbox {
  credentials: { user: string; password: string; company: string };
  backOffice: BackOffice;
  /** The simulated company, for tests that need to look behind the API. */
  company: Company;
  /** Which Sage 300 it plays (features.ts); `set` applies at once, as PUT /__sandbox/features does. */
  features: { readonly current: Sage300Features; set(raw: unknown): Sage300Features };
  /** The house customer guest orders use. */
  webCustomer: string;
  /** Counts of injected faults by kind (5xx, 429, timeout, drop, lock). */
  faultsInjected(): Record<string, number>;
  /** Starts recording every request as it arrives (before faults), for tests that check client pacing. */
  recordRequests(): { requests: Array<{ at: number; method: string; url: string }>; stop(): void };
}

export async function start(options: SandboxOptions = {}): Promise<Sage300Sandbox> {
  const credentials = {
    user: options.credentials?.user ?? 'WEBAPI',
    password: options.credentials?.password ?? 'WEBAPI',
    company: (options.credentials?.company ?? 'SAMLTD').toUpperCase(),
  };
  // --time-scale runs the company clock faster (audit stamps, order and invoice dates), e.g. for demos.
  const t0 = Date.now();
  const scale = options.timeScale && options.timeScale > 0 ? options.timeScale : 1;
  const company = new Company(credentials.company, scale === 1 ? () => new Date() : () => new Date(t0 + (Date.now() - t0) * scale));
  seedCompany(company, options.seed ?? 1);
  const { app, faults } = createSandboxApp({
    faults: options.faults ?? { rules: [], seed: options.seed ?? 42 },
    renderError: (status) => renderSageError(status),
    // Requests held open by the timeout fault must not keep close() waiting.
    fastify: { forceCloseConnections: true },
  });
  const features = new SandboxFeatures(sage300FeaturesSchema, options.features);
  features.install(app);
  installApi(app, { company, user: credentials.user, password: credentials.password, faults, features: () => features.current });
  const backOffice = new BackOffice(company);
  backOffice.install(app);
  let recording: Array<{ at: number; method: string; url: string }> | null = null;
  // The raw server sees a request before any hook, so injected faults are recorded too.
  app.server.on('request', (req) => {
    if (recording) recording.push({ at: performance.now(), method: req.method ?? '', url: req.url ?? '' });
  });
  const url = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    name: 'sage300',
    url,
    credentials,
    backOffice,
    company,
    features,
    webCustomer: WEB_CUSTOMER,
    faultsInjected: () => ({ ...faults.injected }),
    recordRequests: () => {
      const requests: Array<{ at: number; method: string; url: string }> = [];
      recording = requests;
      return { requests, stop: () => { if (recording === requests) recording = null; } };
    },
    close: async () => {
      await app.close();
    },
  };
}
