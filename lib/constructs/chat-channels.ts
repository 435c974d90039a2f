import { Stack, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** One chat channel and the topics it receives. */
export interface ChatChannel {
  /** Channel ID as the chat application shows it. */
  readonly channelId: string;
  /** Short name in the configuration's name, e.g. `critical-warning`. */
  readonly label: string;
  /** Topics whose messages the channel receives. */
  readonly topics: readonly sns.ITopic[];
}

/** Props of `ChatChannels`. */
export interface ChatChannelsProps {
  /** Prefix of the Chatbot configuration names, e.g. `saas-platform-prod`. */
  readonly namePrefix: string;
  /** ARN pattern of the alarms whose graphs Chatbot may render, e.g. `arn:aws:cloudwatch:*:111111111111:alarm:saas-platform-prod-*`. */
  readonly alarmArnPattern: string;
  /** Slack: the authorized workspace and its channels. @default - none */
  readonly slack?: { readonly workspaceId: string; readonly channels: readonly ChatChannel[] };
  /** Microsoft Teams: the tenant, the team and its channels. @default - none */
  readonly teams?: { readonly tenantId: string; readonly teamId: string; readonly channels: readonly ChatChannel[] };
}

/**
 * AWS Chatbot channel configurations that post the alert topics' messages to Slack and Microsoft
 * Teams. Notifications only: the channel role may read the alarms and render their graphs, and the
 * same policy is the guardrail, so that nobody in a channel can do more through Chatbot.
 */
export class ChatChannels extends Construct {
  /** The channel role (and its guardrail policy). */
  public readonly role?: iam.IRole;

  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    const slack = props.slack?.channels ?? [];
    const teams = props.teams?.channels ?? [];
    if (slack.length + teams.length === 0) return;

    const guardrail = new iam.ManagedPolicy(this, 'NotificationsOnly', {
      description: 'AWS Chatbot alert channels: read the alarms, render their graphs; nothing else',
      statements: [
        new iam.PolicyStatement({ sid: 'ReadAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: [props.alarmArnPattern] }),
        new iam.PolicyStatement({ sid: 'RenderGraphs', actions: ['cloudwatch:GetMetricWidgetImage'], resources: ['*'] }),
      ],
    });
    Validations.of(guardrail).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricWidgetImage supports no resource-level permissions; it renders graphs of metrics and reads nothing else.',
    });
    Validations.of(guardrail).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${Stack.of(this).resolve(props.alarmArnPattern)}]`,
      reason: "Only this environment's alarms, by their config-derived name prefix.",
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'AWS Chatbot alert channels (notifications only)',
      managedPolicies: [guardrail],
    });
    this.role = role;

    // What every configuration of a channel shares: notifications only, errors logged.
    const common = (channel: ChatChannel) => ({
      iamRoleArn: role.roleArn,
      snsTopicArns: channel.topics.map((t) => t.topicArn),
      guardrailPolicies: [guardrail.managedPolicyArn],
      loggingLevel: 'ERROR',
      userRoleRequired: false,
    });
    for (const channel of slack) {
      new chatbot.CfnSlackChannelConfiguration(this, `Slack-${channel.label}`, {
        configurationName: `${props.namePrefix}-slack-${channel.label}`,
        slackWorkspaceId: props.slack!.workspaceId,
        slackChannelId: channel.channelId,
        ...common(channel),
      });
    }
    for (const channel of teams) {
      new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, `Teams-${channel.label}`, {
        configurationName: `${props.namePrefix}-teams-${channel.label}`,
        teamsTenantId: props.teams!.tenantId,
        teamId: props.teams!.teamId,
        teamsChannelId: channel.channelId,
        ...common(channel),
      });
    }
  }
}
