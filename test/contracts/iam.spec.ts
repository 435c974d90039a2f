/**
 * The IAM harness itself, on a small stack of known policies: a contract test is only as good as
 * the policies it finds and the requests it makes, so each rule of the harness has a case that
 * must pass and one that must not.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { testApp } from '../helpers';
import { awsManagedPolicies, decide, expectDecisions, identityPolicies, resourcePolicy, roleMay, roleWhere, trustAllows } from './iam';
import { resourcesOf, standIn, worldOf } from './world';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

// GIVEN a role with a policy of every kind, a bucket and a key with resource policies, and two Pod Identity trusts
const stack = new Stack(testApp(), 'Harness', { env: { account: ACCOUNT, region: 'eu-west-1' } });
const role = new iam.Role(stack, 'App', {
  roleName: 'app-role',
  assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  inlinePolicies: {
    Inline: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })] }),
  },
  managedPolicies: [
    new iam.ManagedPolicy(stack, 'Managed', { statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })] }),
    iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'),
  ],
});
role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }));
// attached by the role's name cut out of its ARN, as CDK does for a role of another construct
new iam.CfnPolicy(stack, 'ByName', {
  policyName: 'by-name',
  roles: [Fn.select(1, Fn.split('/', Fn.select(5, Fn.split(':', role.roleArn))))],
  policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] },
});
const bucket = new s3.Bucket(stack, 'Bucket', { bucketName: 'harness-bucket' });
bucket.addToResourcePolicy(
  new iam.PolicyStatement({ principals: [role], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('shared/*')] }),
);
role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }));
const key = new kms.Key(stack, 'Key');
key.addToResourcePolicy(
  new iam.PolicyStatement({
    principals: [new iam.AccountPrincipal(OTHER_ACCOUNT)],
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER_ACCOUNT}:role/reader` } },
  }),
);
const podIdentity = new iam.ServicePrincipal('pods.eks.amazonaws.com');
new iam.Role(stack, 'Tagged', { assumedBy: podIdentity.withSessionTags() });
new iam.Role(stack, 'Untagged', { assumedBy: podIdentity });

const w = worldOf(stack);
const [s] = w.stacks;
const app = roleWhere(s, 'named app-role', (_id, p) => p.RoleName === 'app-role');
const [[keyId]] = resourcesOf(s, 'AWS::KMS::Key');
const [[bucketId]] = resourcesOf(s, 'AWS::S3::Bucket');
const reader = (account: string, name: string, action = 'kms:Decrypt') =>
  decide({
    principal: `arn:aws:sts::${account}:assumed-role/${name}/session`,
    identity: [{ name: 'decrypt', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] } }],
    action,
    resource: standIn(s, keyId, 'Arn'),
    resourceAccount: ACCOUNT,
    resourcePolicy: resourcePolicy(w, s, keyId),
  });

describe('the IAM harness', () => {
  test("a role's identity policies: inline, attached by reference or by name, customer managed; AWS managed ones are named", async () => {
    expect(identityPolicies(w, s, app).map((p) => p.policy.Statement.map((st: { Action: string }) => st.Action).flat())).toEqual(
      expect.arrayContaining([['sqs:SendMessage'], ['dynamodb:GetItem', 's3:GetObject'], ['logs:PutLogEvents'], ['sns:Publish']]),
    );
    expect(identityPolicies(w, s, app)).toHaveLength(4);
    expect(awsManagedPolicies(w, s, app)).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    await expectDecisions(
      ['sqs:SendMessage', 'dynamodb:GetItem', 'logs:PutLogEvents', 'sns:Publish'].map((action) => [
        action,
        roleMay(w, s, app, { action, resource: '*' }),
        'Allowed',
      ]),
    );
    // the one nothing grants
    expect(await roleMay(w, s, app, { action: 'sqs:DeleteQueue', resource: '*' })).toHaveDecision('ImplicitlyDenied');
  });

  test('a verdict explains itself: the deciding statement, the near misses, the policies the simulation cannot see', async () => {
    const allowed = await roleMay(w, s, app, { action: 'dynamodb:GetItem', resource: '*' });
    expect(allowed.explanation).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/app-role\/session -> dynamodb:GetItem on \* \(account 123456789012\): Allowed/,
    );
    expect(allowed.explanation).toContain('allowed by identity policy AppDefaultPolicy');
    expect(allowed.explanation).toContain('not simulated (AWS managed, not in the template): arn:aws:iam::aws:policy/ReadOnlyAccess');
    const other = `arn:aws:s3:::other-bucket/x`;
    const denied = await roleMay(w, s, app, { action: 's3:GetObject', resource: other });
    expect(denied.explanation).toMatch(/statement \S+ misses on resource: .*"Resource":"arn:aws:s3:::harness-bucket\/\*"/);
    // and the matcher prints it
    expect(() => expect(denied).toHaveDecision('Allowed')).toThrow(/expected Allowed, got ImplicitlyDenied\n.*misses on resource/s);
    expect(() => expect(denied).not.toHaveDecision('ImplicitlyDenied')).toThrow(/expected a decision other than ImplicitlyDenied/);
  });

  test('a resource policy: a bucket policy found through its BucketPolicy, a key policy, a trust policy; none is an error', async () => {
    expect(resourcePolicy(w, s, bucketId).Statement.some((st: { Action: string }) => st.Action === 's3:GetObject')).toBe(true);
    expect(resourcePolicy(w, s, keyId).Statement.length).toBeGreaterThan(1);
    expect(resourcePolicy(w, s, app).Statement[0].Principal).toEqual({ Service: 'lambda.amazonaws.com' });
    expect(() => resourcePolicy(w, s, resourcesOf(s, 'AWS::IAM::ManagedPolicy')[0][0])).toThrow(
      /0 resource policies for Managed\w+ \(AWS::IAM::ManagedPolicy\)/,
    );
  });

  test("cross-account: allowed only when the caller's identity policy and the resource policy both allow; aws:PrincipalArn is the session's role", async () => {
    expect(await reader(OTHER_ACCOUNT, 'reader')).toHaveDecision('Allowed');
    // the key policy names another role of that account
    expect(await reader(OTHER_ACCOUNT, 'writer')).toHaveDecision('ImplicitlyDenied');
    // the key policy does not name the action
    expect(await reader(OTHER_ACCOUNT, 'reader', 'kms:Encrypt')).toHaveDecision('ImplicitlyDenied');
    // in the key's own account the key policy delegates to IAM
    expect(await reader(ACCOUNT, 'anyone')).toHaveDecision('Allowed');
  });

  test('Pod Identity trust: with session tags, sts:TagSession must be allowed too', async () => {
    const tags = { 'kubernetes-namespace': 'apps', 'kubernetes-service-account': 'api' };
    const tagged = roleWhere(s, 'trusting tagged sessions', (id) => id.startsWith('Tagged'));
    const untagged = roleWhere(s, 'trusting untagged sessions', (id) => id.startsWith('Untagged'));
    expect(await trustAllows(w, s, tagged, { principal: 'pods.eks.amazonaws.com', sessionTags: tags })).toHaveDecision('Allowed');
    const refused = await trustAllows(w, s, untagged, { principal: 'pods.eks.amazonaws.com', sessionTags: tags });
    expect(refused).toHaveDecision('ImplicitlyDenied');
    expect(refused.explanation).toContain('-> sts:TagSession on');
    // without tags, assuming is all that is asked
    expect(await trustAllows(w, s, untagged, { principal: 'pods.eks.amazonaws.com' })).toHaveDecision('Allowed');
    expect(await trustAllows(w, s, untagged, { principal: 'ec2.amazonaws.com' })).toHaveDecision('ImplicitlyDenied');
  });

  test('a request whose condition keys do not apply to it is an error, not a pass; so is an unknown role', async () => {
    await expect(roleMay(w, s, app, { action: 'sqs:SendMessage', resource: '*', context: { 's3:prefix': 'x' } })).rejects.toThrow(
      'sqs:SendMessage on *: context keys that do not apply to this request: s3:prefix',
    );
    expect(() => roleWhere(s, 'named nobody', (_id, p) => p.RoleName === 'nobody')).toThrow('Harness: 0 roles named nobody: ');
    expect(() => identityPolicies(w, s, keyId)).toThrow(`Harness: ${keyId} is not a role`);
  });
});
