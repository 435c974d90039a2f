import * as fs from 'fs';
import * as path from 'path';

/**
 * Context the app sets itself, under keys the CDK CLI reserves (`aws:`): cdk.json may not hold them
 * (the CLI warns on every synth), so `appContext` (bin/app.ts) adds them, and the tests' apps too.
 *
 * `aws:cdk:disable-creation-stack-traces`: CDK would capture and source-map a stack trace for each
 * of ~2,100 resources (~0.3 s of a synth, ~1 MB more of cloud assembly for the CLI to read).
 * `cdk synth --debug` sets CDK_DEBUG, which records them anyway (aws-cdk-lib 2.276.0, CfnElement).
 */
export const APP_CONTEXT: Readonly<Record<string, unknown>> = { 'aws:cdk:disable-creation-stack-traces': true };

/**
 * Where Lambda bundles are kept between synths (bin/kept-bundles.ts, handed to the app's functions
 * through `LambdaBundles.of(app)`): `cdk synth` keeps them here, and so do the tests' apps (a bundle is
 * the same bytes whoever made it; a clean clone starts with none).
 */
export const BUNDLE_CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'lambda-bundles');

/**
 * How the app's validation plugins read the templates CDK wrote (lib/policies/template-files.ts):
 * `buildApp` hands it to the app, and so do the tests' apps.
 */
export function readTemplate(templatePath: string): string {
  return fs.readFileSync(templatePath, 'utf8');
}
