#!/usr/bin/env node
/**
 * The CDK app: one stage per environment (`Dev`, `Staging`, `Prod`), checked by cdk-nag and the
 * platform's own rules at synth time.
 *
 *   npx cdk synth                  all environments
 *   npx cdk diff 'Prod/*'          one environment
 *   PLATFORM_CONFIG_FILE=my.json   synthesize environments from a JSON file instead of lib/config
 *
 * The configuration is validated before any construct is made: every problem is printed, one per
 * line, and nothing is written to cdk.out.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { zoneDelegation } from '../lib/config/dns-delegation';
import { deliveryPipelines, PipelineSettings } from '../lib/config/pipeline';
import { PLATFORM } from '../lib/config/platform';
import { SERVICE_CATALOG, ServiceCatalogSource, normalizeCatalog, servicesFor } from '../lib/config/service-catalog';
import { environmentAccess, TEAM, TeamRoster } from '../lib/config/team';
import { EnvironmentConfig } from '../lib/config/types';
import { ConfigValidationError, formatProblems } from '../lib/config/validate';
import { toolingConfig } from '../lib/config/tooling';
import { SaasEnvironmentStage } from '../lib/stages/saas-environment-stage';
import { configProblems, loadEnvironments } from './config-input';
import { unsupportedNode } from './node-version';
import { ToolingStage } from '../lib/stages/tooling-stage';
import { ManagementStage } from '../lib/stages/management-stage';
import { CachedCloudFormationValidation } from './cached-cfn-validation';
import { managementConfig } from '../lib/config/management';
import { ReleaseTarget } from '../lib/stacks/delivery-stack';
import { LambdaBundles } from '../lib/constructs/in-process-bundle';
import { TemplateFiles } from '../lib/policies/template-files';
import { KeptBundles } from './kept-bundles';
import { APP_CONTEXT, BUNDLE_CACHE_DIR, readTemplate } from './app-context';

/**
 * The environments the release step commits to: an environment that requires an approval (prod)
 * promotes the digest the environment before it runs, the others release the commit's own images.
 */
export function releaseTargets(environments: readonly EnvironmentConfig[]): ReleaseTarget[] {
  return environments.map((e, i) => ({
    name: e.name,
    account: e.account,
    ...(e.delivery.requireApproval && i > 0 ? { promoteFrom: environments[i - 1].name } : {}),
  }));
}

/**
 * Build the app for the given environments, service catalog, pipeline settings and team roster (validated first; throws
 * `ConfigValidationError` listing every problem when they are not valid).
 */
/** Where the CloudFormation validator keeps each template's result (bin/cached-cfn-validation.ts). */
export const VALIDATION_CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'cfn-validate');

/**
 * App props, plus where validator results are kept (`false`: the built-in validator as it is,
 * nothing kept) and where Lambda bundles are kept (bin/kept-bundles.ts; unset: every synth bundles).
 */
export type PlatformAppProps = AppProps & { readonly validationCache?: string | false; readonly bundleCache?: string };

/**
 * Where the app keeps the built-in validator's results, or undefined when it does not: the built-in
 * validator runs, with its results kept per template, unless it is off (the prop, or `--no-validation`,
 * which the CDK CLI passes as CDK_VALIDATION=false) or the caller asks for the built-in itself
 * (`validationCache: false`). When kept, the app turns the built-in off, adds
 * `CachedCloudFormationValidation` under the built-in's name, and writes its stacks through that
 * validator's `synthesizer()` (aws-cdk-lib's default one, telling it each template written).
 */
export function keptValidation(props: PlatformAppProps, cdkValidation: string | undefined): string | undefined {
  const validates = (props.builtinCloudFormationValidation ?? true) && cdkValidation !== 'false';
  if (!validates || props.validationCache === false) return undefined;
  return props.validationCache ?? VALIDATION_CACHE_DIR;
}

