// Connection credentials are sealed with AES-256-GCM under a master key: SYNCLINE_MASTER_KEY (32
// bytes, base64 or hex), or a key file generated with mode 0600 in the data directory on first start.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { userError } from './errors.js';

const VERSION = 'v1';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(material: string): SecretBox {
    const trimmed = material.trim();
    const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
    if (key.length !== 32) throw userError('SECRET_KEY_INVALID', 'the master key must be 32 bytes, given as 64 hex characters or base64');
    return new SecretBox(key);
  }

  /** The key from the environment, else from `<dataDir>/master.key`, created (0600) if missing. */
  static load(dataDir: string, env: NodeJS.ProcessEnv = process.env, keyFile?: string): SecretBox {
    if (env.SYNCLINE_MASTER_KEY) return SecretBox.fromKey(env.SYNCLINE_MASTER_KEY);
    // `masterKeyFile` in the configuration (resolved against the file), else <dataDir>/master.key.
    const file = keyFile ?? path.join(dataDir, 'master.key');
    try {
      const mode = statSync(file).mode & 0o777;
      if (mode & 0o077) throw userError('SECRET_KEY_INVALID', `${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${file}`);
      return SecretBox.fromKey(readFileSync(file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    // 'wx': never overwrite a key another process wrote a moment ago (that would orphan its secrets).
    try {
      writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      return new SecretBox(key);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return SecretBox.fromKey(readFileSync(file, 'utf8'));
      throw e;
    }
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  open<T = unknown>(sealed: string): T {
    const [version, body] = sealed.split(':', 2);
    if (version !== VERSION || !body) throw userError('SECRET_UNREADABLE', 'sealed secret has an unknown format');
    const raw = Buffer.from(body, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as T;
    } catch {
      throw userError('SECRET_UNREADABLE', 'a stored secret cannot be decrypted: the master key differs from the one it was sealed with');
    }
  }
}
