// What this connection can write, from its declared configuration (no request): flows decide with
// it instead of provoking a refusal — e.g. the shipment flow writes a tracking number only where
// the store has a tracking module, and otherwise says in the run what it did not write.
import { z } from 'zod';
import { xcartOperation } from './define.js';

export const getCapabilities = xcartOperation({
  id: 'getCapabilities',
  docs: 'https://developer.x-cart.com/5.5.1/api/intro',
  input: z.strictObject({}).default({}),
  output: z.object({ trackingModule: z.enum(['none', 'legacy-rest']), trackingNumbers: z.boolean() }),
  async run(client) {
    const module = client.config.trackingModule ?? 'none';
    return { trackingModule: module, trackingNumbers: module === 'legacy-rest' && Boolean(client.config.legacyKey) };
  },
});
