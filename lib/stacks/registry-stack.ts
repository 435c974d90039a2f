import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ImageRegistry } from '../constructs/image-registry';
import { ToolingStack, ToolingStackProps } from './tooling-stack';

/** Props of `RegistryStack`. */
export interface RegistryStackProps extends ToolingStackProps {
  /** ECR repository names (one per service image of the catalog). */
  readonly repositoryNames: readonly string[];
}

/** The image registry in the tooling account (stateful: images are the rollback history). */
export class RegistryStack extends ToolingStack {
  /** The registry. */
  public readonly registry: ImageRegistry;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    const { tooling, repositoryNames, ...stackProps } = props;
    super(scope, id, { tooling, description: 'tooling: ECR repositories of the platform services', ...stackProps });
    this.registry = new ImageRegistry(this, 'Registry', {
      repositoryNames,
      pullAccounts: tooling.pullAccounts,
      imagesToKeep: tooling.imagesToKeep,
      untaggedExpiryDays: tooling.untaggedExpiryDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
