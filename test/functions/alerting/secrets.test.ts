import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretCache } from '../../../lib/functions/alerting/secrets';

const secrets = mockClient(SecretsManagerClient);

describe('SecretCache', () => {
  beforeEach(() => secrets.reset());

  test('reads a secret once per TTL, trimmed (a key pasted with a newline still works)', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'routing-key\n' });
    let now = 0;
    const cache = new SecretCache(new SecretsManagerClient({}), 1000, () => now);
    expect(await cache.get('s')).toBe('routing-key');
    now = 999;
    expect(await cache.get('s')).toBe('routing-key');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now = 1000;
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'rotated' });
    expect(await cache.get('s')).toBe('rotated');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  test('a binary-only secret reads as empty', async () => {
    secrets.on(GetSecretValueCommand).resolves({});
    expect(await new SecretCache(new SecretsManagerClient({})).get('s')).toBe('');
  });
});
