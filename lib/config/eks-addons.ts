/**
 * EKS managed add-ons, pinned per Kubernetes version. The cluster's Kubernetes version must have a
 * row here: that row is what makes a version "supported" by the platform.
 *
 * Versions come from the EKS user guide's "latest version" tables where they list the version
 * (kube-proxy 1.34/1.35, VPC CNI). The build machines have no AWS access: before the first deploy
 * of a new row, confirm each with `aws eks describe-addon-versions --kubernetes-version <v>
 * --addon-name <name>`; a wrong version fails the deploy of the Cluster stack, never data.
 */
export const EKS_ADDON_NAMES = [
  'vpc-cni',
  'coredns',
  'kube-proxy',
  'eks-pod-identity-agent',
  'aws-ebs-csi-driver',
  'metrics-server',
  'amazon-cloudwatch-observability',
] as const;

/** An EKS managed add-on. */
export type EksAddonName = (typeof EKS_ADDON_NAMES)[number];

/**
 * The add-ons a node needs to become Ready: DaemonSets on the host network (the CNI, kube-proxy,
 * the Pod Identity agent the CNI gets its credentials from). They are created before the node
 * groups; every other add-on runs Deployments and is created after them.
 */
export const EKS_ADDONS_REQUIRED_BY_NODES: readonly EksAddonName[] = ['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy'];

/** Pinned add-on versions by Kubernetes minor version. */
export const EKS_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<EksAddonName, string>>>> = {
  '1.34': {
    'vpc-cni': 'v1.20.4-eksbuild.1',
    coredns: 'v1.12.4-eksbuild.1',
    'kube-proxy': 'v1.34.6-eksbuild.2',
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.3',
    'aws-ebs-csi-driver': 'v1.51.1-eksbuild.1',
    'metrics-server': 'v0.8.0-eksbuild.3',
    'amazon-cloudwatch-observability': 'v4.6.0-eksbuild.1',
  },
  '1.35': {
    'vpc-cni': 'v1.21.1-eksbuild.1',
    coredns: 'v1.13.1-eksbuild.1',
    'kube-proxy': 'v1.35.3-eksbuild.2',
    'eks-pod-identity-agent': 'v1.3.10-eksbuild.1',
    'aws-ebs-csi-driver': 'v1.53.0-eksbuild.1',
    'metrics-server': 'v0.8.0-eksbuild.5',
    'amazon-cloudwatch-observability': 'v4.7.0-eksbuild.1',
  },
};