export function buildApp(
  environments: unknown,
  props: PlatformAppProps = {},
  catalog: unknown = SERVICE_CATALOG,
  pipeline: unknown = PLATFORM.pipeline,
  team: unknown = TEAM,
): App {
  const problems = configProblems(environments, catalog, pipeline, team);
  if (problems.length > 0) throw new ConfigValidationError(problems);
  const valid = environments as EnvironmentConfig[];
  // A catalog as written (secrets declared in service entries) or already normalized.
  const services = normalizeCatalog(catalog as ServiceCatalogSource);
  const roster = team as TeamRoster;
  const { validationCache: _, bundleCache, ...appProps } = props;
  const cache = keptValidation(props, process.env.CDK_VALIDATION);
  // made first: the app writes its stacks through its synthesizer, and the first template written
  // that has no kept result starts the validator's engine in a worker thread
  const kept = cache ? new CachedCloudFormationValidation(cache) : undefined;
  const app = new App(
    kept
      ? {
          ...appProps,
          builtinCloudFormationValidation: false,
          defaultStackSynthesizer: appProps.defaultStackSynthesizer ?? kept.synthesizer(),
        }
      : appProps,
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  if (kept) Validations.of(app).addPlugins(kept);
  if (bundleCache) LambdaBundles.of(app).keepWith(new KeptBundles(bundleCache));
  // the platform checks read the templates CDK writes (PLAT-SIZE1, PLAT-SEC1)
  TemplateFiles.of(app).readWith(readTemplate);
  // `-c observability:albRefresh=<anything new>` re-resolves the ALB's CloudWatch dimensions (docs/observability.md).
  const albRefresh = app.node.tryGetContext('observability:albRefresh');
  const stages = new Map<string, Stage>();
  for (const config of valid) {
    const stage = new SaasEnvironmentStage(app, config.stageName, {
      config,
      services: servicesFor(config, services),
      applicationSecrets: services.secrets,
      zoneDelegation: zoneDelegation(config.name, valid),
      albDimensionsRefresh: albRefresh === undefined ? undefined : String(albRefresh),
      access: environmentAccess(roster, config.name, PLATFORM.identityCenter.region),
    });
    stages.set(config.stageName, stage);
  }
  new ManagementStage(app, managementConfig().stageName, { management: managementConfig(), team: roster, environments: valid });
  const repositoryNames = [...new Set(services.services.map((s) => s.image.repository))];
  new ToolingStage(app, 'Tooling', {
    tooling: toolingConfig(valid),
    repositoryNames,
    delivery: { pipelines: deliveryPipelines(valid, pipeline as PipelineSettings), settings: pipeline as PipelineSettings, stages },
    services: services.services.map((s) => ({ name: s.name, repository: s.image.repository })),
    releaseTargets: releaseTargets(valid),
  });
  return app;
}

/** Run the app; returns the process exit code. Errors become one-line messages, never stack traces. */
export function main(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.error,
  nodeVersion: string = process.version,
): number {
  const node = unsupportedNode(nodeVersion);
  if (node) {
    log(node);
    return 1;
  }
  try {
    const context = appContext(env);
    // PLATFORM_VALIDATION_CACHE: a folder for the validator's kept results, or `off` (the bench's cold runs).
    const validationCache = env.PLATFORM_VALIDATION_CACHE === 'off' ? false : env.PLATFORM_VALIDATION_CACHE || VALIDATION_CACHE_DIR;
    buildApp(loadEnvironments(env), { context, validationCache, bundleCache: bundleCacheOf(env) }).synth();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      log(`Configuration has ${e.problems.length} problem(s); nothing was synthesized:\n${formatProblems(e.problems)}`);
    } else {
      log(`Synthesis failed: ${(e as Error).message}`);
    }
    return 1;
  }
}

/**
 * The context the app starts from: APP_CONTEXT (bin/app-context.ts), then cdk.json's feature flags. The
 * CDK CLI passes cdk.json's feature flags in CDK_CONTEXT_JSON; run directly (`node bin/app.ts`, the
 * benchmark), the app reads them itself, so both synthesize the same templates.
 */
export function appContext(env: NodeJS.ProcessEnv, cdkJson: () => Record<string, unknown> = cdkJsonContext): Record<string, unknown> {
  return { ...APP_CONTEXT, ...(env.CDK_CONTEXT_JSON ? {} : cdkJson()) };
}

/**
 * Where the app keeps Lambda bundles: PLATFORM_BUNDLE_CACHE names the folder, or is `off` (the
 * bench's cold runs: every synth bundles); unset, node_modules/.cache/lambda-bundles.
 */
export function bundleCacheOf(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PLATFORM_BUNDLE_CACHE === 'off') return undefined;
  return env.PLATFORM_BUNDLE_CACHE || BUNDLE_CACHE_DIR;
}

/** The `context` block of cdk.json (feature flags). */
export function cdkJsonContext(file: string = path.join(__dirname, '..', 'cdk.json')): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')).context;
}

if (require.main === module) {
  process.exitCode = main();
}
