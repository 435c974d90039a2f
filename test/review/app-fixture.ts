import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stage } from 'aws-cdk-lib';
import { buildApp } from '../../bin/app';
import { readAssembly } from '../../bin/review-inputs';
import { dev } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';
import { StackArtifact } from '../../lib/review/model';
import { CDK_CONTEXT, TEST_APP_PROPS, withValue } from '../helpers';

/**
 * The Dev stage of the repository's app (configured with dev alone), synthesized as `cdk synth`
 * writes it: cdk.json's flags plus `aws:cdk:path` metadata, built-in validator off, and Lambda
 * bundling skipped (the review of Lambda code is not what these tests check; it saves a second per
 * synthesis). Only the Dev stage is synthesized: every change under test is one of its stacks, and
 * its templates are the same as in a synth of the whole app (the Tooling and Management stages
 * would double the time of each synthesis). `change` is the test-only hook that applies a change
 * before synthesis. Returns the assembly read back from disk by the review's own reader.
 */
export function synthesizeDev(config: EnvironmentConfig = dev, change?: (app: App) => void): StackArtifact[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-app-'));
  try {
    // dev alone: without prod in the configuration, its zone is delegated by the registrar, not by prod
    const app = buildApp([withValue(config, 'domain.delegatedFrom', undefined)], {
      ...TEST_APP_PROPS,
      outdir,
      context: { ...CDK_CONTEXT, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:bundling-stacks': [] },
    });
    change?.(app);
    return readAssembly((app.node.findChild(config.stageName) as Stage).synth().directory);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Run `build` with `name` of `module` replaced by `replacement` (a construct class with another ID, say). */
export function withExport<M extends object, K extends keyof M, T>(module: M, name: K, replacement: M[K], build: () => T): T {
  const original = module[name];
  module[name] = replacement;
  try {
    return build();
  } finally {
    module[name] = original;
  }
}
