import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { imageSignerRoleName, imageSigningKey, ImageSigningKeyRef } from '../config/image-signing';
import { ImageSigningKey } from '../constructs/image-signing-key';
import { ToolingStack, ToolingStackProps } from './tooling-stack';

/** Props of `SigningStack`. */
export type SigningStackProps = ToolingStackProps;

/**
 * The image signing key in the tooling account (stateful: a lost key makes every signed image
 * unverifiable, so every environment's admission would refuse them). Deployed before the first
 * image is signed; the environments' Kyverno verifies with `awskms:///<alias ARN>`.
 */
export class SigningStack extends ToolingStack {
  /** The key and its alias. */
  public readonly signingKey: ImageSigningKey;
  /** How the key is addressed (alias name, alias ARN, cosign URI), from config. */
  public readonly keyRef: ImageSigningKeyRef;

  constructor(scope: Construct, id: string, props: SigningStackProps) {
    super(scope, id, { description: 'tooling: the KMS key container images are signed with (cosign)', ...props });
    const { tooling } = props;
    this.keyRef = imageSigningKey({ account: tooling.account, region: tooling.region });
    this.signingKey = new ImageSigningKey(this, 'ImageSigningKey', {
      aliasName: this.keyRef.aliasName,
      verifierAccounts: tooling.pullAccounts,
      signerRoleArn: `arn:aws:iam::${tooling.account}:role/${imageSignerRoleName()}`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnOutput(this, 'ImageSigningKeyUri', {
      value: this.keyRef.kmsUri,
      description: 'cosign key reference: cosign sign --key <this> <image>@<digest>',
    });
  }
}
