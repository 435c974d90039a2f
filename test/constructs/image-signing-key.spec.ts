import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ImageSigningKey } from '../../lib/constructs/image-signing-key';
import { testApp } from '../helpers';

const build = (removalPolicy?: RemovalPolicy) => {
  const stack = new Stack(testApp(), 'Signing', { env: { account: '000000000000', region: 'eu-west-1' } });
  new ImageSigningKey(stack, 'ImageSigningKey', {
    aliasName: 'alias/app/image-signing',
    verifierAccounts: ['111111111111', '222222222222'],
    signerRoleArn: 'arn:aws:iam::000000000000:role/app-image-signer',
    removalPolicy,
  });
  return Template.fromStack(stack);
};

describe('ImageSigningKey', () => {
  test('an asymmetric P-256 key for signing and verifying, behind the given alias', () => {
    const t = build();
    t.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', PendingWindowInDays: 30 });
    t.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/app/image-signing',
      TargetKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
  });

  test('retained by default; the removal policy is the caller’s choice', () => {
    expect(Object.values(build().findResources('AWS::KMS::Key'))[0].DeletionPolicy).toBe('Retain');
    expect(Object.values(build(RemovalPolicy.DESTROY).findResources('AWS::KMS::Key'))[0].DeletionPolicy).toBe('Delete');
  });

  test('the verifier accounts may read the public key and its metadata, nothing else', () => {
    build().hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'EnvironmentsVerifyOnly',
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'] },
            Action: ['kms:DescribeKey', 'kms:GetPublicKey'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  test('everyone but the signer role is denied kms:Sign, named by condition so the role may come later', () => {
    build().hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'OnlyTheSignerRoleSigns',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'kms:Sign',
            Resource: '*',
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/app-image-signer' } },
          },
        ]),
      },
    });
  });
});
