import { ENVIRONMENTS } from '../../lib/config/environments';
import { imageSignerRoleName, imageSigningKey, signedImagesRequired } from '../../lib/config/image-signing';
import { ecrRepositoryArn, zoneDelegationRoleName } from '../../lib/config/naming';
import { PLATFORM } from '../../lib/config/platform';

describe('image signing names (tooling stage <-> Kyverno <-> pipeline)', () => {
  test('the key is addressed by an alias in the tooling account, as cosign names a cross-account KMS key', () => {
    // GIVEN the platform's tooling account and region WHEN both sides ask for the key THEN one alias ARN
    expect(imageSigningKey()).toEqual({
      account: PLATFORM.accounts.tooling,
      region: PLATFORM.region,
      aliasName: 'alias/saas-platform/image-signing',
      aliasArn: `arn:aws:kms:${PLATFORM.region}:${PLATFORM.accounts.tooling}:alias/saas-platform/image-signing`,
      kmsUri: `awskms:///arn:aws:kms:${PLATFORM.region}:${PLATFORM.accounts.tooling}:alias/saas-platform/image-signing`,
    });
    expect(imageSigningKey({ account: '123456789012', region: 'us-east-1' }).kmsUri).toBe(
      'awskms:///arn:aws:kms:us-east-1:123456789012:alias/saas-platform/image-signing',
    );
  });

  test('the signer role has one name, for the pipeline to create', () => {
    expect(imageSignerRoleName()).toBe('saas-platform-image-signer');
  });

  test.each([
    ['development', false],
    ['staging', true],
    ['production', true],
  ] as const)('signed images are required in %s: %s', (tier, required) => {
    expect(signedImagesRequired(tier)).toBe(required);
  });

  test('the shipped staging and prod require signatures, dev does not', () => {
    expect(ENVIRONMENTS.filter((e) => signedImagesRequired(e.tier)).map((e) => e.name)).toEqual(['staging', 'prod']);
  });
});

describe('names of the registry and the zone delegation', () => {
  test('a repository ARN is the tooling account in the given region', () => {
    expect(ecrRepositoryArn('eu-west-1', 'web-api')).toBe(`arn:aws:ecr:eu-west-1:${PLATFORM.accounts.tooling}:repository/web-api`);
    expect(ecrRepositoryArn('us-east-1', 'worker', '123456789012')).toBe('arn:aws:ecr:us-east-1:123456789012:repository/worker');
  });

  test("a delegation role is named after the child environment (it lives in the parent's account)", () => {
    expect(zoneDelegationRoleName('dev')).toBe('saas-platform-dev-zone-delegation');
  });
});
