/**
 * CPU architecture of EC2 instance types, shared by the CDK node groups (which AMI) and the cdk8s
 * Karpenter node pools (which `kubernetes.io/arch`), so the two cannot disagree.
 */

/** CPU architecture as EC2 and EKS AMI types name it. */
export type CpuArchitecture = 'arm64' | 'x86_64';

/** The value of the `kubernetes.io/arch` node label for each architecture. */
export const KUBERNETES_ARCH: Readonly<Record<CpuArchitecture, string>> = { arm64: 'arm64', x86_64: 'amd64' };

/** `arm64` for Graviton families (`m7g`, `t4g`, `c7gn`...), `x86_64` otherwise. */
export function instanceArchitecture(instanceType: string): CpuArchitecture {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/** The one architecture of a list of instance types, or undefined when they mix architectures. */
export function commonArchitecture(instanceTypes: readonly string[]): CpuArchitecture | undefined {
  const archs = new Set(instanceTypes.map(instanceArchitecture));
  return archs.size === 1 ? [...archs][0] : undefined;
}

/** Instance families the node groups are tested with (current generation, Nitro). */
export const NODE_FAMILIES: readonly string[] = [
  't3',
  't3a',
  't4g',
  'm6i',
  'm6a',
  'm6g',
  'm7i',
  'm7a',
  'm7g',
  'm8g',
  'c6i',
  'c6g',
  'c7i',
  'c7g',
  'c8g',
  'r6i',
  'r6g',
  'r7i',
  'r7g',
  'r8g',
];
