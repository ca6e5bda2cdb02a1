// The sandboxes the CLI can start by name. Loaded lazily so one sandbox never pays for another.
import type { SandboxStarter } from './shared/types.js';

export const sandboxes: Record<string, { defaultPort: number; load: () => Promise<SandboxStarter> }> = {
  xcart: { defaultPort: 4101, load: async () => (await import('./xcart/index.js')).start },
  sage300: { defaultPort: 4102, load: async () => (await import('./sage300/index.js')).start },
  amazon: { defaultPort: 4103, load: async () => (await import('./amazon/index.js')).start },
  sagex3: { defaultPort: 4104, load: async () => (await import('./sagex3/index.js')).start },
};
