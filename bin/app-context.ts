/**
 * Context the app sets itself, under keys the CDK CLI reserves (`aws:`): cdk.json may not hold them
 * (the CLI warns on every synth), so `appContext` (bin/app.ts) adds them, and the tests' apps too.
 *
 * `aws:cdk:disable-creation-stack-traces`: CDK would capture and source-map a stack trace for each
 * of ~2,100 resources (~0.3 s of a synth, ~1 MB more of cloud assembly for the CLI to read).
 * `cdk synth --debug` sets CDK_DEBUG, which records them anyway (aws-cdk-lib 2.276.0, CfnElement).
 */
export const APP_CONTEXT: Readonly<Record<string, unknown>> = { 'aws:cdk:disable-creation-stack-traces': true };
