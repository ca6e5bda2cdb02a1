import { dropSchema, openPgStore, uniqueSchema } from '../../test/support/pg.js';
import { disabledFlowContract } from './disabled-flow.contract.js';

let schema = '';
disabledFlowContract(
  'PostgreSQL',
  async () => {
    schema = uniqueSchema('disabled');
    return openPgStore(schema);
  },
  async () => dropSchema(schema),
);
