import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack, Stage, Tags, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { REQUIRED_TAGS, STATEFUL_TAGS } from '../../lib/config/tag-policy';
import { collectFacts, PlatformChecks, PlatformChecksProps } from '../../lib/policies/platform-checks';
import { TemplateFiles } from '../../lib/policies/template-files';
import { TEST_APP_PROPS, testApp } from '../helpers';

const STRICT: PlatformChecksProps = {
  requiredTags: REQUIRED_TAGS,
  statefulTags: STATEFUL_TAGS,
  requireTerminationProtection: true,
  requireRetention: true,
};

const GOOD_TAGS: Record<string, string> = {
  Environment: 'prod',
  Application: 'saas-platform',
  Owner: 'team@example.com',
  CostCenter: 'CC-1042',
};

/** A stage with one bucket and one role; `tweak` breaks what a test needs broken. */
function stageWith(tweak: (stack: Stack, bucket: s3.Bucket) => void = () => {}, props: PlatformChecksProps = STRICT) {
  const app = testApp();
  const stage = new Stage(app, 'Prod');
  const stack = new Stack(stage, 'Data', { terminationProtection: true });
  const bucket = new s3.Bucket(stack, 'Uploads', { removalPolicy: RemovalPolicy.RETAIN });
  new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  for (const [k, v] of Object.entries(GOOD_TAGS)) Tags.of(stage).add(k, v);
  Tags.of(stack).add('DataClassification', 'confidential');
  Tags.of(stack).add('Backup', 'daily');
  tweak(stack, bucket);
  const checks = new PlatformChecks(stage, props);
  return { app, stage, stack, checks };
}

