import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ChatChannels } from '../../lib/constructs/chat-channels';
import { testApp } from '../helpers';

describe('ChatChannels', () => {
  const build = (withChannels = true) => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const critical = new sns.Topic(stack, 'Critical');
    const warning = new sns.Topic(stack, 'Warning');
    const ref = (t: sns.Topic) => ({ Ref: stack.getLogicalId(t.node.defaultChild as sns.CfnTopic) });
    const chat = new ChatChannels(stack, 'Chat', {
      namePrefix: 'app-dev',
      alarmArnPattern: 'arn:aws:cloudwatch:*:111111111111:alarm:app-dev-*',
      slack: {
        workspaceId: 'T0123ABCD45',
        channels: withChannels ? [{ channelId: 'C0123456789', label: 'critical-warning', topics: [critical, warning] }] : [],
      },
      teams: {
        tenantId: '00000000-0000-0000-0000-000000000001',
        teamId: '00000000-0000-0000-0000-000000000002',
        channels: withChannels ? [{ channelId: '19%3aabc%40thread.tacv2', label: 'critical', topics: [critical] }] : [],
      },
    });
    return { t: Template.fromStack(stack), ref, critical, warning, chat };
  };

  test('a Slack and a Teams configuration per channel, with the topics routed to it, logging errors only', () => {
    const { t, ref, critical, warning } = build();
    t.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'app-dev-slack-critical-warning',
      SlackWorkspaceId: 'T0123ABCD45',
      SlackChannelId: 'C0123456789',
      SnsTopicArns: [ref(critical), ref(warning)],
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
    });
    t.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      ConfigurationName: 'app-dev-teams-critical',
      TeamsTenantId: '00000000-0000-0000-0000-000000000001',
      TeamId: '00000000-0000-0000-0000-000000000002',
      TeamsChannelId: '19%3aabc%40thread.tacv2',
      SnsTopicArns: [ref(critical)],
    });
  });

  test('the channel role is notifications only, and the same policy is the guardrail', () => {
    const { t } = build();
    const [policyId, policy] = Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ReadAlarms',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: 'arn:aws:cloudwatch:*:111111111111:alarm:app-dev-*',
      },
      { Sid: 'RenderGraphs', Effect: 'Allow', Action: 'cloudwatch:GetMetricWidgetImage', Resource: '*' },
    ]);
    for (const type of ['AWS::Chatbot::SlackChannelConfiguration', 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration']) {
      t.hasResourceProperties(type, { GuardrailPolicies: [{ Ref: policyId }] });
    }
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } }],
      },
      ManagedPolicyArns: [{ Ref: policyId }],
    });
  });

  test('no channel, no configuration and no role', () => {
    const { t, chat } = build(false);
    t.resourceCountIs('AWS::IAM::Role', 0);
    t.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    expect(chat.role).toBeUndefined();
  });
});
