import { Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Template } from 'aws-cdk-lib/assertions';
import { DeliveryPipeline } from '../../lib/constructs/delivery-pipeline';
import { acknowledgeGeneratedWildcards } from '../../lib/constructs/policies/generated-wildcards';
import { pipelineWildcardRules } from '../../lib/constructs/delivery-pipeline';
import { testApp } from '../helpers';

const ENV = { account: '000000000000', region: 'eu-west-1' };
const CONNECTION = 'arn:aws:codeconnections:eu-west-1:000000000000:connection/00000000-0000-0000-0000-000000000000';

/** A pipeline that deploys two one-stack stages, with the application delivery's hooks. */
function pipelineWithHooks() {
  const app = testApp();
  const stages = ['Qa', 'Live'].map((name) => {
    const stage = new Stage(app, name, { env: { account: name === 'Qa' ? '111111111111' : '333333333333', region: 'eu-west-1' } });
    new sns.Topic(new Stack(stage, 'Alerts'), 'Topic');
    return stage;
  });
  const stack = new Stack(app, 'Tooling', { env: ENV });
  const delivery = new DeliveryPipeline(stack, 'Delivery', {
    pipelineName: 'test-release',
    repository: 'example/repo',
    branch: 'main',
    connectionArn: CONNECTION,
    nodeMajor: 22,
    cdkCliVersion: '2.1148.1',
    deployments: stages.map((stage, i) => ({
      stage,
      manualApproval: i === 1,
      postDeployCommands: [`npm run smoke -- --env ${stage.stageName}`],
    })),
    hooks: {
      beforeEnvironments: (synth) => [
        new pipelines.CodeBuildStep('ImageA', { input: synth.source, commands: ['npm run images -- --service a'] }),
        new pipelines.CodeBuildStep('ImageB', { input: synth.source, commands: ['npm run images -- --service b'] }),
      ],
      afterEnvironment: (stageName, synth) => [
        new pipelines.CodeBuildStep(`Release${stageName}`, {
          input: synth.manifests,
          commands: [`npm run release -- --env ${stageName}`],
          // a wildcard of the step's own: the pipeline's rules must not acknowledge it
          rolePolicyStatements: [new iam.PolicyStatement({ actions: ['eks:Describe*'], resources: ['*'] })],
        }),
      ],
    },
  });
  return { stack, delivery };
}

describe('DeliveryPipeline', () => {
  test('reads its stages when the app synthesizes, so a change made to a stage after the pipeline exists is deployed', () => {
    // GIVEN a pipeline, then a stage changed after it was made
    const { stack, delivery } = pipelineWithHooks();
    expect(() => delivery.supportStacks).toThrow('Tooling/Delivery: the pipeline is built when the app synthesizes; read this after synth');
    const qa = stack.node.root.node.findChild('Qa') as Stage;
    new sns.Topic(new Stack(qa, 'Late'), 'Topic');
    // WHEN the app synthesizes THEN the pipeline deploys the late stack too
    const stages = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages as {
      Name: string;
      Actions: { Name: string }[];
    }[];
    expect(stages.find((s) => s.Name === 'Qa')!.Actions.map((a) => a.Name)).toContain('Late.Deploy');
  });
});

describe('DeliveryPipeline hooks', () => {
  const { stack, delivery } = pipelineWithHooks();
  const template = Template.fromStack(stack);
  const stagesOf = () =>
    Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages as {
      Name: string;
      Actions: { Name: string; RunOrder: number; ActionTypeId: { Category: string } }[];
    }[];

  test('the image builds run once, in parallel, after the synth and before the first environment', () => {
    const names = stagesOf().map((s) => s.Name);
    expect(names).toEqual(['Source', 'Build', 'UpdatePipeline', 'BeforeEnvironments', 'Qa', 'Live']);
    const before = stagesOf().find((s) => s.Name === 'BeforeEnvironments')!;
    expect(before.Actions.map((a) => [a.Name, a.RunOrder])).toEqual([
      ['ImageA', 1],
      ['ImageB', 1],
    ]);
  });

  test("each environment's release runs after its stacks and its smoke check; the approval comes first in Live", () => {
    for (const name of ['Qa', 'Live']) {
      const stage = stagesOf().find((s) => s.Name === name)!;
      const order = (action: string) => stage.Actions.find((a) => a.Name === action)!.RunOrder;
      expect(order(`${name}PostDeploy`)).toBeGreaterThan(order('Alerts.Deploy'));
      expect(order(`Release${name}`)).toBeGreaterThan(order(`${name}PostDeploy`));
      expect(order(`${name}PostDeploy`)).toBeGreaterThan(
        Math.max(...stage.Actions.filter((a) => a.ActionTypeId.Category === 'Deploy').map((a) => a.RunOrder)),
      );
    }
    const live = stagesOf().find((s) => s.Name === 'Live')!;
    expect(live.Actions.find((a) => a.ActionTypeId.Category === 'Approval')!.RunOrder).toBe(1);
  });

  test('a wildcard of a step the pipeline does not know stays a cdk-nag finding', () => {
    expect([...delivery.unacknowledgedWildcards]).toEqual([
      ['Tooling/Delivery/Pipeline/Pipeline/Qa/ReleaseQa/ReleaseQa/Role/DefaultPolicy', ['Action::eks:Describe*', 'Resource::*']],
      ['Tooling/Delivery/Pipeline/Pipeline/Live/ReleaseLive/ReleaseLive/Role/DefaultPolicy', ['Action::eks:Describe*', 'Resource::*']],
    ]);
    // and the rules alone, given no bucket of the pipeline's, recognize no object grant
    const left = acknowledgeGeneratedWildcards(delivery, pipelineWildcardRules([], ENV.account));
    expect([...left.values()].flat()).toContain('Action::s3:GetObject*');
  });
});
