// The connectors main.ts can wire, by system id.
import type { ConnectorDefinition } from './types.js';
import { xcartConnector } from './xcart/index.js';
import { sage300Connector } from './sage300/index.js';
import { amazonConnector } from './amazon/index.js';
import { sagex3Connector } from './sagex3/index.js';

export const connectors: Record<string, ConnectorDefinition<any, any>> = {
  xcart: xcartConnector,
  sage300: sage300Connector,
  amazon: amazonConnector,
  sagex3: sagex3Connector,
};
