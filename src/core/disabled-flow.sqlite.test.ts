import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from './db/database.js';
import { disabledFlowContract } from './disabled-flow.contract.js';

let dir = '';
disabledFlowContract(
  'SQLite file',
  async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-disabled-'));
    return openStore({ dialect: 'sqlite', file: path.join(dir, 'db.sqlite') });
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);
