import { describe, expect, it } from 'vitest';
import { SecretError } from '#core/errors.ts';
import type { SecretProvider } from '#core/ports.ts';

/** Makes a provider that holds exactly `secrets` (name -> value). */
export type SecretProviderFactory = (secrets: Readonly<Record<string, string>>) => Promise<SecretProvider>;

const ZOOM_SECRETS = {
  ZOOM_ACCOUNT_ID: 'acc-123',
  ZOOM_CLIENT_ID: 'client-abc',
  ZOOM_CLIENT_SECRET: 'cl1ent-s3cret-VALUE',
  ZOOM_WEBHOOK_SECRET_TOKEN: 'wh-t0ken VALUE with spaces, "quotes", ünïcode\nand a newline',
};

/** The SecretProvider semantics every adapter must share (ports.ts). */
export function secretProviderContract(name: string, makeProvider: SecretProviderFactory): void {
  describe(`SecretProvider contract: ${name}`, () => {
    it('returns each secret exactly as stored', async () => {
      const provider = await makeProvider(ZOOM_SECRETS);
      for (const [secretName, value] of Object.entries(ZOOM_SECRETS)) {
        expect(await provider.getSecret(secretName)).toBe(value);
      }
    });

    it.each([
      ['missing', 'ZOOM_CLIENT_SECRET_OLD'],
      ['empty', 'ZOOM_EMPTY'],
    ])('throws a non-retryable SecretError naming a %s secret and quoting no value', async (_case, secretName) => {
      const provider = await makeProvider({ ...ZOOM_SECRETS, ZOOM_EMPTY: '' });
      const err = await provider.getSecret(secretName).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SecretError);
      expect(err).toMatchObject({ retryable: false, message: expect.stringContaining(secretName) });
      for (const value of Object.values(ZOOM_SECRETS)) expect((err as Error).message).not.toContain(value);
    });
  });
}
