import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../bin/app';
import { ENVIRONMENTS } from '../lib/config/environments';
import { EnvironmentConfig } from '../lib/config/types';
import { SaasEnvironmentStage } from '../lib/stages/saas-environment-stage';
import { templateOf, world } from './contracts/world';
import { TEST_APP_PROPS } from './helpers';

/**
 * The whole app for stack tests: the constructs of the platform (built here, cheap: no synth) and the
 * templates cdk-nag and PlatformChecks passed, taken from `world()`, which synthesizes the platform
 * once per jest run and shares it between test files (test/contracts/world.ts). `dependsOn` reads
 * stack dependencies from the synthesized assembly (cross-stack references become dependencies only
 * at synth).
 */
export function synthesizedApp(): AppFixture {
  fixture ??= buildFixture();
  return fixture;
}

let fixture: AppFixture | undefined;

interface AppFixture {
  app: App;
  stage: (name: string) => SaasEnvironmentStage;
  template: (stack: Stack) => Template;
  dependsOn: (stack: Stack) => Stack[];
}

function buildFixture(): AppFixture {
  const app = buildApp(ENVIRONMENTS, TEST_APP_PROPS);
  const synthesized = world();
  const byPath = new Map(synthesized.stacks.map((s) => [s.path, s]));
  const cache = new Map<string, Template>();
  const stackAt = (p: string): Stack => p.split('/').reduce<IConstruct>((node, id) => node.node.findChild(id), app) as Stack;
  const synthesizedStack = (stack: Stack) => {
    const found = byPath.get(stack.node.path);
    if (!found) throw new Error(`${stack.node.path} is not a stack of the synthesized platform`);
    return found;
  };
  return {
    app,
    stage: (name: string) => app.node.findChild(ENVIRONMENTS.find((c) => c.name === name)!.stageName) as SaasEnvironmentStage,
    template: (stack) => {
      if (!cache.has(stack.node.path)) cache.set(stack.node.path, templateOf(synthesizedStack(stack)));
      return cache.get(stack.node.path)!;
    },
    dependsOn: (stack) => synthesizedStack(stack).dependencies.map(stackAt),
  };
}

/** `test.each` rows: [name, config] for every environment. */
export const EACH_ENV: [string, EnvironmentConfig][] = ENVIRONMENTS.map((c) => [c.name, c]);
