/**
 * Schema validation of synthesized documents: each apiVersion/kind maps to the class of a
 * kubernetes-models package, whose `validate()` checks the document against the JSON schema of
 * that API (Kubernetes itself, or the CRD the package ships). Kyverno and Karpenter have no model
 * usable on Node 20: their documents are checked structurally (`kyvernoPolicyProblems`,
 * `karpenterProblems`). External Secrets v1 documents are checked with the v1beta1 schema (`asV1beta1`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { ClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ClusterSecretStore';
import { SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/SecretStore';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import { Password } from '@kubernetes-models/external-secrets/generators.external-secrets.io/v1alpha1/Password';
import { Alertmanager } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Alertmanager';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Prometheus } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Prometheus';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { AlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { EXTERNAL_SECRETS_API_VERSION } from '../../cdk8s/constructs/external-secrets';
import { karpenterProblems } from '../../cdk8s/constructs/karpenter';
import { kyvernoPolicyProblems } from '../../cdk8s/constructs/kyverno';
import { operatorFieldProblems } from '../../cdk8s/constructs/prometheus-operator';
import { KubeDocument } from '../../cdk8s/policies';
import { MANIFEST_SCHEMA_VERSION } from '../../lib/config/kubernetes-compat';

/**
 * The Kubernetes version whose OpenAPI schemas kubernetes-models 4.5.x carries: 1.33 (it has
 * `Lifecycle.stopSignal`, new in 1.33, and not `PodSpec.hostnameOverride`, new in 1.34). The
 * clusters run `kubernetes.version`, newer than the schemas. That is sound only because every
 * API the manifests use is GA at 1.33 and not removed since (`STABLE_CORE_APIS`), and the fields we
 * write exist at 1.33; a field new after 1.33 would pass validation unchecked. kubernetes-models 5
 * (newer schemas) needs Node 22. The range of cluster versions this holds for is
 * lib/config/kubernetes-compat.ts, which the Cluster stack enforces at synth.
 */
export const SCHEMA_KUBERNETES_VERSION = MANIFEST_SCHEMA_VERSION;

/** Core API groups/versions the manifests may use: GA at the schema version, no removal announced through the cluster version. */
export const STABLE_CORE_APIS: readonly string[] = [
  'v1',
  'apps/v1',
  'autoscaling/v2',
  'policy/v1',
  'networking.k8s.io/v1',
  'scheduling.k8s.io/v1',
  'batch/v1',
  'storage.k8s.io/v1',
  'rbac.authorization.k8s.io/v1',
];

/** The schema version, read from the installed kubernetes-models (so an upgrade cannot slip by unnoticed). */
export function detectSchemaVersion(): string {
  const root = path.dirname(require.resolve('kubernetes-models'));
  const schema = (name: string) => fs.readFileSync(path.join(root, '_schemas', `${name}.js`), 'utf8');
  const has133 = schema('IoK8sApiCoreV1Lifecycle').includes('stopSignal');
  const has134 = schema('IoK8sApiCoreV1PodSpec').includes('hostnameOverride');
  return has134 ? '1.34+' : has133 ? '1.33' : '<1.33';
}

type Validator = (doc: KubeDocument) => void;

type FieldType = 'string' | 'string[]' | 'object' | 'attributes' | readonly string[];

/**
 * The spec of the AWS Load Balancer Controller's IngressClassParams: each field and its type (an
 * array of strings is an enum). No published model package carries it, so it is transcribed here.
 * source: kubernetes-sigs/aws-load-balancer-controller v3.5.0,
 * config/crd/bases/elbv2.k8s.aws_ingressclassparams.yaml (openAPIV3Schema.properties.spec)
 */
export const INGRESS_CLASS_PARAMS_SPEC: Readonly<Record<string, FieldType>> = {
  PrefixListsIDs: 'string[]',
  certificateArn: 'string[]',
  group: 'object',
  inboundCIDRs: 'string[]',
  ipAddressType: ['ipv4', 'dualstack', 'dualstack-without-public-ipv4'],
  ipamConfiguration: 'object',
  listeners: 'object',
  loadBalancerAttributes: 'attributes',
  loadBalancerName: 'string',
  minimumLoadBalancerCapacity: 'object',
  namespaceSelector: 'object',
  prefixListsIDs: 'string[]',
  scheme: ['internal', 'internet-facing'],
  sslPolicy: 'string',
  sslRedirectPort: 'string',
  subnets: 'object',
  tags: 'attributes',
  targetType: ['instance', 'ip'],
  wafv2AclArn: 'string',
  wafv2AclName: 'string',
};

/** Problems of an IngressClassParams document against `INGRESS_CLASS_PARAMS_SPEC` (unknown fields included: kubectl refuses them). */
export function ingressClassParamsProblems(doc: KubeDocument): string[] {
  const spec = doc.spec ?? {};
  const problems: string[] = [];
  const isString = (v: unknown) => typeof v === 'string';
  for (const [key, value] of Object.entries(spec as Record<string, unknown>)) {
    const type = INGRESS_CLASS_PARAMS_SPEC[key];
    const ok =
      type === undefined
        ? false
        : Array.isArray(type)
          ? type.includes(value as string)
          : type === 'string'
            ? isString(value)
            : type === 'string[]'
              ? Array.isArray(value) && value.every(isString)
              : type === 'attributes'
                ? Array.isArray(value) && value.every((a) => isString(a?.key) && isString(a?.value) && Object.keys(a).length === 2)
                : typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!ok)
      problems.push(
        `spec.${key}: ${JSON.stringify(value)} is not ${type === undefined ? 'a field of IngressClassParams' : JSON.stringify(type)}`,
      );
  }
  if (spec.group !== undefined && !isString(spec.group.name)) problems.push('spec.group.name is required');
  if (spec.prefixListsIDs !== undefined && spec.PrefixListsIDs !== undefined)
    problems.push("cannot specify both 'prefixListsIDs' and 'PrefixListsIDs' fields");
  return problems;
}
const model =
  (ctor: new (data: never) => { validate(): void }): Validator =>
  (doc) =>
    new ctor(doc as never).validate();

