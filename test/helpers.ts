import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps } from 'aws-cdk-lib';
import { EnvironmentConfig } from '../lib/config/types';
import { APP_CONTEXT, BUNDLE_CACHE_DIR, readTemplate } from '../bin/app-context';
import { TemplateFiles } from '../lib/policies/template-files';
import type { PlatformAppProps } from '../bin/app';

/** The feature flags from cdk.json, so tests synthesize what `cdk synth` synthesizes. */
export const CDK_CONTEXT: Record<string, unknown> = {
  ...APP_CONTEXT,
  ...JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).context,
};

/**
 * The tests' app props: cdk.json's flags, the built-in validator off (it runs once, in the shared
 * world), no tree.json (only the CDK CLI and IDE tooling read it, never a test; writing it was ~0.7 s
 * of the growth test's synth), and (for `buildApp`) Lambda bundles kept as `cdk synth` keeps them, so
 * the suite's whole-app synths bundle each handler once (test/constructs/in-process-bundle.spec.ts
 * bundles without keeping).
 */
export const TEST_APP_PROPS: PlatformAppProps = {
  context: CDK_CONTEXT,
  builtinCloudFormationValidation: false,
  treeMetadata: false,
  bundleCache: BUNDLE_CACHE_DIR,
};

/** A bare app for construct tests, reading its written templates as `buildApp`'s apps do (the platform checks). */
export function testApp(props: AppProps = {}): App {
  const app = new App({ ...TEST_APP_PROPS, ...props });
  TemplateFiles.of(app).readWith(readTemplate);
  return app;
}

/** A deep copy of `config` with the value at a dotted path replaced (or deleted with `undefined`). */
export function withValue<T extends object>(config: T, dottedPath: string, value: unknown): T {
  const copy = JSON.parse(JSON.stringify(config));
  const keys = dottedPath.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key];
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** Replace several values at once. */
export function withValues(config: EnvironmentConfig, changes: Record<string, unknown>): EnvironmentConfig {
  return Object.entries(changes).reduce((c, [p, v]) => withValue(c, p, v), config);
}
