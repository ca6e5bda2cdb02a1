// The `syncline` command. Each sub-command lives in commands/<name>.ts and registers itself here.
import { Command } from 'commander';
import { registerSandbox } from './commands/sandbox.js';
import { registerDemo } from './commands/demo.js';
import { registerAdmin } from './commands/admin.js';
import { registerMapping } from './commands/mapping.js';

const program = new Command('syncline')
  .description('Syncline: keep e-commerce channels and ERPs in step, exactly once in effect.')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode);
  });

registerSandbox(program);
registerDemo(program);
registerAdmin(program);
registerMapping(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
