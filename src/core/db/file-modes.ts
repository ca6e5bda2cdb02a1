// The SQLite store holds personal data and sealed credentials: its files are the owner's alone
// (0600: the database, its -wal and -shm) and a folder we create for them is 0700 (decision 0006).
// A folder that already exists is left as it is: it may be a shared one the operator chose.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const sidecars = (file: string) => [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];

/** Before opening: the folder (0700 when created here) and the file, created empty with 0600 so it is never readable by others, not even for a moment. */
export function prepareSqliteFile(file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: DIR_MODE });
  if (!existsSync(file)) {
    try {
      writeFileSync(file, '', { mode: FILE_MODE, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  restrictSqliteFiles(file);
}

/** 0600 on the database and whichever of its -wal, -shm, -journal exist (an older store may be 0644). */
export function restrictSqliteFiles(file: string): void {
  for (const f of sidecars(file)) {
    try {
      chmodSync(f, FILE_MODE);
    } catch (e) {
      // Missing sidecar, or a file we do not own (then SQLite's own access rules apply): nothing to do.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    }
  }
}
