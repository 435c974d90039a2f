import { RemovalPolicy, Validations } from 'aws-cdk-lib';
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
        removalPolicy: props.removalPolicy,
      });
      secrets[key] = secret;
    }
    this.secrets = secrets;
  }

  /** Record why a secret has no rotation schedule (AwsSolutions-SMG4), on that secret only. */
  public acknowledgeNoRotation(key: string, reason: string): void {
    Validations.of(this.secrets[key]).acknowledge({ id: 'AwsSolutions-SMG4', reason });
  }
}
