// The Sage X3 connector: classic SOAP web services (CAdxWebServiceXmlCC) for writes and reads by key,
// api1 REST queries for polling. Publication names, layouts, pool alias and payload format are
// configuration, because every X3 site publishes its own.
import type { z } from 'zod';
import type { ConnectorDefinition } from '../types.js';
import { SageX3Client, SOAP_DOCS, sagex3ConfigSchema, type SageX3Config } from './client.js';
import { api1Query } from './operations/api1-query.js';
import { deleteRecord } from './operations/delete.js';
import { getDescription } from './operations/get-description.js';
import { getSellableStock, getStock } from './operations/get-stock.js';
import { countStock } from './operations/count-stock.js';
import { modify } from './operations/modify.js';
import { query } from './operations/query.js';
import { read } from './operations/read.js';
import { save } from './operations/save.js';
import { creditOrderRefund, invoiceSettledOrder } from './operations/settled-order.js';
import { closeSalesOrder, moveStock } from './operations/site-subprograms.js';

export const operations = { save, read, query, modify, delete: deleteRecord, getDescription, getStock, getSellableStock, countStock, closeSalesOrder, moveStock, invoiceSettledOrder, creditOrderRefund, api1Query };

export const sagex3Connector: ConnectorDefinition<SageX3Config, SageX3Client> & { operations: typeof operations } = {
  id: 'sagex3',
  name: 'Sage X3 (classic SOAP web services CAdxWebServiceXmlCC, api1 REST queries)',
  apiVersion: 'X3 V12 Syracuse: SOAP 1.1 RPC/encoded, api1',
  docs: SOAP_DOCS,
  configSchema: sagex3ConfigSchema as unknown as z.ZodType<SageX3Config>,
  // X3 publishes no request rate; the pool's channels are the limit (`maxConcurrent`).
  rateLimits: {},
  createClient: (config, deps) => new SageX3Client(config, deps),
  // getDescription on the order publication proves credentials, pool alias and publication at once.
  testConnection: async (client) => {
    await client.call('getDescription', { publicName: client.publication('SOH') });
  },
  operations,
};

export { SageX3Client } from './client.js';
export type { SageX3Config } from './client.js';
export { createSalesOrderOnce, findSalesOrderByReference } from './lookup.js';
export * from './triggers.js';
export * from './views.js';
