import { Match } from 'aws-cdk-lib/assertions';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { SERVICES } from '../../lib/config/service-catalog';
import { toolingConfig } from '../../lib/config/tooling';
import { ToolingStage } from '../../lib/stages/tooling-stage';
import { synthesizedApp } from '../app-fixture';

describe('RegistryStack (tooling account)', () => {
  const { app, template } = synthesizedApp();
  const stage = app.node.findChild('Tooling') as ToolingStage;
  const t = template(stage.registry);

  test('lives in the tooling account, termination-protected', () => {
    expect(stage.registry.account).toBe(toolingConfig().account);
    expect(stage.registry.terminationProtection).toBe(true);
  });

  test('one repository per service image of the catalog', () => {
    const names = Object.values(t.findResources('AWS::ECR::Repository')).map((r) => r.Properties.RepositoryName);
    expect(names.sort()).toEqual([...new Set(SERVICES.map((s) => s.image.repository))].sort());
  });

  test('immutable tags, scan on push, KMS encryption, retained', () => {
    for (const repo of Object.values(t.findResources('AWS::ECR::Repository'))) {
      expect(repo.Properties).toMatchObject({
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      });
      expect(repo.DeletionPolicy).toBe('Retain');
    }
  });

  test('lifecycle: untagged images expire, the last N images are kept', () => {
    const repo = Object.values(t.findResources('AWS::ECR::Repository'))[0];
    const policy = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' },
      }),
      expect.objectContaining({ rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 } }),
    ]);
  });

  test('every environment account may pull, and nothing else', () => {
    const accounts = [...new Set(ENVIRONMENTS.map((e) => e.account))];
    for (const repo of Object.values(t.findResources('AWS::ECR::Repository'))) {
      expect(repo.Properties.RepositoryPolicyText.Statement).toEqual([
        {
          Sid: 'EnvironmentsPull',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
        },
      ]);
    }
  });

  test('pulling accounts may decrypt layers only through ECR', () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:DescribeKey'],
            Condition: { StringLike: { 'kms:ViaService': 'ecr.*.amazonaws.com' } },
          }),
        ]),
      },
    });
  });
});
