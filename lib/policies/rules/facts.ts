/** What the platform rules know about one CloudFormation resource (a plain value, easy to test). */
export interface ResourceFacts {
  /** Construct path, e.g. `Prod/Network/Vpc/Resource`. */
  readonly path: string;
  /** CloudFormation type, e.g. `AWS::S3::Bucket`. */
  readonly type: string;
  /** Tags the resource will carry, or undefined when the type cannot be tagged. */
  readonly tags: Readonly<Record<string, string>> | undefined;
  /** `DeletionPolicy` in the template (`Delete` when CloudFormation's default applies). */
  readonly deletionPolicy: string;
  /** Whether the resource's stack has termination protection. */
  readonly stackTerminationProtection: boolean;
}

/** One rule finding: the resource, the template location and what to do. */
export interface RuleFinding {
  readonly path: string;
  readonly location: string;
  readonly message: string;
  /** For a finding read from a template: the resource's logical ID (the CDK maps it to its construct path). */
  readonly logicalId?: string;
}
