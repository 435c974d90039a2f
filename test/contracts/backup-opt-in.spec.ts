/**
 * The AWS Backup region opt-in (lib/constructs/backup-region-opt-in.ts), simulated: the function
 * behind CDK's AwsCustomResource may update the region settings, and nothing else of AWS Backup.
 */
import { BACKUP_OPT_IN_ACTION } from '../../lib/constructs/backup-region-opt-in';
import { roleMay, roleWhere } from './iam';
import { stack, world } from './world';

const w = world();

/** The one AwsCustomResource provider role of a stack (CDK names its singleton function by a fixed UUID). */
const providerRole = (path: string) => {
  const s = stack(w, path);
  return { s, role: roleWhere(s, 'of the AwsCustomResource provider', (id) => id.startsWith('AWS679f53fac002430cb0da5b7982bd2287')) };
};

describe('AWS Backup region opt-in: IAM', () => {
  test.each(['Dev/Backup', 'Staging/Backup', 'Prod/Backup', 'Prod/DisasterRecovery'])(
    '%s: the opt-in function may update the region settings, and may not touch vaults, plans or recovery points',
    async (path) => {
      // GIVEN the provider role of the stack that opts the region in
      const { s, role } = providerRole(path);
      // THEN the one action it needs is allowed (no resource-level permissions: resource *)
      expect(await roleMay(w, s, role, { action: BACKUP_OPT_IN_ACTION, resource: '*' })).toHaveDecision('Allowed');
      // AND nothing that could weaken the backups is
      for (const action of [
        'backup:UpdateGlobalSettings',
        'backup:DeleteBackupVault',
        'backup:DeleteBackupPlan',
        'backup:DeleteRecoveryPoint',
      ]) {
        expect(await roleMay(w, s, role, { action, resource: '*' })).toHaveDecision('ImplicitlyDenied');
      }
    },
  );
});
