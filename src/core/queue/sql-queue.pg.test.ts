import { openPgStore, dropSchema, uniqueSchema } from '../../../test/support/pg.js';
import { queueContract } from './queue.contract.js';

let schema = '';
queueContract(
  'PostgreSQL',
  async () => {
    schema = uniqueSchema('queue');
    return openPgStore(schema);
  },
  async () => dropSchema(schema),
);
