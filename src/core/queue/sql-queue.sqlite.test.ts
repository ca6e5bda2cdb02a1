import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../db/database.js';
import { queueContract } from './queue.contract.js';

let dir = '';
queueContract(
  'SQLite (file, WAL)',
  async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'syncline-queue-'));
    return openStore({ dialect: 'sqlite', file: path.join(dir, 'test.db') });
  },
  async () => rmSync(dir, { recursive: true, force: true }),
);
