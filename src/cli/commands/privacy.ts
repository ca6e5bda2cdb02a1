// `syncline privacy erase --email ADDRESS`: the GDPR erase of one customer (src/core/privacy.ts).
import type { Command } from 'commander';
import { eraseCustomer } from '../../core/privacy.js';
import { using, withDb } from './admin.js';

export function registerPrivacy(program: Command): void {
  const privacy = program.command('privacy').description("personal data: erase one customer's");
  withDb(privacy.command('erase').description("erase a customer's personal data from events, dead letters and runs (business data stays)"))
    .requiredOption('--email <address>', "the customer's e-mail address")
    .action(async (o: { email: string; db?: string; config?: string; json?: boolean }) => {
      await using(o, 'write', async (store) => {
        const report = await eraseCustomer(store, o.email);
        if (o.json) return console.log(JSON.stringify(report));
        console.log(`erased: ${report.events} event(s), ${report.deadLetters} dead letter(s), ${report.runs} run(s)`);
        if (report.pendingJobs) console.log(`${report.pendingJobs} job(s) still queued or running mention this customer: run the erase again once they are delivered`);
      });
    });
}
