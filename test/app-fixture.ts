import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../bin/app';
import { ENVIRONMENTS } from '../lib/config/environments';
import { EnvironmentConfig } from '../lib/config/types';
import { SaasEnvironmentStage } from '../lib/stages/saas-environment-stage';
import { TEST_APP_PROPS } from './helpers';

/**
 * The whole app, synthesized once per test file that calls it (cdk-nag and PlatformChecks run and
 * throw on any unacknowledged finding). Templates are cached per stack.
 */
export function synthesizedApp(): {
  app: App;
  stage: (name: string) => SaasEnvironmentStage;
  template: (stack: import('aws-cdk-lib').Stack) => Template;
} {
  const app = buildApp(ENVIRONMENTS, TEST_APP_PROPS);
  app.synth();
  const cache = new Map<string, Template>();
  return {
    app,
    stage: (name: string) => app.node.findChild(ENVIRONMENTS.find((c) => c.name === name)!.stageName) as SaasEnvironmentStage,
    template: (stack) => {
      if (!cache.has(stack.node.path)) cache.set(stack.node.path, Template.fromStack(stack));
      return cache.get(stack.node.path)!;
    },
  };
}

/** `test.each` rows: [name, config] for every environment. */
export const EACH_ENV: [string, EnvironmentConfig][] = ENVIRONMENTS.map((c) => [c.name, c]);
