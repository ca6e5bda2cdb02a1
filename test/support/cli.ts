// `syncline ARGS` as an operator runs it: bin/syncline.js in a child process (the compiled CLI when
// dist/ is current), resolving with the exit code and both streams whatever the code.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export const SYNCLINE_BIN = path.resolve(import.meta.dirname, '../../bin/syncline.js');

export async function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SYNCLINE_BIN, ...args], { env: opts.env ?? process.env, ...(opts.cwd ? { cwd: opts.cwd } : {}), timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
