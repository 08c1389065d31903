import fs from 'node:fs';
import path from 'node:path';

import { FileSecretStore, type SecretStore } from '../core/sync/secret-store';

/**
 * The parts of Electron's safeStorage the store uses: the asynchronous calls (the synchronous
 * ones are deprecated and due to be removed). Only valid once the app is ready.
 */
export interface StringEncryptor {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  /** shouldReEncrypt: the key was rotated or a stronger one is available. */
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: which keyring backs the encryption. */
  getSelectedStorageBackend?(): string;
}

export const ENCRYPTED_SECRET_FILE = 'cloud-session.enc';
export const PLAIN_SECRET_FILE = 'cloud-session.json';
const OWNER_ONLY = 0o600;

/**
 * The cloud session's tokens encrypted with the OS's keychain (Electron safeStorage: Keychain on
 * macOS, DPAPI on Windows, the Secret Service or KWallet on Linux), in an owner-only file
 * replaced atomically. A file that no longer decrypts (keychain reset, copied from another
 * machine) reads as "no session": the technician signs in again. One encrypted with a key the
 * keychain has since rotated is written again with the new key.
 */
export class SafeStorageSecretStore implements SecretStore {
  constructor(
    readonly file: string,
    private readonly encryptor: StringEncryptor,
    readonly description: string,
    private readonly onUnreadable: (error: unknown) => void = () => undefined,
    /** The owner-only file a headless station (or a keyring-less run) left: encrypted on first read. */
    private readonly plainFile?: string,
  ) {}

  async read(): Promise<string | null> {
    let encrypted: Buffer;
    try {
      encrypted = await fs.promises.readFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.adoptPlainFile();
      throw error;
    }
    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.encryptor.decryptStringAsync(encrypted);
    } catch (error) {
      this.onUnreadable(error);
      return null;
    }
    // The session is read either way; a failed rewrite leaves the old file, still readable.
    if (decrypted.shouldReEncrypt) await this.write(decrypted.result).catch(() => undefined);
    return decrypted.result;
  }

  async write(secret: string): Promise<void> {
    const encrypted = await this.encryptor.encryptStringAsync(secret);
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    const handle = await fs.promises.open(temp, 'w', OWNER_ONLY);
    try {
      await handle.writeFile(encrypted);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, this.file);
  }

  async clear(): Promise<void> {
    await fs.promises.rm(this.file, { force: true });
    if (this.plainFile) await fs.promises.rm(this.plainFile, { force: true });
  }

  /** Moves a session kept in the plain file into the keychain-encrypted one, once. */
  private async adoptPlainFile(): Promise<string | null> {
    if (!this.plainFile) return null;
    const plain = await new FileSecretStore(this.plainFile).read();
    if (plain === null) return null;
    await this.write(plain);
    await fs.promises.rm(this.plainFile, { force: true });
    return plain;
  }
}

/**
 * safeStorage when it really encrypts; otherwise the owner-only file the headless station uses.
 * On Linux without a keyring, safeStorage falls back to a fixed key ("basic_text"): that is
 * obfuscation, not protection, and the status should not claim otherwise.
 */
export async function chooseSecretStore(
  dataDir: string,
  encryptor: StringEncryptor,
  platform: NodeJS.Platform,
  onUnreadable?: (error: unknown) => void,
): Promise<SecretStore> {
  const backend = platform === 'linux' ? encryptor.getSelectedStorageBackend?.() : undefined;
  const weak = backend === 'basic_text' || backend === 'unknown';
  if (weak || !(await encryptor.isAsyncEncryptionAvailable()))
    return new FileSecretStore(path.join(dataDir, PLAIN_SECRET_FILE));
  const keychain =
    platform === 'darwin'
      ? 'the macOS Keychain'
      : platform === 'win32'
        ? 'Windows DPAPI'
        : `the desktop keyring (${backend ?? 'Secret Service'})`;
  return new SafeStorageSecretStore(
    path.join(dataDir, ENCRYPTED_SECRET_FILE),
    encryptor,
    `encrypted with ${keychain}`,
    onUnreadable,
    path.join(dataDir, PLAIN_SECRET_FILE),
  );
}
