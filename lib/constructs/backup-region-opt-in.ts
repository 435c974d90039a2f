import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeAwsCustomResourceProvider } from './provider-framework';

/** Props of `BackupRegionOptIn`. */
export interface BackupRegionOptInProps {
  /** AWS Backup resource types to opt in (keys of `ResourceTypeOptInPreference`, e.g. `S3`). */
  readonly resourceTypes: readonly string[];
}

/** The only action the opt-in needs. */
export const BACKUP_OPT_IN_ACTION = 'backup:UpdateRegionSettings';

/**
 * AWS Backup's per-region service opt-in for the stack's region, as code: at every create and
 * update, `UpdateRegionSettings` turns on `resourceTypes` and names no other type (the API
 * reference does not say whether an unnamed type keeps its setting: name every type you need). On delete nothing is called: other plans of
 * the account may rely on the opt-in, and turning it off would silently stop their backups.
 * The function may call that one action and nothing else; AWS Backup gives it no resource-level
 * permissions (Service Authorization Reference, AWS Backup: UpdateRegionSettings has no resource
 * type), so its resource is `*`.
 */
export class BackupRegionOptIn extends Construct {
  /** The custom resource. */
  public readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: BackupRegionOptInProps) {
    super(scope, id);
    if (props.resourceTypes.length === 0) throw new Error(`${this.node.path}: no resource type to opt in`);
    const region = Stack.of(this).region;
    const call: cr.AwsSdkCall = {
      service: 'Backup',
      action: 'updateRegionSettings',
      parameters: { ResourceTypeOptInPreference: Object.fromEntries(props.resourceTypes.map((t) => [t, true])) },
      region,
      physicalResourceId: cr.PhysicalResourceId.of(`backup-opt-in-${region}`),
    };
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: [BACKUP_OPT_IN_ACTION], resources: ['*'] })]),
      installLatestAwsSdk: false,
    });
    Validations.of(this.resource.node.findChild('CustomResourcePolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'backup:UpdateRegionSettings supports no resource-level permissions (Service Authorization Reference, AWS Backup); the policy allows that one action only.',
    });
    acknowledgeAwsCustomResourceProvider(this);
  }
}
