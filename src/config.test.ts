// The configuration schema: strict keys with hints, every problem at once with its path and
// connection id, ${ENV} substitution, paths relative to the file, and which store a command uses.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig, loadConfig, parseConfig, resolveAcceptedMappings, resolveStoreUrl } from './config.js';
import { failure } from '../test/support/failure.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'syncline-config-unit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shop = { id: 'shop', system: 'xcart', config: { baseUrl: 'http://127.0.0.1:1', token: 't' } };
const erp = { id: 'erp', system: 'sage300', config: { baseUrl: 'http://127.0.0.1:2', company: 'SAMLTD', user: 'WEBAPI', password: 'p' } };

describe('checkConfig', () => {
  it('lists every problem at once, each with its path, the connection id and a hint for a typo', async () => {
    const { config, problems } = await checkConfig(
      {
        conections: [],
        flow: [],
        connections: [{ ...erp, config: { ...erp.config, baseUrl: 42 }, webhookSecret: 'short' }, { ...shop, sytem: 'xcart' }, shop],
        flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'shop', erp: 'nope' }, since: 'yesterday' }, { use: 'xcart-order-to-sage30', connections: {} }],
      },
      { env: {} },
    );
    expect(config).toBeUndefined();
    const text = problems.map((p) => `${p.path}: ${p.message}`);
    expect(text).toContain('(root): unknown key "conections" (did you mean "connections"?); unknown key "flow" (did you mean "flows"?)');
    expect(text.some((t) => t.startsWith('connections[0] (erp).webhookSecret:'))).toBe(true);
    expect(text.some((t) => t.startsWith('connections[0] (erp).config.baseUrl:'))).toBe(true);
    expect(text).toContain('connections[1] (shop): unknown key "sytem" (did you mean "system"?)');
    expect(text).toContain('connections[2] (shop).id: two connections have the id "shop"');
    expect(text).toContain('flows[0] (xcart-order-to-sage300).connections.erp: names connection "nope", but no connection has that id');
    expect(text.some((t) => t.startsWith('flows[0] (xcart-order-to-sage300).since:'))).toBe(true);
    expect(text.find((t) => t.startsWith('flows[1] (xcart-order-to-sage30).use:'))).toContain('(did you mean "xcart-order-to-sage300"?)');
  });

  it('${NAME} takes the environment; an unset one is a problem; $${ is a literal', async () => {
    const input = { connections: [{ ...erp, config: { ...erp.config, password: '${ERP_PASSWORD}', user: '$${x}' } }] };
    expect((await checkConfig(input, { env: {} })).problems).toEqual([{ path: 'connections[0] (erp).config.password', message: 'environment variable ERP_PASSWORD is not set' }]);
    const { config } = await checkConfig(input, { env: { ERP_PASSWORD: 's3cret' } });
    expect(config!.connections[0]!.config).toMatchObject({ password: 's3cret', user: '${x}' });
  });

  it('accepts since (a date, a date-time, now or all) and options on a flow', async () => {
    for (const since of ['now', 'all', '2026-12-01', '2026-12-01T08:00:00Z']) {
      const { problems } = await checkConfig({ connections: [shop, erp], flows: [{ use: 'xcart-order-to-sage300', connections: { shop: 'shop', erp: 'erp' }, since, options: { a: 1 } }] }, { env: {} });
      expect(problems).toEqual([]);
    }
  });

  it('a flow with a poller and no since is a problem naming the flow, the polled connection and the choices; a flow without a poller needs none', async () => {
    const { config, problems } = await checkConfig(
      {
        connections: [shop, erp],
        flows: [
          { use: 'xcart-order-to-sage300', connections: { shop: 'shop', erp: 'erp' } },
          { use: 'xcart-customer-to-sage300', connections: { shop: 'shop', erp: 'erp' } },
        ],
        server: { port: -1 },
      },
      { env: {} },
    );
    expect(config).toBeUndefined();
    // Listed with the others, not instead of them.
    expect(problems.map((p) => p.path)).toEqual(['server.port', 'flows[0] (xcart-order-to-sage300).since']);
    expect(problems[1]!.message).toBe('required: the first poll of shop:orders needs a starting point — since: now (from the start on), a date such as 2026-12-01 (a cut-over), or since: all (the whole history, a back-fill) (docs/configuration.md, "First start")');
  });
});

describe('loadConfig and the store', () => {
  it('resolves dataDir, the database, the key file, lookups and mappings against the file, not the working directory', async () => {
    const file = path.join(dir, 'conf', 'syncline.yaml');
    rmSync(path.dirname(file), { recursive: true, force: true });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'dataDir: ./state\nmasterKeyFile: ../keys/master.key\nlookupsDir: lookups\ndatabase: sqlite:db/s.db\n');
    const config = await loadConfig(file, { env: {} });
    expect(config.dataDir).toBe(path.join(dir, 'conf', 'state'));
    expect(config.database).toBe(`sqlite:${path.join(dir, 'conf', 'db', 's.db')}`);
    expect(config.masterKeyFile).toBe(path.join(dir, 'keys', 'master.key'));
    expect(config.lookupsDir).toBe(path.join(dir, 'conf', 'lookups'));
  });

  it('a file with problems throws CONFIG_INVALID listing all of them', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ conections: [], worker: { concurrency: 0 } }));
    const e = await failure(loadConfig(file, { env: {} }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('2 problems');
    expect(e.message).toContain('conections');
    expect(e.message).toContain('worker.concurrency');
  });

  it('store precedence: --db, then --config, then $SYNCLINE_DATABASE_URL, then ./data; what was ignored is said', async () => {
    const file = path.join(dir, 'store.yaml');
    writeFileSync(file, 'dataDir: ./d\n');
    const env = { SYNCLINE_DATABASE_URL: 'sqlite:/elsewhere.db' };
    expect(await resolveStoreUrl({ db: 'sqlite:/x.db', config: file }, env)).toEqual({ url: 'sqlite:/x.db', from: '--db', ignored: '--config and $SYNCLINE_DATABASE_URL' });
    expect(await resolveStoreUrl({ config: file }, env)).toEqual({ url: `sqlite:${path.join(dir, 'd', 'syncline.db')}`, from: `--config ${file}`, ignored: '$SYNCLINE_DATABASE_URL' });
    expect(await resolveStoreUrl({}, env)).toEqual({ url: 'sqlite:/elsewhere.db', from: '$SYNCLINE_DATABASE_URL' });
    expect((await resolveStoreUrl({}, {})).from).toBe('the default (./data/syncline.db)');
  });

  it('accepted suggestions: --store, else in --config\'s data folder (relative to the file), else ./data', async () => {
    const file = path.join(dir, 'suggest.yaml');
    writeFileSync(file, 'dataDir: ./d\n');
    expect(await resolveAcceptedMappings({ config: file }, {})).toBe(path.join(dir, 'd', 'accepted-mappings.json'));
    expect(await resolveAcceptedMappings({ config: file, store: 'x.json' }, {})).toBe(path.resolve('x.json'));
    expect(await resolveAcceptedMappings({}, {})).toBe(path.resolve('data', 'accepted-mappings.json'));
  });

  it('parseConfig (configurations built in code) is strict too', () => {
    expect(() => parseConfig({ connections: [shop], flows: [{ use: 'x', connections: { shop: 'shop' } }], extra: 1 })).toThrow(/unknown key "extra"/);
  });
});
