/**
 * Which cluster versions the Kubernetes manifests are known to be right for. Shared by the CDK
 * side (the Cluster stack refuses a cluster version outside this range) and the cdk8s side (the
 * tests validate every document against the schemas of `MANIFEST_SCHEMA_VERSION`).
 *
 * The schemas come from kubernetes-models 4.5.x (the last release for Node 20), which carries
 * Kubernetes 1.33. A cluster may be newer than the schemas only while every API the manifests use
 * is GA at the schema version and still served by the cluster: that was checked for every version
 * up to `MANIFESTS_VERIFIED_THROUGH` (the Kubernetes deprecation guide lists no removal of
 * apps/v1, autoscaling/v2, policy/v1, networking.k8s.io/v1 or scheduling.k8s.io/v1 through it).
 */
export const MANIFEST_SCHEMA_VERSION = '1.33';

/** The newest cluster version the manifests were checked against (API removals reviewed). */
export const MANIFESTS_VERIFIED_THROUGH = '1.35';

const minor = (v: string): number => Number(v.split('.')[1]);

/**
 * Why the manifests do not fit a cluster of this version, or undefined when they do. Used at synth
 * by the Cluster stack, so an upgrade of `kubernetes.version` cannot outrun the manifests.
 */
export function manifestCompatibilityProblem(clusterVersion: string): string | undefined {
  if (minor(clusterVersion) < minor(MANIFEST_SCHEMA_VERSION)) {
    return `cluster Kubernetes ${clusterVersion} is older than the ${MANIFEST_SCHEMA_VERSION} schemas the manifests are validated against; the manifests may use fields it does not know`;
  }
  if (minor(clusterVersion) > minor(MANIFESTS_VERIFIED_THROUGH)) {
    return `cluster Kubernetes ${clusterVersion} is newer than the manifests are verified for (${MANIFEST_SCHEMA_VERSION} schemas, APIs reviewed through ${MANIFESTS_VERIFIED_THROUGH}); review the API removals up to ${clusterVersion}, then raise MANIFESTS_VERIFIED_THROUGH in lib/config/kubernetes-compat.ts`;
  }
  return undefined;
}
