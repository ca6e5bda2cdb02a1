import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { FaultInjector, type ErrorRenderer, type FaultConfig } from './faults.js';

export interface SandboxApp {
  app: FastifyInstance;
  faults: FaultInjector;
}

/** A Fastify app with fault injection installed; the sandbox adds its routes, then calls `listen`. */
export function createSandboxApp(opts: { faults?: FaultConfig; renderError: ErrorRenderer; fastify?: FastifyServerOptions }): SandboxApp {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, ...opts.fastify });
  const faults = new FaultInjector(opts.faults);
  faults.install(app, opts.renderError);
  return { app, faults };
}

/** Listens (port 0 = any free port) and returns the base URL. */
export async function listen(app: FastifyInstance, port = 0, host = '127.0.0.1'): Promise<string> {
  await app.listen({ port, host });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host}:${actualPort}`;
}
