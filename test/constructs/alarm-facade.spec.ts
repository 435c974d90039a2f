import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmFacade } from '../../lib/constructs/alarm-facade';
import { testApp } from '../helpers';

describe('AlarmFacade', () => {
  // GIVEN a facade with one topic per severity
  const build = () => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const topics = {
      critical: new sns.Topic(stack, 'Critical'),
      warning: new sns.Topic(stack, 'Warning'),
      info: new sns.Topic(stack, 'Info'),
    };
    const facade = new AlarmFacade(stack, 'Alarms', { alarmNamePrefix: 'app-dev-', topics, runbook: (id) => `docs/runbooks.md#${id}` });
    const metric = new cw.Metric({ namespace: 'AWS/RDS', metricName: 'CPUUtilization', statistic: 'Average' });
    const topicId = (t: sns.Topic) => stack.getLogicalId(t.node.defaultChild as sns.CfnTopic);
    return { stack, topics, facade, metric, topicId };
  };

  test('one alarm per severity with a threshold, named, described with a runbook anchor, notifying its topic on ALARM and OK', () => {
    const { stack, facade, metric, topics, topicId } = build();
    // WHEN a kind has warning and critical thresholds (no info)
    const made = facade.addAlarm({
      id: 'rds-cpu',
      title: 'CPU of the database',
      metric,
      thresholds: { warning: 80, critical: 95 },
      format: (v) => `${v}%`,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });
    // THEN two alarms, most urgent first
    expect(Object.keys(made)).toEqual(['critical', 'warning']);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const [severity, threshold] of [
      ['critical', 95],
      ['warning', 80],
    ] as const) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `app-dev-rds-cpu-${severity}`,
        AlarmDescription: `CPU of the database (${severity}: at or above ${threshold}%). Runbook: docs/runbooks.md#rds-cpu`,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: topicId(topics[severity]) }],
        OKActions: [{ Ref: topicId(topics[severity]) }],
      });
    }
    expect(facade.alarms.map((a) => [a.id, a.severity, a.notifies])).toEqual([
      ['rds-cpu', 'critical', true],
      ['rds-cpu', 'warning', true],
    ]);
  });

  test('a below alarm compares less-than; an instance is part of the name; default formatting is the number', () => {
    const { stack, facade, metric } = build();
    facade.addAlarm({
      id: 'canary-failed',
      instance: 'api-health',
      title: 'Runs failed',
      metric,
      thresholds: { info: 100 },
      below: true,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'app-dev-canary-failed-api-health-info',
      AlarmDescription: 'Runs failed (info: below 100). Runbook: docs/runbooks.md#canary-failed',
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
  });

  test('a critical level that pages through a composite has no action of its own; the composite pages once', () => {
    const { stack, facade, metric, topics, topicId } = build();
    const a = facade.addAlarm({
      id: 'alb-5xx-rate',
      title: '5xx',
      metric,
      thresholds: { critical: 1, warning: 0.5 },
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      pageThroughComposite: true,
    });
    const b = facade.addAlarm({
      id: 'canary-failed',
      title: 'runs',
      metric,
      thresholds: { critical: 50 },
      below: true,
      treatMissingData: cw.TreatMissingData.BREACHING,
      pageThroughComposite: true,
    });
    facade.addComposite({ id: 'api-unavailable', title: 'API down', severity: 'critical', anyOf: [a.critical!, b.critical!] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'app-dev-alb-5xx-rate-critical',
      AlarmDescription: '5xx (critical: at or above 1). Pages through its composite alarm. Runbook: docs/runbooks.md#alb-5xx-rate',
      AlarmActions: Match.absent(),
      OKActions: Match.absent(),
    });
    // the warning level still reaches chat
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'app-dev-alb-5xx-rate-warning',
      AlarmActions: [{ Ref: topicId(topics.warning) }],
    });
    t.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'app-dev-api-unavailable-critical',
      AlarmDescription: 'API down (critical: any of 2 alarms). Runbook: docs/runbooks.md#api-unavailable',
      AlarmActions: [{ Ref: topicId(topics.critical) }],
      OKActions: [{ Ref: topicId(topics.critical) }],
    });
    // the rule is "any child in ALARM", over the two critical children
    const rule = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'))[0]
      .Properties.AlarmRule['Fn::Join'][1].map((p: string | { 'Fn::GetAtt': [string, string] }) =>
        typeof p === 'string' ? p : `<${p['Fn::GetAtt'][0]}>`,
      )
      .join('');
    expect(rule).toMatch(/^\(ALARM\("<Alarmsalb5xxratecritical[0-9A-F]+>"\) OR ALARM\("<Alarmscanaryfailedcritical[0-9A-F]+>"\)\)$/);
    expect(facade.alarms.filter((x) => !x.notifies).map((x) => `${x.id}-${x.severity}`)).toEqual([
      'alb-5xx-rate-critical',
      'canary-failed-critical',
    ]);
  });

  test('a composite of nothing is not made (an environment without those signals)', () => {
    const { stack, facade } = build();
    expect(facade.addComposite({ id: 'api-unavailable', title: 'x', severity: 'critical', anyOf: [] })).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
  });
});
