import { Match } from 'aws-cdk-lib/assertions';
import { breakGlassPrincipalArnPatterns } from '../../lib/config/access-names';
import {
  BACKUP_OPT_IN_RESOURCE_TYPES,
  backupPlanName,
  backupRules,
  backupVaultArn,
  backupVaultName,
  drDatabaseSubnetGroupName,
  RESTORE_CHECK_OBJECT_KEY,
  RESTORE_TEST_FAILED_METRIC,
  restoreCheckTableName,
  restoreTestingPlanName,
} from '../../lib/config/backup';
import { TEAM } from '../../lib/config/team';
import { PLATFORM } from '../../lib/config/platform';
import { BACKUP_OPT_IN_ACTION } from '../../lib/constructs/backup-region-opt-in';
import { RECOVERY_POINT_DELETION_ACTIONS } from '../../lib/constructs/backup-vault';
import { RESTORE_JOB_ENDED } from '../../lib/constructs/restore-tests';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe('Backup and DR stacks', () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template, dependsOn } = synthesizedApp();
  const vaultStack = (name: string) => template(stage(name).backupVault);
  const backupStack = (name: string) => template(stage(name).backup);
  const vaultOf = (t: ReturnType<typeof vaultStack>) => Object.values(t.findResources('AWS::Backup::BackupVault'))[0];

  test.each(EACH_ENV)('%s: one vault, named from config, encrypted with its own rotated key, retained', (name) => {
    const t = vaultStack(name);
    t.resourceCountIs('AWS::Backup::BackupVault', 1);
    const vault = vaultOf(t);
    expect(vault.Properties.BackupVaultName).toBe(backupVaultName(name));
    expect(vault.Properties.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VaultKey/), 'Arn'] });
    expect(vault.DeletionPolicy).toBe('Retain');
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test.each(EACH_ENV)('%s: the vault denies deleting or shortening a recovery point to all but break-glass', (name, config) => {
    const statements = vaultOf(vaultStack(name)).Properties.AccessPolicy.Statement;
    const deny = statements.find((s: { Sid: string }) => s.Sid === 'DenyRecoveryPointDeletionExceptBreakGlass');
    expect(deny).toEqual({
      Sid: 'DenyRecoveryPointDeletionExceptBreakGlass',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...RECOVERY_POINT_DELETION_ACTIONS],
      Resource: '*',
      Condition: {
        ArnNotLike: {
          'aws:PrincipalArn': breakGlassPrincipalArnPatterns(config, TEAM.permissionSets.breakGlass.name, PLATFORM.identityCenter.region),
        },
      },
    });
    // AND no statement of the policy allows anything
    expect(statements.every((s: { Effect: string }) => s.Effect === 'Deny')).toBe(true);
  });

  test.each(EACH_ENV)('%s: vault lock from config (compliance mode with a grace time in prod)', (name, config) => {
    const lock = config.backup.vaultLock;
    const props = vaultOf(vaultStack(name)).Properties;
    if (!lock) {
      expect(props.LockConfiguration).toBeUndefined();
      return;
    }
    expect(props.LockConfiguration).toEqual({
      MinRetentionDays: lock.minRetentionDays,
      MaxRetentionDays: lock.maxRetentionDays,
      ...(lock.mode === 'compliance' ? { ChangeableForDays: lock.changeableForDays } : {}),
    });
  });

  test('prod: the lock is in compliance mode (a grace time is set) and covers every rule of the plan', () => {
    const config = EACH_ENV.find(([n]) => n === 'prod')![1];
    const lock = vaultOf(vaultStack('prod')).Properties.LockConfiguration;
    expect(lock.ChangeableForDays).toBeGreaterThanOrEqual(3);
    for (const rule of backupRules(config.backup)) {
      expect(rule.retentionDays).toBeGreaterThanOrEqual(lock.MinRetentionDays);
      expect(rule.retentionDays).toBeLessThanOrEqual(lock.MaxRetentionDays);
    }
  });

  test.each(EACH_ENV)(
    '%s: the plan has the rules derived from config: schedule, retention, cold storage, continuous, DR copy',
    (name, config) => {
      const plan = Object.values(backupStack(name).findResources('AWS::Backup::BackupPlan'))[0].Properties.BackupPlan;
      expect(plan.BackupPlanName).toBe(backupPlanName(name));
      const drVault = config.drRegion && backupVaultArn(config.drRegion, config.account, backupVaultName(name, 'dr'));
      expect(plan.BackupPlanRule).toEqual(
        backupRules(config.backup).map((rule) => {
          const lifecycle = {
            DeleteAfterDays: rule.retentionDays,
            ...(rule.coldStorageAfterDays !== undefined ? { MoveToColdStorageAfterDays: rule.coldStorageAfterDays } : {}),
          };
          return expect.objectContaining({
            RuleName: rule.name,
            ScheduleExpression: rule.scheduleExpression,
            Lifecycle: lifecycle,
            ...(rule.continuous ? { EnableContinuousBackup: true } : {}),
            ...(rule.copyToDr ? { CopyActions: [{ DestinationBackupVaultArn: drVault, Lifecycle: lifecycle }] } : {}),
          });
        }),
      );
      for (const rule of plan.BackupPlanRule) {
        if (!rule.EnableContinuousBackup) expect(rule.EnableContinuousBackup).toBeUndefined();
      }
    },
  );

  test.each(EACH_ENV)(
    '%s: continuous backup exactly when the RPO is below a day; copies to the DR region exactly in prod',
    (name, config) => {
      const rules = Object.values(backupStack(name).findResources('AWS::Backup::BackupPlan'))[0].Properties.BackupPlan.BackupPlanRule;
      expect(rules.some((r: { EnableContinuousBackup?: boolean }) => r.EnableContinuousBackup)).toBe(
        config.backup.objectives.rpoMinutes < 1440,
      );
      expect(rules.some((r: { CopyActions?: unknown[] }) => r.CopyActions)).toBe(name === 'prod');
    },
  );

  test.each(EACH_ENV)(
    '%s: the selection picks every resource by the Backup tag the tag policy puts on stateful resources',
    (name, config) => {
      backupStack(name).hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: Match.objectLike({
          ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'Backup', ConditionValue: config.tags.Backup }],
          IamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupRole'), 'Arn'] },
        }),
      });
      // AND the stateful stacks' database and buckets carry that tag
      const data = template(stage(name).data);
      for (const type of ['AWS::RDS::DBInstance', 'AWS::S3::Bucket']) {
        for (const r of Object.values(data.findResources(type))) {
          expect(r.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'Backup', Value: config.tags.Backup }]));
        }
      }
    },
  );

  test.each(EACH_ENV)('%s: restore testing plan and selections for the database and the uploads bucket', (name, config) => {
    const t = backupStack(name);
    const testing = config.backup.restoreTesting;
    t.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      RestoreTestingPlanName: restoreTestingPlanName(name),
      ScheduleExpression: testing.scheduleExpression,
      StartWindowHours: testing.startWindowHours,
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [Match.anyValue()],
        RecoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'],
        SelectionWindowDays: testing.selectionWindowDays,
      },
    });
    const selections = Object.values(t.findResources('AWS::Backup::RestoreTestingSelection')).map((r) => r.Properties);
    expect(selections.map((s) => [s.RestoreTestingSelectionName, s.ProtectedResourceType, s.ValidationWindowHours])).toEqual([
      ['database', 'RDS', testing.validationWindowHours],
      ['uploads', 'S3', testing.validationWindowHours],
    ]);
    // The restored database goes into the database's isolated subnets, behind the restore-test security group
    expect(selections[0].RestoreMetadataOverrides).toEqual({
      dbSubnetGroupName: expect.anything(),
      vpcSecurityGroupIds: expect.anything(),
    });
  });

  test.each(EACH_ENV)(
    '%s: the validation function runs when a restore job ends, knows the table, the object and the RTO',
    (name, config) => {
      const t = backupStack(name);
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: [...RESTORE_JOB_ENDED.source],
          'detail-type': [...RESTORE_JOB_ENDED.detailType],
          detail: { status: [...RESTORE_JOB_ENDED.detail.status] },
        },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoreTestsValidation'), 'Arn'] } })],
      });
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            RTO_MINUTES: String(config.backup.objectives.rtoMinutes),
            RESTORE_CHECK_TABLE: restoreCheckTableName(),
            RESTORE_CHECK_OBJECT: RESTORE_CHECK_OBJECT_KEY,
            METRIC_NAME: RESTORE_TEST_FAILED_METRIC,
          }),
        },
        VpcConfig: Match.anyValue(),
      });
      // AND it may report validation results and change restored copies only
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'ReadRestoreJobsAndReportValidation',
              Action: ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult'],
            }),
            Match.objectLike({
              Sid: 'SetThePasswordOfRestoredDatabases',
              Resource: `arn:aws:rds:${config.region}:${config.account}:db:awsbackup-restore-test-*`,
            }),
          ]),
        },
      });
    },
  );

  test.each(EACH_ENV)('%s: a failed restore test raises the restore-test-failed alarm through the facade', (name) => {
    backupStack(name).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: RESTORE_TEST_FAILED_METRIC,
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('docs/runbooks\\.md#restore-test-failed$'),
    });
  });

  test('prod: the DR region holds the pilot light: its VPC and the vault that receives the copies, locked like the primary', () => {
    const config = EACH_ENV.find(([n]) => n === 'prod')![1];
    const dr = stage('prod').disasterRecovery!;
    expect(dr.region).toBe(config.drRegion);
    const t = template(dr);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.dr!.network.vpcCidr });
    t.resourceCountIs('AWS::EC2::NatGateway', config.dr!.network.natGateways);
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      DBSubnetGroupName: drDatabaseSubnetGroupName('prod'),
      SubnetIds: Match.anyValue(),
    });
    const vault = Object.values(t.findResources('AWS::Backup::BackupVault'))[0];
    expect(vault.Properties.BackupVaultName).toBe(backupVaultName('prod', 'dr'));
    expect(vault.Properties.LockConfiguration).toEqual(vaultOf(vaultStack('prod')).Properties.LockConfiguration);
    expect(vault.DeletionPolicy).toBe('Retain');
    // AND the Backup stack deploys after it (its copy rule names the DR vault)
    expect(dependsOn(stage('prod').backup)).toContain(dr);
  });

  test.each(['dev', 'staging'])('%s: no DR region stack', (name) => {
    expect(stage(name).disasterRecovery).toBeUndefined();
  });

  /** The opt-in calls of a template: the parsed create, update and delete calls of each `Custom::AWS` that updates region settings. */
  const optInsOf = (t: ReturnType<typeof vaultStack>) =>
    Object.values(t.findResources('Custom::AWS'))
      .map((r) => r.Properties)
      .filter((p) => String(p.Create ?? '').includes('updateRegionSettings'))
      .map((p) => ({ create: JSON.parse(p.Create), update: p.Update === undefined ? undefined : JSON.parse(p.Update), delete: p.Delete }));

  /** Where each environment opts AWS Backup in: its own region, and in prod the DR region that receives the copies. */
  const optInRegions = (name: string) => {
    const s = stage(name);
    return [
      [s.backup.region, backupStack(name)] as const,
      ...(s.disasterRecovery ? [[s.disasterRecovery.region, template(s.disasterRecovery)] as const] : []),
    ];
  };

  test.each(EACH_ENV)(
    '%s: AWS Backup is opted in to every backed-up type in code, in each region that keeps state or copies, never opted out',
    (name, config) => {
      // GIVEN the regions of the environment's backups (and copies)
      const regions = optInRegions(name);
      expect(regions.map(([r]) => r)).toEqual([config.region, ...(config.backup.copyToDr && config.dr ? [config.drRegion] : [])]);
      for (const [region, t] of regions) {
        // THEN exactly one opt-in per region, calling UpdateRegionSettings in that region with every type on
        const optIns = optInsOf(t);
        expect(optIns).toHaveLength(1);
        const expected = {
          service: 'Backup',
          action: 'updateRegionSettings',
          region,
          parameters: { ResourceTypeOptInPreference: Object.fromEntries(BACKUP_OPT_IN_RESOURCE_TYPES.map((type) => [type, true])) },
        };
        expect(optIns[0].create).toMatchObject(expected);
        // AND a config change re-applies it, and deleting the stack leaves the region's settings alone
        expect(optIns[0].update).toMatchObject(expected);
        expect(optIns[0].delete).toBeUndefined();
        // AND its policy allows that one action, nothing else
        t.hasResourceProperties('AWS::IAM::Policy', {
          PolicyName: Match.stringLikeRegexp('BackupOptInCustomResourcePolicy'),
          PolicyDocument: { Statement: [{ Action: BACKUP_OPT_IN_ACTION, Effect: 'Allow', Resource: '*' }] },
        });
      }
    },
  );

  test('S3 is among the opted-in types (off by default in every region) with the database and tables', () => {
    expect([...BACKUP_OPT_IN_RESOURCE_TYPES].sort()).toEqual(['DynamoDB', 'RDS', 'S3']);
  });
});
