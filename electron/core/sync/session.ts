import { z } from 'zod';

import type { TokenHolder } from './cloud-client';
import type { Tokens } from './cloud-types';
import type { SecretStore } from './secret-store';

const StoredSession = z.object({
  url: z.string(),
  username: z.string(),
  token: z.string(),
  refreshToken: z.string(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/**
 * The signed-in session: the cloud's tokens, kept in the SecretStore and replaced on every
 * refresh. The password never gets here.
 */
export class CloudSession implements TokenHolder {
  private current: StoredSession | null = null;
  /** Set when the cloud refused the refresh token: the UI asks for a sign-in. */
  refused = false;

  constructor(
    private readonly secrets: SecretStore,
    private readonly onChange: () => void,
  ) {}

  async load(): Promise<StoredSession | null> {
    const raw = await this.secrets.read();
    if (raw === null) return (this.current = null);
    try {
      const parsed = StoredSession.safeParse(JSON.parse(raw));
      this.current = parsed.success ? parsed.data : null;
    } catch {
      this.current = null;
    }
    return this.current;
  }

  session(): StoredSession | null {
    return this.current;
  }

  async start(session: StoredSession): Promise<void> {
    await this.secrets.write(JSON.stringify(session));
    this.current = session;
    this.refused = false;
    this.onChange();
  }

  get(): Tokens | null {
    return this.current
      ? { token: this.current.token, refreshToken: this.current.refreshToken }
      : null;
  }

  async set(tokens: Tokens): Promise<void> {
    if (!this.current) return;
    const next = { ...this.current, token: tokens.token, refreshToken: tokens.refreshToken };
    await this.secrets.write(JSON.stringify(next));
    this.current = next;
  }

  async invalidate(): Promise<void> {
    await this.end();
    this.refused = true;
    this.onChange();
  }

  async end(): Promise<void> {
    this.current = null;
    await this.secrets.clear();
    this.onChange();
  }
}
