import { Match } from 'aws-cdk-lib/assertions';
import {
  accessRoleName,
  MAX_ROLE_NAME_LENGTH,
  secretReaderRoleNamePrefix,
  secretRotationRoleName,
  serviceSecretsRoleArn,
  serviceSecretsRoleName,
  TEAM_ROLE_PATH,
  trailLogGroupName,
  trailName,
} from '../../lib/config/access-names';
import {
  auditRules,
  CONSOLE_WITHOUT_MFA_PATTERN,
  FILTER_PATTERN_MAX_LENGTH,
  IAM_POLICY_CHANGE_EVENTS,
  ROOT_USE_PATTERN,
  secretReadScope,
} from '../../lib/config/audit-rules';
import { webhookSigningSecretName } from '../../lib/config/edge-names';
import { auditTrailBucketName, kmsAliasName, secretsManagerName } from '../../lib/config/naming';
import { pagerDutyApiTokenSecretName } from '../../lib/config/observability-names';
import { consumersOf, secretConsumers } from '../../lib/config/secret-consumers';
import { SECRETS, servicesFor } from '../../lib/config/service-catalog';
import { TEAM } from '../../lib/config/team';
import { EACH_ENV, synthesizedApp } from '../app-fixture';
import { filterMatches, MISSING_FIELD, roleIdentity, secretRead } from '../config/filter-pattern';

