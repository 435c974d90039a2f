import { CHAOS_EXPERIMENTS, chaosLogGroupName, chaosTargetTag, FIS_STRESS_DOCUMENTS } from '../../lib/config/chaos';
import { DEFAULT_WORKLOAD_NAMESPACE, karpenterDiscoveryTag } from '../../lib/config/naming';
import { podDeletionService } from '../../lib/stacks/chaos-stack';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON, read field by field
type Properties = Record<string, any>;

describe('ChaosStack', () => {
  // GIVEN the whole app, synthesized once (every gate passed, or this throws)
  const { stage, template } = synthesizedApp();
  const chaos = (name: string) => template(stage(name).chaos);
  const experiments = (name: string): Record<string, Properties> =>
    Object.fromEntries(
      Object.values(chaos(name).findResources('AWS::FIS::ExperimentTemplate')).map((t) => [
        String(t.Properties.Tags.Name).replace(`${name}-`, ''),
        t.Properties,
      ]),
    );

  test.each(EACH_ENV)('%s: one template per experiment, each with the stop condition, the role and the log group', (name, config) => {
    const all = experiments(name);
    expect(Object.keys(all).sort()).toEqual([...CHAOS_EXPERIMENTS].sort());
    const stop = Object.keys(chaos(name).findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(stop).toHaveLength(1);
    for (const t of Object.values(all)) {
      expect(t.StopConditions).toEqual([{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [stop[0], 'Arn'] } }]);
      expect(t.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Role/), 'Arn'] });
      expect(t.LogConfiguration).toEqual({
        CloudWatchLogsConfiguration: { LogGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/^Logs/), 'Arn'] } },
        LogSchemaVersion: 2,
      });
      expect(t.ExperimentOptions).toEqual({ AccountTargeting: 'single-account', EmptyTargetResolutionMode: 'fail' });
    }
    chaos(name).hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: chaosLogGroupName(name),
      RetentionInDays: config.chaos.logRetentionDays,
    });
  });

  test.each(EACH_ENV)('%s: the stop condition is any alarm that pages (critical), and it says so through the facade', (name) => {
    const obs = stage(name).observability.facade.alarms.filter((a) => a.severity === 'critical' && a.notifies);
    const [composite] = Object.values(chaos(name).findResources('AWS::CloudWatch::CompositeAlarm'));
    const rule = JSON.stringify(composite.Properties.AlarmRule);
    // One ALARM(...) term per critical alarm, joined by OR
    expect(rule.match(/ALARM\(/g)).toHaveLength(obs.length);
    expect(obs.length).toBeGreaterThan(5);
    expect(composite.Properties.AlarmDescription).toMatch(/Runbook: docs\/runbooks\.md#chaos-stop$/);
  });

  test.each(EACH_ENV)('%s: every target is selected by a tag (or tag + zone), never every resource of a type', (name) => {
    for (const [experiment, t] of Object.entries(experiments(name))) {
      for (const target of Object.values(t.Targets) as {
        ResourceTags?: Record<string, string>;
        ResourceArns?: unknown;
        SelectionMode: string;
        Filters?: unknown[];
      }[]) {
        expect({ experiment, tags: Object.keys(target.ResourceTags ?? {}).length > 0, arns: target.ResourceArns }).toEqual({
          experiment,
          tags: true,
          arns: undefined,
        });
        // ALL only where a filter narrows the tagged set to one zone
        if (target.SelectionMode === 'ALL')
          expect({ experiment, filters: target.Filters }).toEqual({
            experiment,
            filters: [expect.objectContaining({ Path: 'AvailabilityZone' })],
          });
      }
    }
  });

  test.each(EACH_ENV)('%s: node termination: a share of the tagged workloads node group', (name, config) => {
    const nodes = chaosTargetTag('workloads-nodes');
    expect(experiments(name)['node-termination']).toEqual(
      expect.objectContaining({
        Targets: {
          nodegroup: { ResourceType: 'aws:eks:nodegroup', ResourceTags: { [nodes.key]: nodes.value }, SelectionMode: 'COUNT(1)' },
        },
        Actions: {
          terminate: {
            ActionId: 'aws:eks:terminate-nodegroup-instances',
            Parameters: { instanceTerminationPercentage: String(config.chaos.nodeTerminationPercent) },
            Targets: { Nodegroups: 'nodegroup' },
          },
        },
      }),
    );
    expect(config.chaos.nodeTerminationPercent).toBeLessThanOrEqual(50);
    // AND the Cluster stack puts the tag on the workloads node group and its instances (launch template), not on the system pool
    const cluster = template(stage(name).cluster);
    const tagged = (type: string) =>
      Object.entries(cluster.findResources(type)).filter(
        ([, r]) =>
          JSON.stringify(r.Properties).includes(`"Key":"${nodes.key}","Value":"${nodes.value}"`) ||
          r.Properties.Tags?.[nodes.key] === nodes.value,
      );
    expect(tagged('AWS::EKS::Nodegroup').map(([id]) => id)).toEqual([expect.stringMatching(/Workloads/)]);
    expect(tagged('AWS::EC2::LaunchTemplate').map(([id]) => id)).toEqual([expect.stringMatching(/WorkloadsLaunchTemplate/)]);
  });

  test.each(EACH_ENV)('%s: database reboot: the tagged primary only, with failover where there is a standby', (name, config) => {
    const db = chaosTargetTag('database-primary');
    expect(experiments(name)['database-reboot']).toEqual(
      expect.objectContaining({
        Targets: { database: { ResourceType: 'aws:rds:db', ResourceTags: { [db.key]: db.value }, SelectionMode: 'COUNT(1)' } },
        Actions: {
          reboot: {
            ActionId: 'aws:rds:reboot-db-instances',
            Parameters: { forceFailover: String(config.database.multiAz) },
            Targets: { DBInstances: 'database' },
          },
        },
      }),
    );
    // AND only the primary carries the tag (prod's read replica does not)
    const instances = Object.values(template(stage(name).data).findResources('AWS::RDS::DBInstance'));
    const taggedIds = instances.filter((r) =>
      (r.Properties.Tags as { Key: string; Value: string }[]).some((t) => t.Key === db.key && t.Value === db.value),
    );
    expect(taggedIds).toHaveLength(1);
    expect(taggedIds[0].Properties.SourceDBInstanceIdentifier).toBeUndefined();
  });

  test.each(EACH_ENV)('%s: AZ network disruption: the private subnets of the configured zone, for the configured time', (name, config) => {
    const subnets = karpenterDiscoveryTag(name);
    const { availabilityZone, durationMinutes } = config.chaos.networkDisruption;
    expect(config.network.availabilityZones).toContain(availabilityZone);
    expect(experiments(name)['az-network-disruption']).toEqual(
      expect.objectContaining({
        Targets: {
          subnets: {
            ResourceType: 'aws:ec2:subnet',
            ResourceTags: { [subnets.key]: subnets.value },
            Filters: [{ Path: 'AvailabilityZone', Values: [availabilityZone] }],
            SelectionMode: 'ALL',
          },
        },
        Actions: {
          disrupt: {
            ActionId: 'aws:network:disrupt-connectivity',
            Parameters: { duration: `PT${durationMinutes}M`, scope: 'all' },
            Targets: { Subnets: 'subnets' },
          },
        },
      }),
    );
    // AND the tag marks the private subnets only: one per zone
    const tagged = Object.values(template(stage(name).network).findResources('AWS::EC2::Subnet')).filter((s) =>
      (s.Properties.Tags as { Key: string; Value: string }[]).some((t) => t.Key === subnets.key && t.Value === subnets.value),
    );
    expect(tagged).toHaveLength(config.network.availabilityZones.length);
  });

  test.each(EACH_ENV)('%s: node stress: CPU and memory documents on a share of the running tagged nodes', (name, config) => {
    const nodes = chaosTargetTag('workloads-nodes');
    const s = config.chaos.nodeStress;
    const doc = (kind: keyof typeof FIS_STRESS_DOCUMENTS) => `arn:aws:ssm:${config.region}::document/${FIS_STRESS_DOCUMENTS[kind]}`;
    chaos(name).hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Tags: { Name: `${name}-node-stress` },
      Targets: {
        nodes: {
          ResourceType: 'aws:ec2:instance',
          ResourceTags: { [nodes.key]: nodes.value },
          Filters: [{ Path: 'State.Name', Values: ['running'] }],
          SelectionMode: `PERCENT(${s.instancePercent})`,
        },
      },
      Actions: {
        cpu: {
          ActionId: 'aws:ssm:send-command',
          Parameters: {
            documentArn: doc('cpu'),
            documentParameters: JSON.stringify({ DurationSeconds: String(s.durationMinutes * 60), LoadPercent: String(s.cpuLoadPercent) }),
            duration: `PT${s.durationMinutes}M`,
          },
          Targets: { Instances: 'nodes' },
        },
        memory: {
          ActionId: 'aws:ssm:send-command',
          Parameters: {
            documentArn: doc('memory'),
            documentParameters: JSON.stringify({ DurationSeconds: String(s.durationMinutes * 60), Percent: String(s.memoryPercent) }),
            duration: `PT${s.durationMinutes}M`,
          },
          Targets: { Instances: 'nodes' },
        },
      },
    });
  });

  test('the pod-deletion service comes from the deployed services, with its namespace, or the stage refuses', () => {
    // GIVEN two deployed services, one in its own namespace
    const services = [{ name: 'a' }, { name: 'b', namespace: 'team-b' }];
    // THEN the named one is found with its namespace (the default workload namespace when none)
    expect(podDeletionService(services, 'b')).toEqual({ name: 'b', namespace: 'team-b' });
    expect(podDeletionService(services, 'a').namespace).toBe(DEFAULT_WORKLOAD_NAMESPACE);
    // AND a service the environment does not deploy is refused by name
    expect(() => podDeletionService(services, 'c')).toThrow('chaos.podDeletion.service c is not deployed here; use one of a, b');
  });
});
