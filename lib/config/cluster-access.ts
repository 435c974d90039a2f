/**
 * What each access role may do in an environment's cluster: EKS access policies associated to the
 * access entry of its environment role (`accessRoleName`). Production has no `developer` role (the
 * roster validation refuses it), so people there hold `readOnly`: AmazonEKSViewPolicy, which has
 * neither Secrets nor `pods/exec` (its rules are transcribed in test/contracts/eks-access-policies.ts
 * from the EKS User Guide).
 */
import { AccessRole } from './team';

/** One EKS access policy and where it applies. */
export interface ClusterAccessPolicy {
  /** Name of the EKS access policy, e.g. `AmazonEKSViewPolicy`. */
  readonly policy: 'AmazonEKSClusterAdminPolicy' | 'AmazonEKSEditPolicy' | 'AmazonEKSViewPolicy';
  /** `cluster`, or the environment's workload namespaces only. */
  readonly scope: 'cluster' | 'workloadNamespaces';
}

/** The access policies of each role. */
export const CLUSTER_ACCESS: Readonly<Record<AccessRole, readonly ClusterAccessPolicy[]>> = {
  admin: [{ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }],
  // Edit where the services run, view everywhere else.
  developer: [
    { policy: 'AmazonEKSEditPolicy', scope: 'workloadNamespaces' },
    { policy: 'AmazonEKSViewPolicy', scope: 'cluster' },
  ],
  readOnly: [{ policy: 'AmazonEKSViewPolicy', scope: 'cluster' }],
  breakGlass: [{ policy: 'AmazonEKSClusterAdminPolicy', scope: 'cluster' }],
};
