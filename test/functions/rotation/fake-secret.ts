import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { MetadataBearer } from '@aws-sdk/types';
import { mockClient } from 'aws-sdk-client-mock';

/** The mock of the Secrets Manager client a test made with `mockClient(SecretsManagerClient)`. */
export type SecretsMock = ReturnType<typeof mockClient<object, MetadataBearer, SecretsManagerClient['config']>>;

/**
 * A secret's versions and staging labels as Secrets Manager keeps them, for the rotation functions'
 * tests: a label lives on one version; a rotation's version is AWSPENDING before createSecret puts
 * its value; putting a value under an existing version ID is refused.
 */
export class FakeSecret {
  versions: Record<string, { stages: string[]; value: string }> = {};
  rotationEnabled = true;

  /** The secret with one version, `v0`, AWSCURRENT. */
  constructor(initial: string) {
    this.versions.v0 = { stages: ['AWSCURRENT'], value: initial };
  }

  /** The value of the version with `stage` (and `versionId`); ResourceNotFoundException when there is none or it has no value yet. */
  value(stage: string, versionId?: string): string {
    const entry = Object.entries(this.versions).find(([id, v]) => (!versionId || id === versionId) && v.stages.includes(stage));
    if (!entry || entry[1].value === '') throw new ResourceNotFoundException({ message: 'no such version', $metadata: {} });
    return entry[1].value;
  }

  /** Secrets Manager starting a rotation: the new version exists as AWSPENDING before createSecret. */
  startRotation(token = 'v1'): void {
    for (const v of Object.values(this.versions)) v.stages = v.stages.filter((s) => s !== 'AWSPENDING');
    this.versions[token] = { stages: ['AWSPENDING'], value: '' };
  }

  describe = () => ({
    RotationEnabled: this.rotationEnabled,
    VersionIdsToStages: Object.fromEntries(Object.entries(this.versions).map(([id, v]) => [id, [...v.stages]])),
  });

  getSecretValue = (input: { VersionStage?: string; VersionId?: string }) => ({
    SecretString: this.value(input.VersionStage!, input.VersionId),
  });

  putSecretValue = (input: { ClientRequestToken?: string; VersionStages?: string[]; SecretString?: string }) => {
    if (this.versions[input.ClientRequestToken!]?.value) throw new ResourceExistsException({ message: 'exists', $metadata: {} });
    // A staging label lives on one version: putting AWSPENDING moves it from another version.
    for (const v of Object.values(this.versions)) v.stages = v.stages.filter((s) => !input.VersionStages!.includes(s));
    this.versions[input.ClientRequestToken!] = { stages: [...input.VersionStages!], value: input.SecretString! };
    return {};
  };

  updateVersionStage = (input: { RemoveFromVersionId?: string; MoveToVersionId?: string }) => {
    const from = this.versions[input.RemoveFromVersionId!];
    from.stages = [...from.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    this.versions[input.MoveToVersionId!].stages = ['AWSCURRENT'];
    return {};
  };

  /** Answer the Secrets Manager calls of a rotation from this secret. */
  install(secrets: SecretsMock): void {
    secrets.on(DescribeSecretCommand).callsFake(this.describe);
    secrets.on(GetSecretValueCommand).callsFake(this.getSecretValue);
    secrets.on(PutSecretValueCommand).callsFake(this.putSecretValue);
    secrets.on(UpdateSecretVersionStageCommand).callsFake(this.updateVersionStage);
  }
}
