import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { prod } from '../../lib/config/environments';
import { SaasEnvironmentStage } from '../../lib/stages/saas-environment-stage';
import { CLOUDFRONT_REGION } from '../../lib/stacks/edge-global-stack';
import { TEST_APP_PROPS, withValue } from '../helpers';

describe('EdgeProtectionStack', () => {
  // GIVEN production with Shield Advanced turned on, synthesized with every gate
  const app = buildApp([withValue(prod, 'edge.shieldAdvanced', true)], TEST_APP_PROPS);
  app.synth();
  const stage = app.node.findChild(prod.stageName) as SaasEnvironmentStage;
  const protection = stage.edgeProtection!;
  const template = Template.fromStack(protection);

  test('exists in us-east-1, where Shield manages global resources', () => {
    expect(protection.region).toBe(CLOUDFRONT_REGION);
  });

  test('protects the distribution, with the API primary health for health-based detection', () => {
    template.hasResourceProperties('AWS::Shield::Protection', {
      Name: 'saas-platform-prod-cloudfront',
      ResourceArn: Match.anyValue(),
      HealthCheckArns: [
        {
          'Fn::Join': [
            '',
            [
              'arn:aws:route53:::healthcheck/',
              Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ StackName: stage.edge.stackName }) }),
            ],
          ],
        },
      ],
    });
  });

  test('protects the hosted zone', () => {
    template.hasResourceProperties('AWS::Shield::Protection', { Name: 'saas-platform-prod-hosted-zone' });
    template.resourceCountIs('AWS::Shield::Protection', 2);
  });

  test('deploys after the distribution and the zone it protects', () => {
    expect(protection.dependencies.map((s) => s.node.id)).toEqual(expect.arrayContaining(['Edge', 'Dns']));
  });
});
