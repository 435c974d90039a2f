import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of `ImageSigningKey`. */
export interface ImageSigningKeyProps {
  /** Alias the signer and the verifiers address the key by, e.g. `alias/saas-platform/image-signing`. */
  readonly aliasName: string;
  /** Accounts whose clusters verify signatures: they may read the public key and its metadata, nothing else. */
  readonly verifierAccounts: readonly string[];
  /**
   * ARN of the only principal that may sign. It need not exist yet: the key policy names it in a
   * condition, not as a principal, so the key deploys before the pipeline creates the role.
   */
  readonly signerRoleArn: string;
  /**
   * What happens to the key when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The asymmetric KMS key container images are signed with (cosign `awskms://`): ECC NIST P-256,
 * sign/verify only, behind a stable alias. The private half never leaves KMS.
 *
 * Key policy, besides the account's administration statement (CDK's default, which delegates to
 * IAM in the key's account):
 * - the verifier accounts may `kms:GetPublicKey` and `kms:DescribeKey` (what cosign's verifier calls);
 * - every principal but the signer role is denied `kms:Sign`, whatever its IAM policies say.
 *
 * Asymmetric keys do not rotate automatically; a new key behind the same alias is a rotation
 * (signatures made with the old key then fail verification: re-sign the images that still run).
 */
export class ImageSigningKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;
  /** Its alias. */
  public readonly alias: kms.Alias;

  constructor(scope: Construct, id: string, props: ImageSigningKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Signs container images (cosign); verifiers read the public key only',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EnvironmentsVerifyOnly',
        principals: props.verifierAccounts.map((account) => new iam.AccountPrincipal(account)),
        actions: ['kms:GetPublicKey', 'kms:DescribeKey'],
        resources: ['*'],
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheSignerRoleSigns',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.signerRoleArn } },
      }),
    );
    this.alias = new kms.Alias(this, 'Alias', { aliasName: props.aliasName, targetKey: this.key });
  }
}
