import { Match } from 'aws-cdk-lib/assertions';
import {
  accessRoleName,
  DEVELOPER_BOUNDARY_POLICY_NAME,
  identityCenterRoleArnPattern,
  TEAM_ROLE_BOUNDARY_POLICY_NAME,
} from '../../lib/config/access-names';
import { clusterName } from '../../lib/config/naming';
import { PLATFORM } from '../../lib/config/platform';
import { accessRolesIn, TEAM } from '../../lib/config/team';
import { EACH_ENV, synthesizedApp } from '../app-fixture';

describe('AccessStack', () => {
  const { stage, template } = synthesizedApp();
  const access = (name: string) => template(stage(name).access);

  test.each(EACH_ENV)(
    "%s: one role per access role of the roster's access here, for one permission set's sessions, one-hour sessions",
    (name, config) => {
      const t = access(name);
      const roles = Object.values(t.findResources('AWS::IAM::Role')).map((r) => r.Properties);
      expect(roles.map((r) => r.RoleName).sort()).toEqual(
        accessRolesIn(TEAM, name)
          .map((r) => accessRoleName(config, r))
          .sort(),
      );
      for (const role of accessRolesIn(TEAM, name)) {
        const pattern = identityCenterRoleArnPattern(config.account, TEAM.permissionSets[role].name, PLATFORM.identityCenter.region);
        t.hasResourceProperties('AWS::IAM::Role', {
          RoleName: accessRoleName(config, role),
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Statement: [
              Match.objectLike({ Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:PrincipalArn': pattern } } }),
              Match.objectLike({ Action: 'sts:SetSourceIdentity', Condition: { ArnLike: { 'aws:PrincipalArn': pattern } } }),
            ],
          },
        });
      }
    },
  );

  test.each(EACH_ENV)(
    '%s: the roles may describe their cluster (a kubeconfig); only break-glass administers the account',
    (name, config) => {
      const t = access(name);
      const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements.length).toBe(accessRolesIn(TEAM, name).length);
      for (const s of statements) {
        expect(s).toEqual({
          Sid: 'WriteKubeconfig',
          Effect: 'Allow',
          Action: 'eks:DescribeCluster',
          Resource: `arn:aws:eks:${config.region}:${config.account}:cluster/${clusterName(name)}`,
        });
      }
      const admins = Object.values(t.findResources('AWS::IAM::Role')).filter((r) => r.Properties.ManagedPolicyArns);
      expect(admins.map((r) => r.Properties.RoleName)).toEqual([config.stateful.breakGlassRoleName]);
      expect(JSON.stringify(admins[0].Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AdministratorAccess');
    },
  );

  test.each(EACH_ENV)(
    '%s: the two permissions boundaries, under the names Identity Center and teams refer to; IAM Access Analyzer',
    (name) => {
      const t = access(name);
      t.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: DEVELOPER_BOUNDARY_POLICY_NAME });
      t.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: TEAM_ROLE_BOUNDARY_POLICY_NAME });
      t.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ACCOUNT', AnalyzerName: `saas-platform-${name}` });
    },
  );
});
