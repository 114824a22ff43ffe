import { SecretError } from '#core/errors.ts';
import type { SecretProvider } from '#core/ports.ts';

/**
 * Reads each secret from the environment variable of the same name (locally: ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID,
 * ZOOM_CLIENT_SECRET, ZOOM_WEBHOOK_SECRET_TOKEN). An empty variable counts as missing.
 */
export class EnvSecretProvider implements SecretProvider {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  async getSecret(name: string): Promise<string> {
    const value = this.env[name];
    if (value === undefined || value === '') {
      throw new SecretError(`secret "${name}" not found: set the environment variable ${name}`, false);
    }
    return value;
  }
}
