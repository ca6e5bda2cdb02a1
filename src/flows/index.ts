// Every flow configuration can name, by id.
import type { FlowTemplate } from './types.js';
import { xcartOrderToSage300 } from './xcart-sage300/index.js';

export const flowTemplates: Record<string, FlowTemplate> = {
  [xcartOrderToSage300.id]: xcartOrderToSage300,
};
