// Progress bars of long CLI work (issue 11), on a real terminal: `demo --exit` and `settlement import`
// run the compiled CLI under a pseudo-terminal (`script` from util-linux gives the child a tty on
// stdout and stderr), and the bar must show there; with --json on the same terminal, and piped, it
// must not (piped output and one-JSON-document stdout never carry bar frames). Checked: with the bar
// never drawn the terminal case fails, with --json ignored the --json case fails; the piped case is
// guarded twice (src/cli/progress.ts and cli-progress itself draws nothing on a stream that is no tty).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { total, US, usRows, v2File } from '../../src/settlement/settlement.testkit.js';
import { runCli, SYNCLINE_BIN } from '../support/cli.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'syncline-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasScript = (() => {
  try {
    return /util-linux/.test(execFileSync('script', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();
if (!hasScript) console.warn('progress-tty: util-linux `script` is not installed; the terminal cases are skipped');

const env = { ...process.env, SYNCLINE_DATABASE_URL: '', SYNCLINE_LOG_LEVEL: 'warn', SYNCLINE_MASTER_KEY: '11'.repeat(32) };
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// Colours, cursor moves and carriage returns of a terminal session, so the text can be matched.
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');

/** `syncline ARGS` on a pseudo-terminal: everything the terminal showed (stdout and stderr), and the exit code. */
async function onTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, SYNCLINE_BIN, ...args].map(quote).join(' ');
  try {
    const { stdout } = await promisify(execFile)('script', ['-qfec', command, '/dev/null'], { cwd: root, env, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, screen: plain(stdout) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, screen: plain(err.stdout ?? '') };
  }
}

describe.skipIf(!hasScript)('progress bars on a terminal, never under --json or piped', () => {
  it('settlement import --dry-run: a bar over the file\'s bytes on a tty; none with --json; none piped', async () => {
    const rows = usRows();
    const file = path.join(dir, 'settlement.txt');
    writeFileSync(file, v2File({ ...US, id: '41000000077', total: total(rows) }, rows));
    const args = ['settlement', 'import', file, '--dry-run', '--options', JSON.stringify({ site: 'US011', clearingPartner: null })];

    const tty = await onTerminal(args);
    expect(tty.code, tty.screen).toBe(0);
    expect(tty.screen).toMatch(/settlement \[[█░]+\] \d+\/\d+ 100% · .* · lines \d+/);
    expect(tty.screen).toContain('status dry-run');

    const json = await onTerminal([...args, '--json']);
    expect(json.code, json.screen).toBe(0);
    expect(json.screen).not.toMatch(/settlement \[/);
    expect(JSON.parse(json.screen.trim())).toMatchObject({ settlementId: '41000000077', status: 'dry-run' });

    const pipe = await runCli(args, { env, cwd: root });
    expect(pipe.code, pipe.stderr).toBe(0);
    expect(pipe.stdout).toContain('status dry-run');
    expect(pipe.stdout + pipe.stderr).not.toMatch(/settlement \[/);
  }, 600_000);

  it('demo --exit: a bar of orders in Sage 300 on a tty; none with --json; none piped', async () => {
    const args = ['demo', '--exit', '--orders', '3'];

    const tty = await onTerminal(args);
    expect(tty.code, tty.screen).toBe(0);
    expect(tty.screen).toMatch(/orders in Sage 300 \[[█░]+\] 3\/3 100%/);

    const json = await onTerminal([...args, '--json']);
    expect(json.code, json.screen).toBe(0);
    expect(json.screen).not.toMatch(/orders in Sage 300 \[/);
    expect(json.screen).toMatch(/"delivered":3\b/);

    const pipe = await runCli(args, { env, cwd: root });
    expect(pipe.code, pipe.stderr).toBe(0);
    expect(pipe.stdout + pipe.stderr).not.toMatch(/orders in Sage 300 \[/);
  }, 600_000);
});
