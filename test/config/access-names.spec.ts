import {
  accessRoleArn,
  accessRoleName,
  boundedName,
  identityCenterRoleArnPattern,
  jwksParameterName,
  secretArnPattern,
  secretStoreName,
  serviceSecretsRoleName,
  trailName,
} from '../../lib/config/access-names';
import { dev, prod } from '../../lib/config/environments';
import { wildcardMatch } from '../contracts/admission';

describe('access names', () => {
  test('environment roles: named per environment; break-glass keeps the name the buckets use', () => {
    expect(accessRoleName(dev, 'admin')).toBe('saas-platform-dev-admin');
    expect(accessRoleName(prod, 'readOnly')).toBe('saas-platform-prod-read-only');
    expect(accessRoleName(prod, 'breakGlass')).toBe(prod.stateful.breakGlassRoleName);
    expect(accessRoleArn(prod, 'developer')).toBe('arn:aws:iam::333333333333:role/saas-platform-prod-developer');
  });

  test.each([
    ['eu-west-1', 'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformAdmin_*'],
    ['us-east-1', 'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PlatformAdmin_*'],
  ])("Identity Center's roles for an instance in %s: matched by pattern, the region in the path except in us-east-1", (region, pattern) => {
    expect(identityCenterRoleArnPattern('111111111111', 'PlatformAdmin', region)).toBe(pattern);
    const path = region === 'us-east-1' ? '' : `${region}/`;
    expect(
      wildcardMatch(
        pattern,
        `arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/${path}AWSReservedSSO_PlatformAdmin_a1b2c3d4e5f60718`,
      ),
    ).toBe(true);
    // another set whose name starts the same is not matched: names have no underscore
    expect(
      wildcardMatch(
        pattern,
        `arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/${path}AWSReservedSSO_PlatformAdminX_a1b2c3d4e5f60718`,
      ),
    ).toBe(false);
  });

  test('a role name over 64 characters keeps a prefix and gets a stable hash', () => {
    const long = serviceSecretsRoleName('staging', 'a-service-with-a-very-long-name-up-to-40');
    expect(long).toHaveLength(64);
    expect(long).toBe(serviceSecretsRoleName('staging', 'a-service-with-a-very-long-name-up-to-40'));
    expect(long).not.toBe(serviceSecretsRoleName('staging', 'a-service-with-a-very-long-name-up-to-41'));
    expect(boundedName('short')).toBe('short');
    expect(serviceSecretsRoleName('prod', 'auth-service')).toBe('saas-platform-prod-secrets-auth-service');
  });

  test('a secret ARN pattern matches that secret only, not one whose name extends it', () => {
    const pattern = secretArnPattern('eu-west-1', '111111111111', 'saas-platform/dev/api-key');
    expect(wildcardMatch(pattern, 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:saas-platform/dev/api-key-AbCdEf')).toBe(true);
    expect(wildcardMatch(pattern, 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:saas-platform/dev/api-key-old-AbCdEf')).toBe(false);
  });

  test('stores, parameters and the trail', () => {
    expect(secretStoreName('auth-service')).toBe('auth-service-aws-secrets');
    expect(jwksParameterName('prod', 'jwt-signing-key')).toBe('/saas-platform/prod/secrets/jwt-signing-key/jwks');
    expect(trailName('prod')).toBe('saas-platform-prod-audit');
  });
});
