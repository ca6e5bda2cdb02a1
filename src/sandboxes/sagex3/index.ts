// Placeholder while the sagex3 sandbox is being written (see its issue); replaced by the real sandbox.
import type { SandboxOptions, RunningSandbox } from '../shared/types.js';

export async function start(_options: SandboxOptions): Promise<RunningSandbox> {
  throw new Error('the sagex3 sandbox is not built yet');
}