describe('AuditStack', () => {
  const { stage, template } = synthesizedApp();
  const audit = (name: string) => template(stage(name).audit);

  test.each(EACH_ENV)(
    '%s: a multi-region trail of every management event, validated, encrypted, to S3 and CloudWatch Logs',
    (name, config) => {
      const t = audit(name);
      t.resourceCountIs('AWS::CloudTrail::Trail', 1);
      t.hasResourceProperties('AWS::CloudTrail::Trail', {
        TrailName: trailName(name),
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailKey'), 'Arn'] },
        S3BucketName: { Ref: Match.stringLikeRegexp('^TrailBucket') },
        CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailLogs'), 'Arn'] },
        EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
      });
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: trailLogGroupName(name),
        RetentionInDays: config.audit.cloudWatchRetentionDays,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailKey'), 'Arn'] },
      });
      t.hasResourceProperties('AWS::KMS::Alias', { AliasName: kmsAliasName(name, 'audit') });
    },
  );

  test.each(EACH_ENV)('%s: the trail bucket keeps every file write-once for the retention of config, then deletes it', (name, config) => {
    const t = audit(name);
    t.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketName: auditTrailBucketName(name, config.account, config.region),
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: config.audit.objectLockMode, Days: config.audit.trailRetentionDays } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-after-retention', ExpirationInDays: config.audit.trailRetentionDays })]),
        },
      }),
      // an audit trail outlives the account's stacks, development's included
      DeletionPolicy: 'Retain',
    });
  });

  test.each(EACH_ENV)('%s: only this trail may write to the bucket and use the key (aws:SourceArn)', (name, config) => {
    const t = audit(name).toJSON();
    const trailArn = `arn:aws:cloudtrail:${config.region}:${config.account}:trail/${trailName(name)}`;
    const bucketStatements = Object.values(
      t.Resources as Record<
        string,
        { Type: string; Properties: { PolicyDocument: { Statement: { Sid?: string; Condition?: unknown }[] } } }
      >,
    )
      .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    for (const sid of ['CloudTrailChecksTheBucketAcl', 'CloudTrailWritesThisTrailsLogs']) {
      expect(JSON.stringify(bucketStatements.find((s) => s.Sid === sid)!.Condition)).toContain(trailArn);
    }
    const key = Object.values(
      t.Resources as Record<string, { Type: string; Properties: { KeyPolicy: { Statement: { Sid?: string; Condition?: unknown }[] } } }>,
    ).find((r) => r.Type === 'AWS::KMS::Key')!;
    for (const sid of ['CloudTrailEncryptsThisTrailsLogs', 'CloudTrailDescribesTheKey']) {
      expect(JSON.stringify(key.Properties.KeyPolicy.Statement.find((s) => s.Sid === sid)!.Condition)).toContain(trailArn);
    }
    expect(
      JSON.stringify(key.Properties.KeyPolicy.Statement.find((s) => s.Sid === 'CloudWatchLogsEncryptsTheTrailsLogGroup')!.Condition),
    ).toContain(`log-group:${trailLogGroupName(name)}`);
  });

  test.each(EACH_ENV)(
    '%s: a metric per audit rule, from metric filters of the trail; no alarm here (the Observability stack alarms)',
    (name, config) => {
      const t = audit(name);
      t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      const metrics = Object.values(t.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties.MetricTransformations[0]);
      const rules = auditRules({
        breakGlassRoleName: config.stateful.breakGlassRoleName,
        breakGlassPermissionSetName: TEAM.permissionSets.breakGlass.name,
        secretReads: secretReadScope(name, config.account),
      });
      expect([...new Set(metrics.map((m) => m.MetricName))]).toEqual(rules.map((r) => r.id));
      for (const m of metrics)
        expect(m).toMatchObject({ MetricNamespace: `saas-platform/${name}/audit`, MetricValue: '1', DefaultValue: 0 });
      const filters = Object.values(t.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties);
      const pattern = (metric: string) =>
        filters.filter((f) => f.MetricTransformations[0].MetricName === metric).map((f) => f.FilterPattern);
      expect(pattern('RootUse')).toEqual([ROOT_USE_PATTERN]);
      expect(pattern('ConsoleSignInWithoutMfa')).toEqual([CONSOLE_WITHOUT_MFA_PATTERN]);
      for (const event of IAM_POLICY_CHANGE_EVENTS) expect(pattern('IamPolicyChanges')[0]).toContain(`($.eventName = "${event}")`);
      expect(pattern('BreakGlassUse')[0]).toContain(`"AWSReservedSSO_${TEAM.permissionSets.breakGlass.name}_*"`);
      expect(pattern('BreakGlassUse')[0]).toContain(`"${config.stateful.breakGlassRoleName}"`);
      for (const filter of filters) expect(filter.LogGroupName).toEqual({ Ref: expect.stringMatching(/^TrailLogs/) });
    },
  );

  describe.each(EACH_ENV)('%s: the secret-read alarm (one pattern, evaluated on CloudTrail events)', (name, config) => {
    const pattern = () => {
      const filters = Object.values(audit(name).findResources('AWS::Logs::MetricFilter'))
        .map((f) => f.Properties)
        .filter((f) => f.MetricTransformations[0].MetricName === 'SecretReadByNonOwner');
      expect(filters).toHaveLength(1);
      return filters[0].FilterPattern as string;
    };
    const { account, region } = config;
    const consumers = secretConsumers(servicesFor(name));
    const role = (roleName: string, acct = account, path = '/') => roleIdentity(`arn:aws:iam::${acct}:role${path}${roleName}`);
    const ids = (secretName: string) => [secretName, `arn:aws:secretsmanager:${region}:${account}:secret:${secretName}-AbCdEf`];
    // the role the Data stack made for the rotation of that secret, by the name the alarm admits
    const rotationRole = (key: string) => {
      template(stage(name).data).hasResourceProperties('AWS::IAM::Role', { RoleName: secretRotationRoleName(name, key) });
      return secretRotationRoleName(name, key);
    };

    test.each(MISSING_FIELD)('its own readers read quietly; anyone else, or a refused read, alarms (missing fields: %s)', (missing) => {
      const alarms = (event: object) => filterMatches(pattern(), event, missing);
      for (const key of Object.keys(SECRETS)) {
        for (const secretId of ids(secretsManagerName(name, key))) {
          const owners = [
            ...consumersOf(key, consumers).map((c) => serviceSecretsRoleName(name, c.name)),
            ...(SECRETS[key].rotation ? [rotationRole(key)] : []),
          ];
          for (const owner of owners) {
            expect(alarms(secretRead(secretId, role(owner)))).toBe(false);
            // throttling and the like are the owner's operational errors, not an intrusion
            expect(alarms(secretRead(secretId, role(owner), 'ThrottlingException'))).toBe(false);
          }
          // another consumer's role (IAM and the resource policy refuse it), or any other caller refused
          for (const other of consumers.filter((c) => !c.secrets.includes(key))) {
            expect(alarms(secretRead(secretId, role(serviceSecretsRoleName(name, other.name)), 'AccessDenied'))).toBe(true);
          }
          expect(alarms(secretRead(secretId, role(serviceSecretsRoleName(name, 'not-a-consumer')), 'AccessDeniedException'))).toBe(true);
          // succeeded, and not one of the platform's secret readers
          const strangers = [
            { type: 'Root', arn: `arn:aws:iam::${account}:root`, accountId: account },
            { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/someone`, userName: 'someone', accountId: account },
            role(accessRoleName(config, 'breakGlass')),
            role(accessRoleName(config, 'admin')),
            // a team's role named like a consumer's (teams create roles under their path only)
            role(serviceSecretsRoleName(name, 'evil'), account, TEAM_ROLE_PATH),
            // a consumer's name in another account
            role(serviceSecretsRoleName(name, 'evil'), '999999999999'),
          ];
          for (const who of strangers) expect(alarms(secretRead(secretId, who))).toBe(true);
        }
      }
      // not a read of a value
      expect(alarms({ ...secretRead(secretsManagerName(name, 'x'), { type: 'Root' }), eventName: 'DescribeSecret' })).toBe(false);
    });

    test.each(MISSING_FIELD)(
      "the platform's own secrets: their functions read quietly; a refused read alarms (missing fields: %s)",
      (missing) => {
        const alarms = (event: object) => filterMatches(pattern(), event, missing);
        const router = role('ObservabilityRouterHandlerRole1A2B3C4D-AbCdEfGh');
        for (const secretName of [pagerDutyApiTokenSecretName(name), webhookSigningSecretName(name)]) {
          for (const secretId of ids(secretName)) {
            expect(alarms(secretRead(secretId, router))).toBe(false);
            expect(alarms(secretRead(secretId, router, 'AccessDenied'))).toBe(true);
          }
        }
      },
    );
  });
});

describe('auditRules', () => {
  const inputs = { breakGlassRoleName: 'BreakGlassAdmin', breakGlassPermissionSetName: 'PlatformBreakGlass' };

  test('no secrets, no secret rule', () => {
    const rules = auditRules(inputs);
    expect(rules.map((r) => r.id)).toEqual(['RootUse', 'ConsoleSignInWithoutMfa', 'IamPolicyChanges', 'BreakGlassUse']);
  });

  // A fixture catalog of `count` services, each with a secret of its own that also rotates, with
  // the longest names validation allows (service 40, secret 64 characters; environment 16).
  const environment = 'e234567890123456';
  const account = '123456789012';
  const fixture = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      name: `svc-${i}-`.padEnd(40, 'x'),
      secret: `secret-${i}-`.padEnd(64, 'y'),
    }));

  test.each([0, 50, 200])(
    "+%i secrets and consumers: one pattern of the same size, under CloudWatch Logs' limit; every reader is admitted, no one else",
    (count) => {
      // GIVEN a catalog of that many secrets, each with its own consumer and rotation function
      const services = fixture(count);
      // WHEN the rules are made
      const rules = auditRules({ ...inputs, secretReads: secretReadScope(environment, account) });
      const reads = rules.find((r) => r.id === 'SecretReadByNonOwner')!.patterns;
      // THEN one filter (of the log group's 100), the same for every catalog size, within the length CloudFormation allows
      expect(reads).toHaveLength(1);
      expect(reads[0]).toBe(auditRules({ ...inputs, secretReads: secretReadScope(environment, account) }).at(-1)!.patterns[0]);
      expect(reads[0].length).toBeLessThanOrEqual(FILTER_PATTERN_MAX_LENGTH);
      const consumerArn = (service: string) => serviceSecretsRoleArn(environment, account, service);
      for (const [i, { name: service, secret }] of services.entries()) {
        const secretId = secretsManagerName(environment, secret);
        for (const missing of MISSING_FIELD) {
          expect(filterMatches(reads[0], secretRead(secretId, roleIdentity(consumerArn(service))), missing)).toBe(false);
          const rotation = `arn:aws:iam::${account}:role/${secretRotationRoleName(environment, secret)}`;
          expect(filterMatches(reads[0], secretRead(secretId, roleIdentity(rotation)), missing)).toBe(false);
          const neighbour = consumerArn(services[(i + 1) % services.length].name);
          expect(filterMatches(reads[0], secretRead(secretId, roleIdentity(neighbour), 'AccessDenied'), missing)).toBe(true);
          expect(filterMatches(reads[0], secretRead(secretId, { type: 'Root' }), missing)).toBe(true);
        }
      }
    },
  );

  test('a role name kept whole by boundedName keeps its reader prefix; a prefix that would not survive is refused', () => {
    // GIVEN a service name long enough to be shortened with a hash
    const long = 'a'.repeat(60);
    // THEN the shortened role name still starts with the prefix the alarm admits
    expect(serviceSecretsRoleName('prod', long).startsWith(secretReaderRoleNamePrefix('prod', 'consumer'))).toBe(true);
    expect(serviceSecretsRoleName('prod', long)).toHaveLength(MAX_ROLE_NAME_LENGTH);
    expect(() => secretReaderRoleNamePrefix('prod', 'rotation', 'a'.repeat(40))).toThrow(
      `secret reader role prefix "${'a'.repeat(40)}-prod-secret-rotation-" is longer than 54 characters; shorten the application or environment name`,
    );
  });
});
