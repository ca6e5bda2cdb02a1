// A sandbox in its own process for bench/amazon-x3/orders.ts, as the real Amazon and X3 are not in
// Syncline's: `amazon` (seed 1, no historical orders, rate limits off) or `sagex3` (seed 1, pool
// SYNCLINE with 16 channels). Forked with an IPC channel; it sends {url, credentials} once listening
// and answers messages: {place: N} places N orders (alternately AFN and MFN, Unshipped) and answers
// {placed}; {count: true} answers {soh} (the sales orders X3 holds); {cpu: true} answers {cpuMs}
// (this process's CPU since start); {close: true} closes and exits.
import { start as startAmazon } from '../../src/sandboxes/amazon/index.js';
import { start as startX3 } from '../../src/sandboxes/sagex3/index.js';

const which = process.argv[2];
const send = (m: unknown) => process.send!(m);
if (which === 'amazon') {
  const amazon = await startAmazon({ seed: 1, historicalOrders: 0, rateLimits: false });
  process.on('message', async (m: { place?: number; cpu?: boolean; close?: boolean }) => {
    if (m.place !== undefined) {
      const market = amazon.sandbox.market;
      for (let i = 0; i < m.place; i++) market.placeOrder({ channel: i % 2 ? 'AFN' : 'MFN', status: 'Unshipped' });
      send({ placed: m.place });
    } else if (m.cpu) send({ cpuMs: cpuMs() });
    else if (m.close) {
      await amazon.close();
      process.exit(0);
    }
  });
  send({ url: amazon.url, credentials: amazon.credentials });
} else if (which === 'sagex3') {
  const x3 = await startX3({ seed: 1, pools: { SYNCLINE: { channels: 16 } } });
  process.on('message', async (m: { count?: boolean; cpu?: boolean; close?: boolean }) => {
    if (m.count) send({ soh: x3.state.stores.SOH.size });
    else if (m.cpu) send({ cpuMs: cpuMs() });
    else if (m.close) {
      await x3.close();
      process.exit(0);
    }
  });
  send({ url: x3.url, credentials: x3.credentials });
} else {
  console.error('usage: amazon-x3-sandbox.child amazon|sagex3');
  process.exit(2);
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}
