import { MANIFEST_SCHEMA_VERSION, manifestCompatibilityProblem, MANIFESTS_VERIFIED_THROUGH } from '../../lib/config/kubernetes-compat';
import { ENVIRONMENTS } from '../../lib/config/environments';

describe('manifestCompatibilityProblem', () => {
  test.each(['1.33', '1.34', '1.35'])('cluster %s fits the manifests', (version) => {
    expect(manifestCompatibilityProblem(version)).toBeUndefined();
  });

  test('a cluster newer than the reviewed range is refused with what to do', () => {
    expect(manifestCompatibilityProblem('1.36')).toBe(
      'cluster Kubernetes 1.36 is newer than the manifests are verified for (1.33 schemas, APIs reviewed through 1.35); review the API removals up to 1.36, then raise MANIFESTS_VERIFIED_THROUGH in lib/config/kubernetes-compat.ts',
    );
  });

  test('a cluster older than the schemas is refused', () => {
    expect(manifestCompatibilityProblem('1.32')).toBe(
      'cluster Kubernetes 1.32 is older than the 1.33 schemas the manifests are validated against; the manifests may use fields it does not know',
    );
  });

  test('every shipped environment is inside the range', () => {
    for (const env of ENVIRONMENTS) expect(manifestCompatibilityProblem(env.kubernetes.version)).toBeUndefined();
    expect(MANIFEST_SCHEMA_VERSION <= MANIFESTS_VERIFIED_THROUGH).toBe(true);
  });
});
