import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/** The port of the cluster's private API endpoint (HTTPS). */
export const CLUSTER_API_PORT = 443;

/**
 * Admit `source` to the cluster's private API endpoint: an ingress rule on the cluster security group
 * (which EKS puts on the endpoint's network interfaces) for `CLUSTER_API_PORT` from that group only.
 * A rule of its own (not `connections.allowFrom`), so the rule lives in the caller's stack and the
 * cluster's stack does not depend on it.
 */
export function admitToClusterEndpoint(
  scope: Construct,
  id: string,
  clusterSecurityGroupId: string,
  source: ec2.ISecurityGroup,
  description: string,
): ec2.CfnSecurityGroupIngress {
  return new ec2.CfnSecurityGroupIngress(scope, id, {
    groupId: clusterSecurityGroupId,
    sourceSecurityGroupId: source.securityGroupId,
    ipProtocol: 'tcp',
    fromPort: CLUSTER_API_PORT,
    toPort: CLUSTER_API_PORT,
    description,
  });
}