/**
 * An external-secrets.io/v1 document, validated with the v1beta1 schema (the Node 20 models have no
 * v1). Sound because at the pinned 2.8.0 the v1 schema of these kinds is v1beta1's plus optional
 * fields and wider enums (cdk8s/constructs/external-secrets.ts): whatever v1beta1 accepts, v1 accepts.
 */
const asV1beta1 =
  (ctor: new (data: never) => { validate(): void }): Validator =>
  (doc) =>
    new ctor({ ...doc, apiVersion: 'external-secrets.io/v1beta1' } as never).validate();

/**
 * A prometheus-operator document: the model's schema (types and required fields of operator
 * v0.65.1, what @kubernetes-models/prometheus-operator 4.4.4 carries), then every field checked to
 * exist at the pinned operator v0.93.0 (`operatorFieldProblems`): the model's schemas accept unknown
 * fields, and the pinned operator has fields the model does not know (`msteamsv2Configs`...).
 */
const operator =
  (ctor: new (data: never) => { validate(): void }): Validator =>
  (doc) => {
    new ctor(doc as never).validate();
    const problems = operatorFieldProblems(doc);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  };

const structural =
  (problemsOf: (doc: unknown) => string[]): Validator =>
  (doc) => {
    const problems = problemsOf(doc);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  };

/** Validator by `apiVersion/kind`. */
export const SCHEMA_VALIDATORS: Readonly<Record<string, Validator>> = {
  'v1/Namespace': model(Namespace),
  'v1/Service': model(Service),
  'v1/ServiceAccount': model(ServiceAccount),
  'v1/LimitRange': model(LimitRange),
  'v1/ResourceQuota': model(ResourceQuota),
  'apps/v1/Deployment': model(Deployment),
  'batch/v1/Job': model(Job),
  'rbac.authorization.k8s.io/v1/Role': model(Role),
  'rbac.authorization.k8s.io/v1/RoleBinding': model(RoleBinding),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'networking.k8s.io/v1/IngressClass': model(IngressClass),
  'elbv2.k8s.aws/v1beta1/IngressClassParams': (doc) => {
    const problems = ingressClassParamsProblems(doc);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  },
  'scheduling.k8s.io/v1/PriorityClass': model(PriorityClass),
  'argoproj.io/v1alpha1/Rollout': model(Rollout),
  'argoproj.io/v1alpha1/AnalysisTemplate': model(AnalysisTemplate),
  'argoproj.io/v1alpha1/Application': model(Application),
  'argoproj.io/v1alpha1/AppProject': model(AppProject),
  [`${EXTERNAL_SECRETS_API_VERSION}/ExternalSecret`]: asV1beta1(ExternalSecret),
  [`${EXTERNAL_SECRETS_API_VERSION}/ClusterSecretStore`]: asV1beta1(ClusterSecretStore),
  [`${EXTERNAL_SECRETS_API_VERSION}/SecretStore`]: asV1beta1(SecretStore),
  'karpenter.sh/v1/NodePool': structural(karpenterProblems),
  'karpenter.k8s.aws/v1/EC2NodeClass': structural(karpenterProblems),
  'v1/ConfigMap': model(ConfigMap),
  'storage.k8s.io/v1/StorageClass': model(StorageClass),
  'rbac.authorization.k8s.io/v1/ClusterRole': model(ClusterRole),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': model(ClusterRoleBinding),
  'generators.external-secrets.io/v1alpha1/Password': model(Password),
  'monitoring.coreos.com/v1/PodMonitor': operator(PodMonitor),
  'monitoring.coreos.com/v1/ServiceMonitor': operator(ServiceMonitor),
  'monitoring.coreos.com/v1/PrometheusRule': operator(PrometheusRule),
  'monitoring.coreos.com/v1/Prometheus': operator(Prometheus),
  'monitoring.coreos.com/v1/Alertmanager': operator(Alertmanager),
  'monitoring.coreos.com/v1alpha1/AlertmanagerConfig': operator(AlertmanagerConfig),
  'kyverno.io/v1/ClusterPolicy': structural(kyvernoPolicyProblems),
};

/** Schema errors of one document (empty when valid); an unknown kind is an error too. */
export function schemaErrors(doc: KubeDocument): string[] {
  const key = `${doc.apiVersion}/${doc.kind}`;
  const validator = SCHEMA_VALIDATORS[key];
  if (!validator) return [`${key}: no schema to validate against; add its model to test/cdk8s/schemas.ts`];
  try {
    validator(doc);
    return [];
  } catch (e) {
    return [`${key} ${doc.metadata?.name}: ${(e as Error).message}`];
  }
}
