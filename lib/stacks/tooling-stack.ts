import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { STATEFUL_TAGS } from '../config/tag-policy';
import { ToolingConfig } from '../config/tooling';
import { applyTags } from '../policies/platform-gates';

/** Props of `ToolingStack`. */
export interface ToolingStackProps extends StackProps {
  /** The tooling account's configuration. */
  readonly tooling: ToolingConfig;
}

/**
 * Base of the tooling account's stateful stacks (registry, signing key): the tooling account and
 * region, termination protection, and the stateful tags from config.
 */
export class ToolingStack extends Stack {
  constructor(scope: Construct, id: string, props: ToolingStackProps) {
    const { tooling, ...stackProps } = props;
    super(scope, id, { env: { account: tooling.account, region: tooling.region }, terminationProtection: true, ...stackProps });
    applyTags(this, tooling.tags, STATEFUL_TAGS);
  }
}
