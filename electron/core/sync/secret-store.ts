import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the cloud tokens are kept. The headless station uses an owner-only file; the Electron
 * shell can plug in an implementation encrypting with safeStorage. The password is never stored.
 */
export interface SecretStore {
  read(): Promise<string | null>;
  write(secret: string): Promise<void>;
  clear(): Promise<void>;
  /** Shown in the status, e.g. "file readable only by its owner". */
  readonly description: string;
}

const OWNER_ONLY = 0o600;

/**
 * A file readable and writable only by its owner (mode 0600), replaced atomically so a crash
 * never leaves half a secret. On Windows the mode bits do not apply; the per-user data folder's
 * ACL is what protects it there.
 */
export class FileSecretStore implements SecretStore {
  readonly description = 'file readable only by its owner (mode 0600)';

  constructor(readonly file: string) {}

  async read(): Promise<string | null> {
    try {
      const stat = await fs.promises.stat(this.file);
      // Someone loosened the mode: tighten it again rather than keep a readable secret.
      if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0)
        await fs.promises.chmod(this.file, OWNER_ONLY);
      return await fs.promises.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async write(secret: string): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    // Created with 0600 from the start: the secret is never readable by others, not even briefly.
    const handle = await fs.promises.open(temp, 'w', OWNER_ONLY);
    try {
      await handle.writeFile(secret, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.chmod(temp, OWNER_ONLY);
    await fs.promises.rename(temp, this.file);
  }

  async clear(): Promise<void> {
    await fs.promises.rm(this.file, { force: true });
  }
}

/** For tests and for a station that must not keep a session across restarts. */
export class MemorySecretStore implements SecretStore {
  readonly description = 'memory only (forgotten when the station stops)';
  private value: string | null = null;

  async read(): Promise<string | null> {
    return this.value;
  }

  async write(secret: string): Promise<void> {
    this.value = secret;
  }

  async clear(): Promise<void> {
    this.value = null;
  }
}
