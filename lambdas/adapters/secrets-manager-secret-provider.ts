import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretError } from '#core/errors.ts';
import type { Clock, SecretProvider } from '#core/ports.ts';
import { SystemClock } from '#runtime/system-clock.ts';
import { isRetryableAwsError } from './aws-errors.ts';

const FIVE_MINUTES_MS = 5 * 60 * 1000;

/**
 * Reads secrets from Secrets Manager by name or ARN, caching each value for `ttlMs` so a warm Lambda does not call
 * Secrets Manager per invocation, yet picks up a rotated secret within the TTL. Concurrent first reads share one call.
 */
export class SecretsManagerSecretProvider implements SecretProvider {
  private readonly cache = new Map<string, { value: Promise<string>; fetchedAt: number }>();

  constructor(
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
    private readonly ttlMs = FIVE_MINUTES_MS,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  async getSecret(name: string): Promise<string> {
    const now = this.clock.now();
    const cached = this.cache.get(name);
    if (cached && now - cached.fetchedAt < this.ttlMs) return cached.value;
    const value = this.fetch(name);
    this.cache.set(name, { value, fetchedAt: now });
    // A failed read is not cached: the next call asks again.
    value.catch(() => {
      if (this.cache.get(name)?.value === value) this.cache.delete(name);
    });
    return value;
  }

  private async fetch(name: string): Promise<string> {
    let out;
    try {
      out = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
    } catch (err) {
      throw toSecretError(name, err);
    }
    const value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    if (value === undefined || value === '') throw new SecretError(`secret "${name}" is empty`, false);
    return value;
  }
}

/** Names the secret, never its value, and leaves the SDK's message out in case it quotes the request. */
function toSecretError(name: string, err: unknown): SecretError {
  const kind = err instanceof Error ? err.name : 'unknown error';
  if (kind === 'ResourceNotFoundException') return new SecretError(`secret "${name}" not found`, false, { cause: err });
  return new SecretError(`could not read secret "${name}": ${kind}`, isRetryableAwsError(err), { cause: err });
}
