// The connection test reports when Sage 300's own duplicate-PO guard is off for some customers (issue 10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Sage300Sandbox } from '../../sandboxes/sage300/index.js';
import { sage300Connector } from './index.js';

describe('Sage 300 connection test: the duplicate-PO guard', () => {
  let sb: Sage300Sandbox;
  beforeAll(async () => {
    sb = await start({ port: 0, seed: 1 });
  });
  afterAll(async () => sb?.close());

  it('names how many customers have "Check for duplicate POs" off, and says nothing once all have it on', async () => {
    const client = sage300Connector.createClient({ baseUrl: sb.url, company: sb.credentials.company, user: sb.credentials.user, password: sb.credentials.password }, { connection: 'guard' });
    const off = sb.company.customers.table.rows().filter((c) => c.CheckForDuplicatePOs !== 'Error').length;
    expect(off).toBeGreaterThan(0);
    const said = await sage300Connector.testConnection(client);
    expect(said && said.notes?.[0]).toContain(`${off} customer(s) have "Check for duplicate POs" off`);
    for (const c of sb.company.customers.table.rows()) (c as Record<string, unknown>).CheckForDuplicatePOs = 'Error';
    const again = await sage300Connector.testConnection(client);
    expect(again && again.notes).toEqual([]);
  });
});
