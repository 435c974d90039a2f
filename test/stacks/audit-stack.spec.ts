import { Match } from 'aws-cdk-lib/assertions';
import { serviceSecretsRoleName, trailLogGroupName, trailName } from '../../lib/config/access-names';
import { auditRules, CONSOLE_WITHOUT_MFA_PATTERN, IAM_POLICY_CHANGE_EVENTS, ROOT_USE_PATTERN } from '../../lib/config/audit-rules';
import { auditTrailBucketName, kmsAliasName, secretsManagerName } from '../../lib/config/naming';
import { consumersOf, secretConsumers } from '../../lib/config/secret-consumers';
import { SECRETS, servicesFor } from '../../lib/config/service-catalog';
import { TEAM } from '../../lib/config/team';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

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
        secretOwners: Object.fromEntries(Object.keys(SECRETS).map((key) => [secretsManagerName(name, key), []])),
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

  test.each(EACH_ENV)("%s: a read of a secret alarms unless the reader is one of the secret's owners", (name) => {
    const filters = Object.values(audit(name).findResources('AWS::Logs::MetricFilter'))
      .map((f) => f.Properties)
      .filter((f) => f.MetricTransformations[0].MetricName === 'SecretReadByNonOwner')
      .map((f) => JSON.stringify(f.FilterPattern));
    const consumers = secretConsumers(servicesFor(name));
    expect(filters).toHaveLength(Object.keys(SECRETS).length);
    for (const key of Object.keys(SECRETS)) {
      const filter = filters.find((f) => f.includes(`*${secretsManagerName(name, key)}*`))!;
      expect(filter).toBeDefined();
      for (const c of consumersOf(key, consumers)) expect(filter).toContain(`!= \\"${serviceSecretsRoleName(name, c.name)}\\"`);
      for (const c of consumers.filter((x) => !x.secrets.includes(key))) expect(filter).not.toContain(serviceSecretsRoleName(name, c.name));
      // the rotation function reads the signing key: its role (a reference, resolved at deploy) is an owner too
      if (SECRETS[key].rotation) expect(filter).toContain('Fn::GetStackOutput');
    }
  });
});

describe('auditRules', () => {
  test('a secret nobody reads alarms on every read; owners are excluded by their role name', () => {
    const rules = auditRules({
      breakGlassRoleName: 'BreakGlassAdmin',
      breakGlassPermissionSetName: 'PlatformBreakGlass',
      secretOwners: { 'app/dev/unused': [], 'app/dev/key': ['role-a', 'role-b'] },
    });
    const reads = rules.find((r) => r.id === 'SecretReadByNonOwner')!.patterns;
    expect(reads).toEqual([
      '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ($.requestParameters.secretId = "*app/dev/unused*") }',
      '{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ($.requestParameters.secretId = "*app/dev/key*") && (($.userIdentity.type != "AssumedRole") || (($.userIdentity.sessionContext.sessionIssuer.userName != "role-a") && ($.userIdentity.sessionContext.sessionIssuer.userName != "role-b"))) }',
    ]);
  });

  test('no secrets, no secret rule', () => {
    const rules = auditRules({ breakGlassRoleName: 'B', breakGlassPermissionSetName: 'P', secretOwners: {} });
    expect(rules.map((r) => r.id)).toEqual(['RootUse', 'ConsoleSignInWithoutMfa', 'IamPolicyChanges', 'BreakGlassUse']);
  });
});
