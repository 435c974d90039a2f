import { Duration, Validations } from 'aws-cdk-lib';
import * as accessanalyzer from 'aws-cdk-lib/aws-accessanalyzer';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccessPolicyDocument } from './policies/access-policies';

/** One environment role: who may assume it and what it may do in AWS itself. */
export interface EnvironmentRoleSpec {
  /** Role name (`accessRoleName`). */
  readonly roleName: string;
  /** What the role is for (the IAM description). */
  readonly description: string;
  /**
   * ARN pattern of the only principals that may assume it: the roles Identity Center makes for one
   * permission set (`identityCenterRoleArnPattern`).
   */
  readonly assumedByArnPattern: string;
  /**
   * AWS managed policies, by name.
   * @default - none
   */
  readonly managedPolicies?: readonly string[];
  /**
   * The cluster the role may describe (to write a kubeconfig); what it may do inside is its access entry.
   * @default - none
   */
  readonly describeClusterArn?: string;
}

/** A customer-managed policy every account of the platform has under the same name. */
export interface NamedPolicySpec {
  /** Policy name. */
  readonly name: string;
  /** What it is for. */
  readonly description: string;
  /** The document. */
  readonly document: AccessPolicyDocument;
  /** Why its wildcards are what they are (cdk-nag AwsSolutions-IAM5), one reason for the whole policy. */
  readonly wildcardReason: string;
}

/** Props of `EnvironmentAccess`. */
export interface EnvironmentAccessProps {
  /** The environment roles people's sessions assume. */
  readonly roles: readonly EnvironmentRoleSpec[];
  /** Customer-managed policies permission sets and teams refer to by name (permissions boundaries). */
  readonly namedPolicies: readonly NamedPolicySpec[];
  /** Name of the account's IAM Access Analyzer. */
  readonly analyzerName: string;
}

/**
 * People's way into an account: the environment roles (each assumable only by the sessions of one
 * Identity Center permission set, matched by the `aws:PrincipalArn` of the role Identity Center
 * makes, since its name is generated), the permissions boundaries permission sets and teams name,
 * and an IAM Access Analyzer that reports what is shared outside the account.
 */
export class EnvironmentAccess extends Construct {
  /** The environment roles by name. */
  public readonly roles: Readonly<Record<string, iam.IRole>>;
  /** The named policies by name. */
  public readonly policies: Readonly<Record<string, iam.IManagedPolicy>>;

  constructor(scope: Construct, id: string, props: EnvironmentAccessProps) {
    super(scope, id);
    const roles: Record<string, iam.IRole> = {};
    for (const spec of props.roles) {
      const role = new iam.Role(this, spec.roleName, {
        roleName: spec.roleName,
        description: spec.description,
        // The account root as principal delegates to IAM; the condition keeps it to one permission set's sessions.
        assumedBy: new iam.PrincipalWithConditions(new iam.AccountRootPrincipal(), {
          ArnLike: { 'aws:PrincipalArn': spec.assumedByArnPattern },
        }),
        // Role chaining caps a chained session at one hour whatever the role allows.
        maxSessionDuration: Duration.hours(1),
        managedPolicies: (spec.managedPolicies ?? []).map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
      });
      // A session that carries a source identity (the person) keeps it: CloudTrail then names the person in every call.
      (role.assumeRolePolicy as iam.PolicyDocument).addStatements(
        new iam.PolicyStatement({
          actions: ['sts:SetSourceIdentity'],
          principals: [new iam.AccountRootPrincipal()],
          conditions: { ArnLike: { 'aws:PrincipalArn': spec.assumedByArnPattern } },
        }),
      );
      if (spec.describeClusterArn) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ sid: 'WriteKubeconfig', actions: ['eks:DescribeCluster'], resources: [spec.describeClusterArn] }),
        );
      }
      for (const name of spec.managedPolicies ?? []) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
          reason: `${spec.description}: ${name} is this role's purpose; only ${spec.assumedByArnPattern} may assume it, and every assumption raises a critical alarm.`,
        });
      }
      roles[spec.roleName] = role;
    }
    this.roles = roles;

    const policies: Record<string, iam.IManagedPolicy> = {};
    for (const spec of props.namedPolicies) {
      const policy = new iam.ManagedPolicy(this, spec.name, {
        managedPolicyName: spec.name,
        description: spec.description,
        document: iam.PolicyDocument.fromJson(spec.document),
      });
      // cdk-nag's IAM5 reads `Action` only and throws on a NotAction statement, so its verdict on
      // this policy is acknowledged whole; the policy's statements are pinned and simulated by the
      // tests instead (test/contracts/people-access.spec.ts).
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5',
        reason: `${spec.wildcardReason} (cdk-nag IAM5 cannot read NotAction.)`,
      });
      Validations.of(policy).acknowledge({
        id: 'CloudFormation-Validate::W2512',
        reason: `${spec.wildcardReason} Allow with NotAction is what a boundary that caps "everything but identity administration" is.`,
      });
      policies[spec.name] = policy;
    }
    this.policies = policies;

    new accessanalyzer.CfnAnalyzer(this, 'Analyzer', { analyzerName: props.analyzerName, type: 'ACCOUNT' });
  }
}
