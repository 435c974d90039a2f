/**
 * The pod-deletion experiment read from both sides (docs/chaos.md, "Deleting the pods of one
 * service"): the FIS template starts the Automation document with the role it may pass, the
 * document's role may invoke only the pod killer, the pod killer's access entry maps its role to the
 * Kubernetes group the cluster-config manifests bind to get/list/delete pods in the target
 * service's namespace, the labels it lists by select that service's workload, and the cluster
 * security group admits it on 443. IAM questions are answered by @cloud-copilot/iam-simulate.
 */
import { serviceNamespace } from '../../lib/config/naming';
import {
  POD_KILLER_ENV,
  POD_KILLER_KUBERNETES_GROUP,
  POD_KILLER_ROLE_NAME,
  POD_KILLER_RULES,
  podKillerDocumentName,
  serviceSelectorLabels,
} from '../../lib/config/pod-killer';
import { servicesFor } from '../../lib/config/service-catalog';
import { roleMay, trustAllows } from './iam';
import { CfnResource, resolve, resourcesOf, stack, world } from './world';

const w = world();

describe.each(['Dev', 'Staging', 'Prod'])('%s: chaos pod deletion contract', (stageName) => {
  const config = w.environments.find((e) => e.stageName === stageName)!;
  const chaos = stack(w, `${stageName}/Chaos`);
  const pd = config.chaos.podDeletion;
  const service = servicesFor(config.name).find((s) => s.name === pd.service)!;
  const documentArn = `arn:aws:ssm:${config.region}:${config.account}:document/${podKillerDocumentName(config.name)}`;
  const template = () => {
    const found = resourcesOf(chaos, 'AWS::FIS::ExperimentTemplate').filter(
      ([, t]) => t.Properties!.Tags?.Name === `${config.name}-pod-deletion`,
    );
    expect(found).toHaveLength(1);
    return found[0][1] as CfnResource;
  };
  const roleTrusting = (principal: string) => {
    const found = resourcesOf(chaos, 'AWS::IAM::Role').filter(([, r]) =>
      JSON.stringify(r.Properties!.AssumeRolePolicyDocument).includes(`"${principal}"`),
    );
    expect(found).toHaveLength(1);
    return found[0][0];
  };
  const fisRole = () => roleTrusting('fis.amazonaws.com');
  const automationRole = () => roleTrusting('ssm.amazonaws.com');
  const functions = () => resourcesOf(chaos, 'AWS::Lambda::Function');
  const podKiller = () => {
    const found = functions().filter(([, f]) => f.Properties!.Environment?.Variables?.[POD_KILLER_ENV.services] !== undefined);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const arnOfRole = (logicalId: string) => `arn:aws:iam::${config.account}:role/${logicalId}`;

  test('the template starts the pod-deletion document for the configured service and share, passing the automation role', () => {
    const action = Object.values(template().Properties!.Actions) as { ActionId: string; Parameters: Record<string, unknown> }[];
    expect(action.map((a) => a.ActionId)).toEqual(['aws:ssm:start-automation-execution']);
    const parameters = resolve(w, chaos, action[0].Parameters) as Record<string, string>;
    expect(parameters.documentArn).toBe(documentArn);
    expect(parameters.maxDuration).toBe(`PT${pd.maxDurationMinutes}M`);
    const passed = JSON.parse(parameters.documentParameters);
    expect(passed).toEqual({
      AutomationAssumeRole: resolve(w, chaos, { 'Fn::GetAtt': [automationRole(), 'Arn'] }),
      Service: pd.service,
      SharePercent: String(pd.sharePercent),
    });
    expect(template().Properties!.Targets).toEqual({});
  });

  test('the document runs one aws:invokeLambdaFunction step of the pod killer, and accepts only the configured service', () => {
    const docs = resourcesOf(chaos, 'AWS::SSM::Document');
    expect(docs).toHaveLength(1);
    const doc = docs[0][1].Properties!;
    expect([doc.Name, doc.DocumentType]).toEqual([podKillerDocumentName(config.name), 'Automation']);
    const content = resolve(w, chaos, doc.Content) as {
      schemaVersion: string;
      parameters: Record<string, { allowedValues?: string[] }>;
      mainSteps: { action: string; inputs: { FunctionName: string; Payload: string } }[];
    };
    expect(content.schemaVersion).toBe('0.3');
    expect(content.parameters.Service.allowedValues).toEqual([pd.service]);
    expect(content.mainSteps.map((s) => s.action)).toEqual(['aws:invokeLambdaFunction']);
    expect(content.mainSteps[0].inputs.FunctionName).toBe(resolve(w, chaos, { 'Fn::GetAtt': [podKiller()[0], 'Arn'] }));
    expect(JSON.parse(content.mainSteps[0].inputs.Payload.replace(/\{\{ (\w+) \}\}/g, 'x'))).toEqual({ service: 'x', sharePercent: 'x' });
  });

  test('the FIS role may start only that document, follow and stop automations, and pass only the automation role to SSM', async () => {
    const executions = `arn:aws:ssm:${config.region}:${config.account}:automation-execution/abc`;
    expect(await roleMay(w, chaos, fisRole(), { action: 'ssm:StartAutomationExecution', resource: documentArn })).toHaveDecision('Allowed');
    expect(await roleMay(w, chaos, fisRole(), { action: 'ssm:StartAutomationExecution', resource: `${documentArn}-other` })).toHaveDecision(
      'ImplicitlyDenied',
    );
    for (const action of ['ssm:GetAutomationExecution', 'ssm:StopAutomationExecution', 'ssm:StartAutomationExecution'])
      expect(await roleMay(w, chaos, fisRole(), { action, resource: executions })).toHaveDecision('Allowed');
    const automation = resolve(w, chaos, { 'Fn::GetAtt': [automationRole(), 'Arn'] }) as string;
    expect(
      await roleMay(w, chaos, fisRole(), {
        action: 'iam:PassRole',
        resource: automation,
        context: { 'iam:PassedToService': 'ssm.amazonaws.com' },
      }),
    ).toHaveDecision('Allowed');
    expect(
      await roleMay(w, chaos, fisRole(), {
        action: 'iam:PassRole',
        resource: automation,
        context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
      }),
    ).toHaveDecision('ImplicitlyDenied');
    expect(
      await roleMay(w, chaos, fisRole(), {
        action: 'iam:PassRole',
        resource: arnOfRole('another'),
        context: { 'iam:PassedToService': 'ssm.amazonaws.com' },
      }),
    ).toHaveDecision('ImplicitlyDenied');
  });

  test('only SSM Automation of the account assumes the automation role, which may invoke the pod killer and no other function', async () => {
    expect(
      (await trustAllows(w, chaos, automationRole(), { principal: 'ssm.amazonaws.com', context: { 'aws:SourceAccount': config.account } }))
        .decision,
    ).toBe('Allowed');
    expect((await trustAllows(w, chaos, automationRole(), { principal: 'lambda.amazonaws.com' })).decision).not.toBe('Allowed');
    const fn = resolve(w, chaos, { 'Fn::GetAtt': [podKiller()[0], 'Arn'] }) as string;
    expect(await roleMay(w, chaos, automationRole(), { action: 'lambda:InvokeFunction', resource: fn })).toHaveDecision('Allowed');
    expect(await roleMay(w, chaos, automationRole(), { action: 'lambda:InvokeFunction', resource: `${fn}-other` })).toHaveDecision(
      'ImplicitlyDenied',
    );
  });

  test('the access entry maps the pod killer role to the group the manifests bind to get/list/delete pods in the service namespace only', () => {
    const entries = resourcesOf(chaos, 'AWS::EKS::AccessEntry');
    expect(entries).toHaveLength(1);
    const entry = entries[0][1].Properties!;
    expect(entry.PrincipalArn).toEqual(podKiller()[1].Properties!.Role);
    expect(entry.KubernetesGroups).toEqual([POD_KILLER_KUBERNETES_GROUP]);
    expect(entry.AccessPolicies).toBeUndefined();
    const docs = w.manifests[config.name];
    const bindings = docs.filter(
      (d) => d.kind === 'RoleBinding' && d.subjects?.some((s: { name: string }) => s.name === POD_KILLER_KUBERNETES_GROUP),
    );
    expect(bindings.map((b) => [b.metadata.namespace, b.roleRef.name])).toEqual([[serviceNamespace(service), POD_KILLER_ROLE_NAME]]);
    const role = docs.filter((d) => d.kind === 'Role' && d.metadata.name === POD_KILLER_ROLE_NAME);
    expect(role.map((r) => [r.metadata.namespace, r.rules])).toEqual([[serviceNamespace(service), POD_KILLER_RULES]]);
    expect(
      docs.filter((d) => d.kind === 'ClusterRoleBinding' && JSON.stringify(d.subjects ?? []).includes(POD_KILLER_KUBERNETES_GROUP)),
    ).toEqual([]);
  });

  test("the labels the pod killer lists by select the service's workload pods, in the namespace it is told", () => {
    const targets = JSON.parse(podKiller()[1].Properties!.Environment.Variables[POD_KILLER_ENV.services]);
    expect(targets).toEqual({ [pd.service]: { namespace: serviceNamespace(service), labels: serviceSelectorLabels(pd.service) } });
    const workloads = w.manifests[config.name].filter(
      (d) =>
        ['Deployment', 'Rollout'].includes(d.kind) && d.metadata.namespace === serviceNamespace(service) && d.metadata.name === pd.service,
    );
    expect(workloads).toHaveLength(1);
    expect(workloads[0].spec.selector.matchLabels).toEqual(serviceSelectorLabels(pd.service));
    expect(workloads[0].spec.template.metadata.labels).toEqual(expect.objectContaining(serviceSelectorLabels(pd.service)));
  });

  test('the pod killer runs in the private subnets and the cluster security group admits it on 443, its only egress', () => {
    const fn = podKiller()[1].Properties!;
    const [sg] = fn.VpcConfig.SecurityGroupIds as { 'Fn::GetAtt': [string, string] }[];
    const group = chaos.template.Resources[sg['Fn::GetAtt'][0]].Properties!;
    expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
    expect(group.SecurityGroupEgress[0].DestinationSecurityGroupId).toBeDefined();
    const ingress = resourcesOf(chaos, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => JSON.stringify(r.Properties!.SourceSecurityGroupId) === JSON.stringify(sg),
    );
    expect(ingress).toHaveLength(1);
    expect(ingress[0][1].Properties).toEqual(
      expect.objectContaining({
        FromPort: 443,
        ToPort: 443,
        IpProtocol: 'tcp',
        GroupId: group.SecurityGroupEgress[0].DestinationSecurityGroupId,
      }),
    );
  });
});
