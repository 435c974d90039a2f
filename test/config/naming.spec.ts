import {
  clusterSecurityGroupTag,
  controlPlaneLogGroupName,
  karpenterDiscoveryTag,
  karpenterInterruptionQueueName,
  karpenterNodeRoleName,
  vpcName,
  kmsAliasName,
  uploadsBucketName,
  apiOriginHost,
  clusterName,
  DEFAULT_WORKLOAD_NAMESPACE,
  ecrRegistryHost,
  ingressGroupName,
  secretsManagerName,
  serviceAccountName,
  serviceNamespace,
} from '../../lib/config/naming';
import { PLATFORM } from '../../lib/config/platform';

describe('naming contract between CDK and cdk8s', () => {
  test('a service account is named after its service, in the service namespace', () => {
    // The CDK Pod Identity association (a later issue) calls the same two functions.
    expect(serviceAccountName('payment-service')).toBe('payment-service');
    expect(serviceNamespace({})).toBe(DEFAULT_WORKLOAD_NAMESPACE);
    expect(serviceNamespace({ namespace: 'payments' })).toBe('payments');
  });

  test('the image registry is the tooling account in the environment region, derived from PLATFORM', () => {
    expect(ecrRegistryHost('eu-west-1')).toBe(`${PLATFORM.accounts.tooling}.dkr.ecr.eu-west-1.amazonaws.com`);
    expect(ecrRegistryHost('us-east-1', '123456789012')).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com');
  });

  test('environment-scoped names start with the application slug', () => {
    expect(clusterName('prod')).toBe('saas-platform-prod');
    expect(ingressGroupName('dev')).toBe('saas-platform-dev');
    expect(secretsManagerName('staging', 'jwt-signing-key')).toBe('saas-platform/staging/jwt-signing-key');
    expect(apiOriginHost('dev.example.com')).toBe('api-origin.dev.example.com');
    expect(kmsAliasName('prod', 'database')).toBe('alias/saas-platform/prod/database');
    expect(uploadsBucketName('prod', '333333333333', 'eu-west-1')).toBe('saas-platform-prod-uploads-333333333333-eu-west-1');
  });

  test('names the cluster side and its controllers share are derived from the cluster name', () => {
    expect(vpcName('prod')).toBe('saas-platform-prod');
    expect(karpenterDiscoveryTag('dev')).toEqual({ key: 'karpenter.sh/discovery', value: 'saas-platform-dev' });
    // the tag EKS puts on the cluster security group (EKS user guide, security group requirements)
    expect(clusterSecurityGroupTag('staging')).toEqual({ key: 'kubernetes.io/cluster/saas-platform-staging', value: 'owned' });
    expect(karpenterNodeRoleName('prod')).toBe('saas-platform-prod-karpenter-node');
    expect(karpenterInterruptionQueueName('prod')).toBe('saas-platform-prod-karpenter-interruption');
    // EKS writes the control-plane logs to exactly this name
    expect(controlPlaneLogGroupName('prod')).toBe('/aws/eks/saas-platform-prod/cluster');
  });

  test('IAM role and SQS queue names stay within their limits for the longest environment name', () => {
    const longest = 'a'.repeat(16); // validate.ts: environment names are 2..16 characters
    expect(karpenterNodeRoleName(longest).length).toBeLessThanOrEqual(64);
    expect(karpenterInterruptionQueueName(longest).length).toBeLessThanOrEqual(80);
  });
});
