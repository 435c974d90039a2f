import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { serviceSecretsRoleName, trailLogGroupName, trailName } from '../../lib/config/access-names';
import { auditRules, CONSOLE_WITHOUT_MFA_PATTERN, IAM_POLICY_CHANGE_EVENTS, ROOT_USE_PATTERN } from '../../lib/config/audit-rules';
import { auditTrailBucketName, kmsAliasName, secretsManagerName } from '../../lib/config/naming';
import { consumersOf, secretConsumers } from '../../lib/config/secret-consumers';
import { SECRETS, servicesFor } from '../../lib/config/service-catalog';
import { TEAM } from '../../lib/config/team';
import { AuditAlarms } from '../../lib/constructs/audit-alarms';
import { EACH_ENV, synthesizedApp } from '../app-fixture';
import { testApp } from '../helpers';

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

  test.each(EACH_ENV)('%s: an alarm per audit rule, keyed by severity, on metric filters of the trail', (name, config) => {
    const t = audit(name);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const expected: [string, string][] = [
      ['RootUse', 'critical'],
      ['ConsoleSignInWithoutMfa', 'critical'],
      ['IamPolicyChanges', 'warning'],
      ['BreakGlassUse', 'critical'],
      ['SecretReadByNonOwner', 'critical'],
    ];
    expect(alarms.map((a) => [a.MetricName, a.AlarmDescription.match(/^\[(\w+)\]/)![1]])).toEqual(expected);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Namespace: `saas-platform/${name}/audit`,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Statistic: 'Sum',
        Period: 300,
      });
    }
    const filters = Object.values(t.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties);
    const pattern = (metric: string) => filters.filter((f) => f.MetricTransformations[0].MetricName === metric).map((f) => f.FilterPattern);
    expect(pattern('RootUse')).toEqual([ROOT_USE_PATTERN]);
    expect(pattern('ConsoleSignInWithoutMfa')).toEqual([CONSOLE_WITHOUT_MFA_PATTERN]);
    for (const event of IAM_POLICY_CHANGE_EVENTS) expect(pattern('IamPolicyChanges')[0]).toContain(`($.eventName = "${event}")`);
    expect(pattern('BreakGlassUse')[0]).toContain(`"AWSReservedSSO_${TEAM.permissionSets.breakGlass.name}_*"`);
    expect(pattern('BreakGlassUse')[0]).toContain(`"${config.stateful.breakGlassRoleName}"`);
    for (const filter of filters) expect(filter.LogGroupName).toEqual({ Ref: expect.stringMatching(/^TrailLogs/) });
  });

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

  test('alarm actions are wired by severity through one call (the Observability stack passes its topics)', () => {
    // GIVEN the audit alarms of a fixture log group
    const stack = new Stack(testApp(), 'Audit');
    const alarms = new AuditAlarms(stack, 'Alarms', {
      logGroup: new logs.LogGroup(stack, 'Trail'),
      namespace: 'test/audit',
      alarmNamePrefix: 'test-audit',
      rules: auditRules({
        breakGlassRoleName: 'BreakGlassAdmin',
        breakGlassPermissionSetName: 'PlatformBreakGlass',
        secretOwners: { 'a/b/c': ['r'] },
      }),
    });
    // WHEN the topics of each severity are passed
    const topic = (severity: string): cloudwatch.IAlarmAction => ({
      bind: () => ({ alarmActionArn: `arn:aws:sns:eu-west-1:111111111111:${severity}` }),
    });
    alarms.addAlarmActions({ critical: topic('critical'), warning: topic('warning') });
    // THEN every alarm notifies its severity's topic and only it
    const props = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(props).toHaveLength(5);
    for (const a of props)
      expect(a.AlarmActions).toEqual([`arn:aws:sns:eu-west-1:111111111111:${a.AlarmDescription.match(/^\[(\w+)\]/)![1]}`]);
  });

  test('the stage leaves the alarm actions to the lead: none are wired yet', () => {
    for (const a of Object.values(audit('prod').findResources('AWS::CloudWatch::Alarm'))) expect(a.Properties.AlarmActions).toBeUndefined();
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
