/**
 * Why the pod-deletion experiment uses our own pod killer (an SSM Automation document invoking a
 * Lambda function, docs/chaos.md "Deleting the pods of one service"; checked from both sides in
 * chaos-pod-killer.spec.ts) and no FIS pod action,
 * checked: the AWS FIS user guide ("Use the AWS FIS aws:eks:pod actions", Limitations, at
 * https://docs.aws.amazon.com/fis/latest/userguide/eks-pod-actions.html) says every aws:eks:pod
 * action fails unless the target pods' securityContext sets readOnlyRootFilesystem: false, and every
 * service of every environment runs with a read-only root filesystem (manifest rule K8S-PSS1). So a
 * pod action may only appear once its targets can run it; until then none does.
 *
 * The other way into the cluster, aws:eks:inject-kubernetes-custom-resource (FIS actions reference:
 * a Chaos Mesh or Litmus custom resource, "You must install ChaosMesh or Litmus on the target
 * cluster"), is not built either (docs/chaos.md: the pinned Chaos Mesh chart cannot meet the
 * cluster's rules); whoever adds it must install Chaos Mesh in the same environment.
 */
import { servicesFor } from '../../lib/config/service-catalog';
import { serviceNamespace } from '../../lib/config/naming';
import { podTemplateOf } from '../../cdk8s/policies/facts';
import { resourcesOf, world } from './world';

const w = world();

/** FIS action id prefix of the EKS pod actions (FIS actions reference, "aws:eks:pod" actions). */
const EKS_POD_ACTION = 'aws:eks:pod-';
/** FIS action that creates a Chaos Mesh / Litmus custom resource (FIS actions reference). */
const CUSTOM_RESOURCE_ACTION = 'aws:eks:inject-kubernetes-custom-resource';

type FisAction = { ActionId: string; Parameters?: Record<string, string> };
const actionsOf = (name: string): FisAction[] => {
  const templates = w.stacks.filter((s) => s.path.toLowerCase() === `${name}/chaos`);
  expect(templates).toHaveLength(1);
  return resourcesOf(templates[0], 'AWS::FIS::ExperimentTemplate').flatMap(
    ([, t]) => Object.values(t.Properties?.Actions ?? {}) as FisAction[],
  );
};

describe('chaos: EKS pod actions against read-only root filesystems', () => {
  test.each(w.environments.map((c) => [c.name, c] as const))(
    '%s: no FIS template runs a pod action against pods it cannot act on',
    (name, config) => {
      // GIVEN the environment's FIS templates and its services' pods
      const podActions = actionsOf(name).filter((a) => String(a.ActionId).startsWith(EKS_POD_ACTION));
      const namespaces = new Set(servicesFor(config.name).map(serviceNamespace));
      const servicePods = w.manifests[name].flatMap((d) => {
        const template = podTemplateOf(d);
        return template && namespaces.has(d.metadata.namespace) ? [template] : [];
      });
      expect(servicePods.length).toBeGreaterThan(0);
      // THEN the services keep read-only root filesystems (the premise: when this changes, revisit docs/chaos.md)
      const writable = servicePods.filter((p) =>
        (p.spec.containers ?? []).some(
          (c: { securityContext?: { readOnlyRootFilesystem?: boolean } }) => c.securityContext?.readOnlyRootFilesystem !== true,
        ),
      );
      expect(writable).toEqual([]);
      // AND so no template runs an aws:eks:pod action (it could only fail)
      expect(podActions).toEqual([]);
    },
  );

  test.each(w.environments.map((c) => [c.name] as const))('%s: pods are deleted through our own Automation document instead', (name) => {
    // GIVEN the environment's FIS actions
    const automation = actionsOf(name).filter((a) => a.ActionId === 'aws:ssm:start-automation-execution');
    // THEN exactly one starts an Automation document (the pod killer's), and no pod action exists beside it
    expect(automation).toHaveLength(1);
    expect(actionsOf(name).filter((a) => String(a.ActionId).startsWith(EKS_POD_ACTION))).toEqual([]);
  });

  test.each(w.environments.map((c) => [c.name] as const))(
    '%s: a custom-resource action creates Chaos Mesh resources only where Chaos Mesh is installed',
    (name) => {
      // GIVEN the environment's custom-resource actions and the add-on charts its manifests install
      const injections = actionsOf(name).filter((a) => a.ActionId === CUSTOM_RESOURCE_ACTION);
      const charts = w.manifests[name].filter((d) => d.kind === 'Application').map((d) => d.spec?.source?.chart);
      expect(charts.length).toBeGreaterThan(0);
      // THEN every such action creates a Chaos Mesh resource, and only in an environment that installs the chart
      for (const action of injections) {
        expect(action.Parameters?.kubernetesApiVersion).toBe('chaos-mesh.org/v1alpha1');
        expect(charts).toContain('chaos-mesh');
      }
      // AND today none exists (docs/chaos.md, "Why not FIS pod actions or Chaos Mesh"): building it updates this line and that page
      expect(injections).toEqual([]);
    },
  );
});
