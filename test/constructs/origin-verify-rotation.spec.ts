import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { OriginVerifyRotation, OriginVerifyRotationProps } from '../../lib/constructs/origin-verify-rotation';
import { roleMay, roleWhere } from '../contracts/iam';
import { worldOf } from '../contracts/world';
import { testApp } from '../helpers';

const ACCOUNT = '111111111111';
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:OriginVerify-AbCdEf`;
const WEB_ACL = `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/app-dev-regional/acl-1`;
const CF_WEB_ACL = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/app-dev-cloudfront/acl-2`;
const DISTRIBUTION = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2EXAMPLE`;

function synth(props: Partial<OriginVerifyRotationProps> = {}): { stack: Stack; template: Template } {
  const stack = new Stack(testApp(), 'Test', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  new OriginVerifyRotation(stack, 'Rotation', {
    secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', SECRET),
    headerName: 'X-Origin-Verify',
    webAcl: { name: 'app-dev-regional', id: 'acl-1', arn: WEB_ACL, scope: 'REGIONAL' },
    ruleName: 'OriginVerify',
    distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'Dist', {
      distributionId: 'E2EXAMPLE',
      domainName: 'd111111abcdef8.cloudfront.net',
    }),
    distributionWebAclArn: CF_WEB_ACL,
    schedule: Duration.days(30),
    logRetention: logs.RetentionDays.TWO_WEEKS,
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('OriginVerifyRotation', () => {
  // GIVEN the rotation of a secret, for one WebACL and one distribution
  const { stack, template } = synth();
  const w = worldOf(stack);
  const [s] = w.stacks;
  const functionMay = (action: string, resource: string) =>
    roleMay(
      w,
      s,
      roleWhere(s, 'of the rotation function', (id) => id.startsWith('RotationHandlerRole')),
      { action, resource },
    );

  test('Secrets Manager rotates the secret with the function every 30 days, first on the schedule (not at deploy)', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: SECRET,
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationHandler'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: ACCOUNT,
    });
  });

  test('the schedule is created after the function and its permissions (the first run must not be refused)', () => {
    const schedule = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))[0];
    expect(schedule.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/RotationHandler.*Policy/),
        expect.stringMatching(/RotationHandlerInvokedBySecretsManager/),
      ]),
    );
  });

  test('the function finds the WebACL, its rule, the header and the distribution in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          HEADER_NAME: 'X-Origin-Verify',
          RULE_NAME: 'OriginVerify',
          WEB_ACL_NAME: 'app-dev-regional',
          WEB_ACL_ID: 'acl-1',
          WEB_ACL_SCOPE: 'REGIONAL',
          DISTRIBUTION_ID: 'E2EXAMPLE',
        }),
      },
    });
  });

  test.each([
    ['secretsmanager:DescribeSecret', SECRET],
    ['secretsmanager:GetSecretValue', SECRET],
    ['secretsmanager:PutSecretValue', SECRET],
    ['secretsmanager:UpdateSecretVersionStage', SECRET],
    ['wafv2:GetWebACL', WEB_ACL],
    ['wafv2:UpdateWebACL', WEB_ACL],
    ['cloudfront:GetDistributionConfig', DISTRIBUTION],
    ['cloudfront:UpdateDistribution', DISTRIBUTION],
    ['wafv2:GetWebACL', CF_WEB_ACL],
  ])('simulated: the function may %s on its own resource', async (action, resource) => {
    expect(await functionMay(action, resource)).toHaveDecision('Allowed');
  });

  test.each([
    ['secretsmanager:PutSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:saas-platform/dev/webhook-signing-secret-AbCdEf`],
    ['secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:saas-platform/dev/database-credentials-AbCdEf`],
    ['secretsmanager:DeleteSecret', SECRET],
    ['secretsmanager:GetRandomPassword', '*'],
    ['wafv2:UpdateWebACL', `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/other/acl-9`],
    ['wafv2:UpdateWebACL', CF_WEB_ACL],
    ['wafv2:DeleteWebACL', WEB_ACL],
    ['cloudfront:UpdateDistribution', `arn:aws:cloudfront::${ACCOUNT}:distribution/EOTHER`],
    ['cloudfront:DeleteDistribution', DISTRIBUTION],
  ])('simulated: the function may not %s on %s', async (action, resource) => {
    expect(await functionMay(action, resource)).toHaveDecision('ImplicitlyDenied');
  });

  test.each([0, 366, 1.5])('rejects a schedule of %p days', (days) => {
    expect(() => synth({ schedule: Duration.days(days) })).toThrow(
      `Test/Rotation: schedule of ${days} days is not allowed; use a whole number of days in 1..365`,
    );
  });
});
