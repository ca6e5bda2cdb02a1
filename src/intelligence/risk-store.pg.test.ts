import { dropSchema, openPgStore, uniqueSchema } from '../../test/support/pg.js';
import { riskStoreContract } from './risk-store.contract.js';

const schema = uniqueSchema('risk');
riskStoreContract('PostgreSQL', () => openPgStore(schema), () => dropSchema(schema));
