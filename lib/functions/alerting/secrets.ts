import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Secret values read once per warm function for `ttlMillis` (a rotated key is picked up within it). */
export class SecretCache {
  private readonly values = new Map<string, { value: string; at: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly ttlMillis: number = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current value of `secretId` (ARN or name). */
  async get(secretId: string): Promise<string> {
    const cached = this.values.get(secretId);
    if (cached && this.now() - cached.at < this.ttlMillis) return cached.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = (out.SecretString ?? '').trim();
    this.values.set(secretId, { value, at: this.now() });
    return value;
  }
}
