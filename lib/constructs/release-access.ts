import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Props of `ReleaseAccess`. */
export interface ReleaseAccessProps {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The cluster's ARN (`eks:DescribeCluster` for `aws eks update-kubeconfig`). */
  readonly clusterArn: string;
  /** Name of the deploy role, e.g. `saas-platform-prod-deploy`. */
  readonly roleName: string;
  /**
   * ARN of the only principal that may assume it (the tooling account's release role). It need not
   * exist yet: the trust names its account and matches the ARN in a condition.
   */
  readonly trustedRoleArn: string;
  /** The Kubernetes group the access entry maps the role to; the manifests bind it to read-only Roles. */
  readonly kubernetesGroup: string;
}

/**
 * The release step's way into a cluster: a role the tooling account's release role assumes, with
 * an EKS access entry that maps it to one Kubernetes group and no access policy. What the group may
 * do is the manifests' RBAC (read Applications, Rollouts, ReplicaSets, Pods, Jobs: the gates); Argo
 * CD applies, so the role never writes to the cluster. (EKS access policies cannot name the Argo
 * CRDs: AmazonEKSViewPolicy would grant more, and still not `rollouts`.)
 */
export class ReleaseAccess extends Construct {
  /** The deploy role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReleaseAccessProps) {
    super(scope, id);
    const [, , , , trustedAccount] = props.trustedRoleArn.split(':');
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `The release step's read-only access to ${props.clusterName} (group ${props.kubernetesGroup})`,
      assumedBy: new iam.AccountPrincipal(trustedAccount).withConditions({ ArnEquals: { 'aws:PrincipalArn': props.trustedRoleArn } }),
    });
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'Kubeconfig', actions: ['eks:DescribeCluster'], resources: [props.clusterArn] }));
    new eks.CfnAccessEntry(this, 'AccessEntry', {
      clusterName: props.clusterName,
      principalArn: this.role.roleArn,
      type: 'STANDARD',
      kubernetesGroups: [props.kubernetesGroup],
    });
  }
}