describe('PlatformChecks', () => {
  test('compliant: a tagged, retained bucket in a protected stack passes', () => {
    const { stage, checks } = stageWith();
    stage.synth();
    expect(checks.validateScope()).toEqual({ success: true, violations: [] });
  });

  test('non-compliant: a missing required tag fails, naming the construct path', () => {
    const { stage, checks } = stageWith((stack) => Tags.of(stack).remove('CostCenter'));
    stage.synth();
    const report = checks.validateScope();
    expect(report.success).toBe(false);
    const tag1 = report.violations.find((v) => v.ruleName === 'PLAT-TAG1')!;
    expect(tag1.violatingResources.map((r) => r.constructPath)).toEqual(['Prod/Data/Uploads/Resource', 'Prod/Data/Reader/Resource']);
    expect(tag1.description).toContain('Prod/Data/Reader/Resource (AWS::IAM::Role) has no "CostCenter" tag');
  });

  test('non-compliant: a bucket in an unprotected stack that would be deleted fails twice', () => {
    const { stage, checks } = stageWith((stack, bucket) => {
      (stack as { terminationProtection: boolean }).terminationProtection = false;
      bucket.applyRemovalPolicy(RemovalPolicy.DESTROY);
    });
    stage.synth();
    expect(checks.validateScope().violations.map((v) => v.ruleName)).toEqual(['PLAT-STA1', 'PLAT-STA2']);
  });

  test('development: protection and retention are not required when config does not ask for them', () => {
    const { stage, checks } = stageWith(
      (stack, bucket) => {
        (stack as { terminationProtection: boolean }).terminationProtection = false;
        bucket.applyRemovalPolicy(RemovalPolicy.DESTROY);
      },
      { ...STRICT, requireTerminationProtection: false, requireRetention: false },
    );
    stage.synth();
    expect(checks.validateScope().success).toBe(true);
  });

  test('registered on a stage, a violation fails synth with the report', () => {
    const { app, stage, checks } = stageWith((stack) => Tags.of(stack).remove('Owner'));
    Validations.of(stage).addPlugins(checks);
    expect(() => app.synth()).toThrow(/has no "Owner" tag/);
  });

  test('collectFacts reads tags, deletion policy and stack protection', () => {
    const { stage } = stageWith();
    stage.synth();
    const facts = collectFacts(stage).find((f) => f.type === 'AWS::S3::Bucket')!;
    expect(facts).toMatchObject({ path: 'Prod/Data/Uploads/Resource', deletionPolicy: 'Retain', stackTerminationProtection: true });
    expect(facts.tags).toMatchObject({ ...GOOD_TAGS, Backup: 'daily' });
  });

  describe('template size (PLAT-SIZE1)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'size-'));
    const file = (name: string, bytes: number) => {
      const p = path.join(dir, name);
      // an empty template padded to size (the checks also parse templates)
      const content = Buffer.alloc(bytes, 32);
      content.write('{}');
      fs.writeFileSync(p, content);
      return p;
    };
    const context = (stacks: { path: string; file: string }[], root: Stage) => ({
      templatePaths: stacks.map((s) => s.file),
      stackTemplates: stacks.map((s) => ({ stackConstructPath: s.path, templatePath: s.file, accountId: undefined, region: undefined })),
      appConstruct: root,
    });

    test('an oversized template is an error, a large one a warning, a template of another stage is ignored', () => {
      const { stage, checks } = stageWith();
      stage.synth();
      const report = checks.validate(
        context(
          [
            { path: 'Prod/Big', file: file('big.json', 1_200_000) },
            { path: 'Prod/Large', file: file('large.json', 900_000) },
            { path: 'Prod/Small', file: file('small.json', 1_000) },
            { path: 'Staging/Big', file: file('other.json', 1_200_000) },
          ],
          stage,
        ),
      );
      expect(report.success).toBe(false);
      expect(report.violations.map((v) => [v.ruleName, v.severity, v.violatingResources.map((r) => r.constructPath)])).toEqual([
        ['PLAT-SIZE1', 'error', ['Prod/Big']],
        ['PLAT-SIZE1', 'warning', ['Prod/Large']],
      ]);
    });

    test('a warning alone does not fail synth', () => {
      const { stage, checks } = stageWith();
      stage.synth();
      const report = checks.validate(context([{ path: 'Prod/Large', file: file('large2.json', 900_000) }], stage));
      expect(report.success).toBe(true);
      expect(report.violations).toHaveLength(1);
    });
  });

  describe("the written templates, read through the app's reader (TemplateFiles: only bin/ reads files)", () => {
    const context = (templatePath: string, root: Stage) => ({
      templatePaths: [templatePath],
      stackTemplates: [{ stackConstructPath: 'Prod/Large', templatePath, accountId: undefined, region: undefined }],
      appConstruct: root,
    });

    test('the checks read what the reader gives, not the disk', () => {
      // GIVEN an app whose reader gives a 900 kB template for a path that is no file
      const { app, stage, checks } = stageWith();
      const read: string[] = [];
      TemplateFiles.of(app).readWith((p) => {
        read.push(p);
        return `{}${' '.repeat(900_000)}`;
      });
      stage.synth();
      // WHEN the checks validate THEN the size is the reader's template's
      const report = checks.validate(context('/no/such/Large.template.json', stage));
      expect(read).toEqual(['/no/such/Large.template.json']);
      expect(report.violations.map((v) => [v.ruleName, v.severity])).toEqual([['PLAT-SIZE1', 'warning']]);
    });

    test('an app without a reader: the checks fail, saying where to set it', () => {
      const app = new App({ ...TEST_APP_PROPS });
      const stage = new Stage(app, 'Prod');
      new Stack(stage, 'Data');
      const checks = new PlatformChecks(stage, STRICT);
      expect(() => checks.validate(context('/no/such/Large.template.json', stage))).toThrow(
        "PlatformChecks reads the written templates through the app's TemplateFiles reader, and this app has none: set it where the app is built (TemplateFiles.of(app).readWith(...), as bin/app.ts does)",
      );
    });
  });

  describe('build secrets (PLAT-SEC1)', () => {
    test('a build with a plain-text token fails synth, naming the project', () => {
      // GIVEN a CodeBuild project whose token is a plain-text variable
      const { app, stage, checks } = stageWith((s) => {
        new codebuild.Project(s, 'Build', {
          buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['npm test'] } } }),
          environment: { environmentVariables: { GITHUB_TOKEN: { value: 'not-from-secrets-manager' } } },
        });
      });
      Validations.of(stage).addPlugins(checks);
      // WHEN the app synthesizes THEN the report names the rule and the project
      expect(() => app.synth()).toThrow(
        /variable GITHUB_TOKEN looks like a secret but is PLAINTEXT[\s\S]*Prod\/Data\/Build\/Resource[\s\S]*PlatformChecks::PLAT-SEC1/,
      );
    });
  });
});
