import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretProvider } from '#adapters/secrets-manager-secret-provider.ts';
import { SecretError } from '#core/errors.ts';
import { EnvSecretProvider } from '#local/adapters/env-secret-provider.ts';
import { secretProviderContract } from '../contract/secret-provider.contract.ts';
import { awsJsonError } from '../fakes/aws-json-server.ts';
import { deadEndpoint, loopbackClientConfig } from '../fakes/aws-test-clients.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { SecretsManagerFake } from '../fakes/secrets-manager-fake.ts';

const fake = new SecretsManagerFake();
let client: SecretsManagerClient;
const TTL_MS = 5 * 60 * 1000;

beforeAll(async () => {
  // One SDK attempt, so every call the provider makes is one call the fake counts.
  client = new SecretsManagerClient(loopbackClientConfig(await fake.start(), 1));
});

afterAll(async () => {
  client?.destroy();
  await fake.close();
});

secretProviderContract('SecretsManagerSecretProvider on a GetSecretValue fake', async (secrets) => {
  fake.secrets.clear();
  for (const [name, value] of Object.entries(secrets)) fake.secrets.set(name, value);
  return new SecretsManagerSecretProvider(client, TTL_MS, new FakeClock());
});

secretProviderContract('EnvSecretProvider', async (secrets) => new EnvSecretProvider({ ...secrets, UNRELATED: 'x' }));

describe('SecretsManagerSecretProvider', () => {
  let clock: FakeClock;
  let provider: SecretsManagerSecretProvider;

  beforeEach(() => {
    fake.secrets.clear();
    fake.calls.length = 0;
    fake.failNext.length = 0;
    fake.secrets.set('zoomlake/zoom-client-secret', 'v1-SECRET');
    fake.secrets.set('zoomlake/webhook-token', 'token-SECRET');
    clock = new FakeClock();
    provider = new SecretsManagerSecretProvider(client, TTL_MS, clock);
  });

  it('calls Secrets Manager once for two reads within the TTL and again after it, picking up a rotation', async () => {
    expect(await provider.getSecret('zoomlake/zoom-client-secret')).toBe('v1-SECRET');
    fake.secrets.set('zoomlake/zoom-client-secret', 'v2-SECRET');
    clock.advance(TTL_MS - 1);
    expect(await provider.getSecret('zoomlake/zoom-client-secret')).toBe('v1-SECRET');
    expect(fake.calls).toHaveLength(1);
    clock.advance(1);
    expect(await provider.getSecret('zoomlake/zoom-client-secret')).toBe('v2-SECRET');
    expect(fake.calls).toEqual(['zoomlake/zoom-client-secret', 'zoomlake/zoom-client-secret']);
  });

  it('caches per name', async () => {
    await provider.getSecret('zoomlake/zoom-client-secret');
    await provider.getSecret('zoomlake/webhook-token');
    await provider.getSecret('zoomlake/webhook-token');
    expect(fake.calls).toEqual(['zoomlake/zoom-client-secret', 'zoomlake/webhook-token']);
  });

  it('shares one call between concurrent first reads', async () => {
    const values = await Promise.all(Array.from({ length: 5 }, () => provider.getSecret('zoomlake/webhook-token')));
    expect(values).toEqual(Array.from({ length: 5 }, () => 'token-SECRET'));
    expect(fake.calls).toHaveLength(1);
  });

  it('does not cache a failed read', async () => {
    fake.failNext.push(awsJsonError(400, 'ThrottlingException', 'Rate exceeded'));
    await expect(provider.getSecret('zoomlake/webhook-token')).rejects.toMatchObject({ name: 'SecretError', retryable: true });
    expect(await provider.getSecret('zoomlake/webhook-token')).toBe('token-SECRET');
    expect(fake.calls).toHaveLength(2);
  });

  it('reads a binary secret as UTF-8', async () => {
    fake.secrets.set('zoomlake/binary', new TextEncoder().encode('bin-SECRET'));
    expect(await provider.getSecret('zoomlake/binary')).toBe('bin-SECRET');
  });

  it('maps ResourceNotFoundException to a non-retryable SecretError naming the secret', async () => {
    const err = await provider.getSecret('zoomlake/missing').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SecretError);
    expect(err).toMatchObject({ retryable: false, message: 'secret "zoomlake/missing" not found' });
  });

  it.each([
    ['throttling', 400, 'ThrottlingException', true],
    ['an internal error', 500, 'InternalServiceError', true],
    ['access denied', 400, 'AccessDeniedException', false],
    ['a decryption failure', 400, 'DecryptionFailure', false],
  ])('maps %s to a SecretError with the right retryable flag that never quotes a secret value', async (_case, status, type, retryable) => {
    await provider.getSecret('zoomlake/webhook-token');
    clock.advance(TTL_MS);
    // A service message that echoes a value must not reach our message.
    fake.failNext.push(awsJsonError(status, type, 'could not process v1-SECRET token-SECRET'));
    const err = await provider.getSecret('zoomlake/webhook-token').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SecretError);
    expect(err).toMatchObject({ retryable, message: expect.stringContaining('zoomlake/webhook-token') });
    expect((err as Error).message).not.toMatch(/SECRET/);
  });

  it('maps a refused connection to a retryable SecretError', async () => {
    const down = new SecretsManagerClient(loopbackClientConfig(await deadEndpoint(), 1));
    try {
      await expect(new SecretsManagerSecretProvider(down, TTL_MS, clock).getSecret('x')).rejects.toMatchObject({
        name: 'SecretError',
        retryable: true,
      });
    } finally {
      down.destroy();
    }
  });
});

describe('EnvSecretProvider', () => {
  it('reads the variable of the given name and tells which variable to set when it is missing', async () => {
    const provider = new EnvSecretProvider({ ZOOM_CLIENT_ID: 'cid', ZOOM_CLIENT_SECRET: undefined });
    expect(await provider.getSecret('ZOOM_CLIENT_ID')).toBe('cid');
    await expect(provider.getSecret('ZOOM_CLIENT_SECRET')).rejects.toThrow(/environment variable ZOOM_CLIENT_SECRET/);
  });
});
