/**
 * Least privilege across every template: no statement allows every action, the only "everything
 * but" statements are the two permissions boundaries (which grant nothing themselves), and every
 * role's trust names a service, a role or a condition (no role trusts a whole account unconditionally,
 * but the cross-account zone delegation role its child account assumes).
 */
import { DEVELOPER_BOUNDARY_POLICY_NAME, TEAM_ROLE_BOUNDARY_POLICY_NAME } from '../../lib/config/access-names';
import { servicesFor } from '../../lib/config/service-catalog';
import { everyStatement, roleByDescription, roleMay } from './iam';
import { resolve, resourcesOf, stack, world } from './world';

const w = world();

/** Every statement, with the permission sets' inline policies (the Management stage). */
function statements(): { where: string; statement: Record<string, unknown> }[] {
  const all = w.stacks.flatMap((s) => everyStatement(s) as { where: string; statement: Record<string, unknown> }[]);
  for (const s of w.stacks) {
    for (const [id, set] of resourcesOf(s, 'AWS::SSO::PermissionSet')) {
      for (const statement of set.Properties?.InlinePolicy?.Statement ?? []) all.push({ where: `${s.path}/${id}`, statement });
    }
  }
  return all;
}

const list = (v: unknown): string[] => (v === undefined ? [] : [v].flat().map(String));

describe('least privilege', () => {
  test('no statement allows every action (no *:* anywhere), inline or managed', () => {
    const wide = statements().filter(
      ({ statement }) => statement.Effect === 'Allow' && list(statement.Action).some((a) => a === '*' || a === '*:*'),
    );
    expect(wide.map((x) => x.where)).toEqual([]);
  });

  test('"everything but" (Allow with NotAction) appears only in the two permissions boundaries', () => {
    const boundaries = w.stacks.flatMap((s) =>
      resourcesOf(s, 'AWS::IAM::ManagedPolicy')
        .filter(([, p]) => [DEVELOPER_BOUNDARY_POLICY_NAME, TEAM_ROLE_BOUNDARY_POLICY_NAME].includes(p.Properties?.ManagedPolicyName))
        .map(([id]) => `${s.path}/${id}`),
    );
    const notActions = statements().filter(({ statement }) => statement.Effect === 'Allow' && statement.NotAction !== undefined);
    expect(notActions.length).toBeGreaterThan(0);
    expect([...new Set(notActions.map((x) => x.where))].sort()).toEqual(boundaries.sort());
    // and what they leave out is identity and organization administration
    for (const { statement } of notActions) expect(list(statement.NotAction)).toEqual(expect.arrayContaining(['iam:*', 'organizations:*']));
  });

  test('every role trusts a service, a role, or an account under a condition (the zone delegation roles aside)', () => {
    const loose: string[] = [];
    for (const s of w.stacks) {
      for (const [id, role] of resourcesOf(s, 'AWS::IAM::Role')) {
        const trust = resolve(w, s, role.Properties!.AssumeRolePolicyDocument);
        for (const statement of trust.Statement) {
          const principals = list(statement.Principal?.AWS);
          const accountWide = principals.some((p) => /^arn:aws:iam::\d{12}:root$/.test(p) || /^\d{12}$/.test(p));
          if (accountWide && !statement.Condition && !String(role.Properties?.RoleName ?? '').endsWith('-zone-delegation')) {
            loose.push(`${s.path}/${id}`);
          }
        }
      }
    }
    expect(loose).toEqual([]);
  });
});

describe.each(w.environments.map((e) => [e.name, e] as const))(
  '%s: the uploads key, for the services that use the bucket',
  (name, config) => {
    test('is used through S3 only, to make data keys and decrypt; never to encrypt or re-encrypt directly', async () => {
      const cluster = stack(w, `${config.stageName}/Cluster`);
      const data = stack(w, `${config.stageName}/Data`);
      const [keyId, keyResource] = resourcesOf(data, 'AWS::KMS::Key').find(([id]) => id.startsWith('StorageKey'))!;
      const keyPolicy = resolve(w, data, keyResource.Properties!.KeyPolicy);
      const key = `arn:aws:kms:${config.region}:${config.account}:key/${keyId}`;
      const viaS3 = { 'kms:ViaService': `s3.${config.region}.amazonaws.com` };
      const users = servicesFor(name).filter((s) => (s.aws ?? []).includes('uploads'));
      expect(users.length).toBeGreaterThan(0);
      for (const service of users) {
        const role = roleByDescription(cluster, `/${service.name} in`);
        const may = async (action: string, context: Record<string, string> = viaS3) =>
          (await roleMay(w, cluster, role, { action, resource: key, context, resourcePolicy: keyPolicy })).decision;
        expect([service.name, await may('kms:GenerateDataKey'), await may('kms:Decrypt')]).toEqual([service.name, 'Allowed', 'Allowed']);
        expect([service.name, await may('kms:Decrypt', {})]).toEqual([service.name, 'ImplicitlyDenied']);
        expect([service.name, await may('kms:Encrypt'), await may('kms:ReEncryptFrom')]).toEqual([
          service.name,
          'ImplicitlyDenied',
          'ImplicitlyDenied',
        ]);
      }
    });
  },
);
