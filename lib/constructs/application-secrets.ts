import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** One application secret: its name in Secrets Manager and what it holds. */
export interface ApplicationSecretSpec {
  /** Full Secrets Manager name, e.g. `saas-platform/prod/jwt-signing-key`. */
  readonly secretName: string;
  /** What the secret holds (shown in the console). */
  readonly description: string;
  /**
   * A JSON secret: these properties, the one named `password` (if any) generated, the others
   * given in `template`.
   * @default - a plain generated string
   */
  readonly template?: Readonly<Record<string, string>>;
}

/** Props of `ApplicationSecrets`. */
export interface ApplicationSecretsProps {
  /** The secrets, by catalog key. */
  readonly secrets: Readonly<Record<string, ApplicationSecretSpec>>;
  /** What happens to the secrets when they leave the template. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Customer-managed key the secrets are encrypted with (decryption can then be granted per secret,
   * by the `kms:EncryptionContext:SecretARN` Secrets Manager sends).
   * @default - the AWS managed key aws/secretsmanager
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The secrets the services read through External Secrets, created under the names the manifests
 * use. Each starts with a generated value, never a literal: keys issued by third parties (a
 * payment provider's API key) are set by their owners with `aws secretsmanager put-secret-value`;
 * nothing of their value is in code, templates or manifests.
 */
export class ApplicationSecrets extends Construct {
  /** The secrets by catalog key. */
  public readonly secrets: Readonly<Record<string, secretsmanager.ISecret>>;

  constructor(scope: Construct, id: string, props: ApplicationSecretsProps) {
    super(scope, id);
    const secrets: Record<string, secretsmanager.ISecret> = {};
    for (const [key, spec] of Object.entries(props.secrets)) {
      const secret = new secretsmanager.Secret(this, key, {
        secretName: spec.secretName,
        description: spec.description,
        generateSecretString: spec.template
          ? {
              secretStringTemplate: JSON.stringify(spec.template),
              generateStringKey: 'password',
              excludePunctuation: true,
              passwordLength: 32,
            }
          : { excludePunctuation: true, passwordLength: 48 },
        encryptionKey: props.encryptionKey,
        removalPolicy: props.removalPolicy,
      });
      secrets[key] = secret;
    }
    this.secrets = secrets;
  }

  /**
   * Let only `readerArns` (roles, by exact ARN) read a secret's value: a resource policy that denies
   * GetSecretValue to every other principal of any account, whatever its own policies allow.
   * Writing a value (put-secret-value, by the owning team) is not affected.
   */
  public restrictReads(key: string, readerArns: readonly string[]): void {
    const secret = this.secrets[key];
    if (!secret) throw new Error(`${this.node.path}: no secret ${key}`);
    if (readerArns.length === 0) throw new Error(`${this.node.path}: ${key} needs at least one reader`);
    secret.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyItsReadersReadTheValue',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...readerArns] } },
      }),
    );
    // Secrets Manager refuses a policy that would make the secret public, whatever a later edit adds.
    (secret.node.findChild('Policy').node.defaultChild as secretsmanager.CfnResourcePolicy).blockPublicPolicy = true;
  }

  /** Record why a secret has no rotation schedule (AwsSolutions-SMG4), on that secret only. */
  public acknowledgeNoRotation(key: string, reason: string): void {
    Validations.of(this.secrets[key]).acknowledge({ id: 'AwsSolutions-SMG4', reason });
  }
}
