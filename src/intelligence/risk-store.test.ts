import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../core/db/database.js';
import { riskStoreContract } from './risk-store.contract.js';

const dir = mkdtempSync(path.join(tmpdir(), 'risk-store-'));
riskStoreContract(
  'SQLite file',
  () => openStore({ dialect: 'sqlite', file: path.join(dir, 'syncline.db') }),
  async () => rmSync(dir, { recursive: true, force: true }),
);
