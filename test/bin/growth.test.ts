import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { ENVIRONMENTS, staging } from '../../lib/config/environments';
import { imageProjectName } from '../../lib/config/delivery';
import { secretsManagerName } from '../../lib/config/naming';
import { PLATFORM } from '../../lib/config/platform';
import { normalizeCatalog, SERVICE_CATALOG_SOURCE, ServiceCatalogSource } from '../../lib/config/service-catalog';
import { TEAM } from '../../lib/config/team';
import { EnvironmentConfig } from '../../lib/config/types';
import { catalogWithExtraServices } from '../../bin/bench-catalog';
import { FILTER_PATTERN_MAX_LENGTH } from '../../lib/config/audit-rules';
import { templateSize } from '../../lib/policies/rules/template-size';
import { synthesizeInProcess } from '../app-process';

/**
 * The everyday growth of the platform, done as a user does it, on copies of the real config: one
 * more service entry (declaring its own new secret, the one edit the recipes promise) and one more
 * environment (one object, its account, its access in the roster). The whole app synthesizes with
 * every gate (cdk-nag, PlatformChecks) and the manifests pass every manifest rule; nothing the
 * platform already had is replaced. No other test needs an edit for such a change: they derive
 * from the catalog and the environments (`npm run test:update` rewrites the snapshots and pins).
 *
 * The same synth carries 75 generated services too (the way `npm run bench` generates them): every
 * stack stays under a resource budget, every template under CloudFormation's size limit, every
 * metric filter under its length limit. Not timed: `npm run bench` measures the cost.
 */

/**
 * Generated services on top of the grown catalog (the scale tests): 80 services in all, with no
 * finding. The RDS Proxy role's `rds-db:connect` is one statement whatever the number of services
 * (it was one ARN per service user, which overflowed the role's inline policy at 66). What limits the
 * platform now is the Observability stack of each environment, which gains 4 CloudWatch alarms
 * (~7.9 kB of template) per service: PLAT-SIZE1 warns at 82 services (above 80% of 1 MB) and
 * CloudFormation refuses it at 98 (501 resources, above 500). docs/troubleshooting/common-issues.md
 */
const ADDED_SERVICES = 75;

/** The stateful logical IDs of today's platform, pinned. */
const STATEFUL_PINS = path.join(__dirname, '..', 'stacks', 'stateful-logical-ids.json');
/**
 * Resources per stack: CloudFormation allows 500; the rest is headroom for what a stack gains in
 * review. The largest stack here is Prod/Observability: 429 (125 + 4 alarms per service).
 */
const RESOURCE_BUDGET = 450;

describe('adding a service and an environment', () => {
  const base = SERVICE_CATALOG_SOURCE.services.find((s) => s.name === 'worker')!;
  const NEW_SERVICE = 'search-indexer';
  const NEW_SECRET = 'search-cluster-key';
  const catalog: ServiceCatalogSource = {
    ...SERVICE_CATALOG_SOURCE,
    services: [
      ...SERVICE_CATALOG_SOURCE.services,
      {
        ...base,
        name: NEW_SERVICE,
        image: { repository: NEW_SERVICE, tag: '1.0.0' },
        secrets: [{ name: NEW_SECRET, description: 'Key of the search cluster' }],
      },
    ],
  };
  const qa: EnvironmentConfig = {
    ...staging,
    name: 'qa',
    stageName: 'Qa',
    account: '555555555555',
    network: { ...staging.network, vpcCidr: '10.50.0.0/16' },
    tags: { ...staging.tags, Environment: 'qa' },
    domain: { zoneName: `qa.${PLATFORM.apexDomain}`, delegatedFrom: 'prod' },
  };
  const environments = [...ENVIRONMENTS, qa];
  const team = { ...TEAM, access: { ...TEAM.access, qa: TEAM.access.staging } };

  // One synth of the grown app (gates on, the built-in validator off as in every unit test), shared
  // with the scale tests below: the new service, the new environment and the generated services.
  // Findings are read from the report instead of stopping the synth.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'growth-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const grownCatalog = catalogWithExtraServices(ADDED_SERVICES, normalizeCatalog(catalog));
  // (in a process of its own: a whole-app synth takes about twice as long inside jest's sandbox)
  const assembly = synthesizeInProcess(
    {
      environments,
      catalog: grownCatalog,
      pipeline: PLATFORM.pipeline,
      team,
      context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
      // the catalog with the new entry; the generated services' manifests are the bench's (cdk8s/bench.ts)
      manifestsCatalog: catalog,
    },
    outdir,
  );
  const allStacks = assembly.nestedAssemblies.flatMap((a) => a.nestedAssembly.stacks);
  const stacks = (stageName: string): CloudFormationStackArtifact[] =>
    assembly.nestedAssemblies.find((n) => n.nestedAssembly.directory.endsWith(`assembly-${stageName}`))?.nestedAssembly.stacks ?? [];
  const grown = (stagePath: string) => {
    const [stageName, stackId] = stagePath.split('/');
    const found = stacks(stageName).find((s) => s.hierarchicalId === stagePath || s.id === `${stageName}${stackId}`);
    if (!found) throw new Error(`${stagePath} is not in the grown app`);
    return found.template as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  };
  const resourcesOf = (template: ReturnType<typeof grown>, type: string) =>
    Object.values(template.Resources).filter((r) => r.Type === type);

  test('the validation report (cdk-nag and the platform checks) is empty', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });

  test('the grown catalog and environments pass validation and every gate', () => {
    // THEN the new environment is a stage with the same stacks as its tier's model
    const idsOf = (stage: string) => stacks(stage).map((s) => s.hierarchicalId.split('/')[1]);
    expect(idsOf('Qa').sort()).toEqual(idsOf('Staging').sort());
  });

  test.each(environments.map((e) => [e.name, e.stageName]))(
    '%s creates the new secret under its Secrets Manager name',
    (env, stageName) => {
      const secrets = resourcesOf(grown(`${stageName}/Data`), 'AWS::SecretsManager::Secret');
      expect(secrets.map((s) => s.Properties?.Name)).toContain(secretsManagerName(env, NEW_SECRET));
    },
  );

  test('the new service gets its image repository and its Pod Identity role in the new environment', () => {
    const repositories = resourcesOf(grown('Tooling/Registry'), 'AWS::ECR::Repository').map((r) => r.Properties?.RepositoryName);
    expect(repositories).toEqual(expect.arrayContaining([expect.stringContaining(NEW_SERVICE)]));
    const associations = resourcesOf(grown('Qa/Cluster'), 'AWS::EKS::PodIdentityAssociation').map((r) => r.Properties?.ServiceAccount);
    expect(associations).toContain(NEW_SERVICE);
  });

  test('the new service is a new image project: the delivery stack builds, scans and signs its image', () => {
    const project = resourcesOf(grown('Tooling/Delivery'), 'AWS::CodeBuild::Project').find(
      (p) => p.Properties?.Name === imageProjectName(NEW_SERVICE),
    );
    expect(JSON.parse((project?.Properties?.Source as { BuildSpec: string }).BuildSpec).phases.build.commands).toEqual([
      `npm run image -- --service ${NEW_SERVICE} --execute --output image.json`,
    ]);
  });

  test('nothing stateful the platform already had changes its logical ID or type (no replacement)', () => {
    // GIVEN the stateful resources of today's platform: the pins (test/stacks/stateful-logical-ids.spec.ts
    // holds them equal to a synth of the real config)
    const pins: Record<string, Record<string, string>> = JSON.parse(fs.readFileSync(STATEFUL_PINS, 'utf8'));
    expect(Object.keys(pins).length).toBeGreaterThan(10);
    for (const [stackPath, resources] of Object.entries(pins)) {
      // THEN each is still there, under the same logical ID, of the same type
      const after = grown(stackPath).Resources;
      const changed = Object.entries(resources).filter(([id, type]) => after[id]?.Type !== type);
      expect({ stack: stackPath, changed }).toEqual({ stack: stackPath, changed: [] });
    }
  });

  test('the manifests of every environment, the new one included, pass every manifest rule and render the new service', () => {
    // (synthesized with the app: the checks throw on any finding, which fails the synth process)
    const manifests = path.join(outdir, 'manifests');
    expect(fs.readdirSync(manifests).sort()).toEqual(environments.map((e) => e.name).sort());
    expect(fs.existsSync(path.join(manifests, 'qa', 'services', NEW_SERVICE))).toBe(true);
  });

  describe(`scale: ${ADDED_SERVICES} more services (generated the way \`npm run bench\` generates them)`, () => {
    test('the catalog really grew, and the Tooling stage builds and signs every image', () => {
      expect(grownCatalog.services.length).toBeGreaterThanOrEqual(ADDED_SERVICES);
      const delivery = allStacks.find((s) => s.displayName.startsWith('Tooling/Delivery'))!;
      const projects = Object.values(delivery.template.Resources).filter((r) => (r as { Type: string }).Type === 'AWS::CodeBuild::Project');
      expect(projects.length).toBeGreaterThan(grownCatalog.services.length);
    });

    test(`every stack has at most ${RESOURCE_BUDGET} resources`, () => {
      const counts = allStacks.map((s) => [s.displayName, Object.keys(s.template.Resources ?? {}).length] as const);
      expect(counts.filter(([, count]) => count > RESOURCE_BUDGET)).toEqual([]);
      // the Tooling pipelines (one action per service and environment) included
      expect(counts.filter(([name]) => name.startsWith('Tooling/Pipeline')).length).toBeGreaterThan(0);
    });

    test("every template stays below 80% of CloudFormation's 1 MB limit (PLAT-SIZE1)", () => {
      const findings = allStacks.flatMap((s) => templateSize(s.displayName, fs.statSync(s.templateFullPath).size) ?? []);
      expect(findings).toEqual([]);
    });

    test(`every metric filter fits CloudFormation's ${FILTER_PATTERN_MAX_LENGTH} characters (F3033), at most 100 per log group`, () => {
      // the built-in validator is off here: this is its F3033, and CloudWatch Logs' quota of metric filters per log group
      type Filter = { Type: string; Properties: { FilterPattern: string; LogGroupName: unknown } };
      const filters = allStacks.flatMap((s) =>
        Object.values(s.template.Resources as Record<string, Filter>)
          .filter((r) => r.Type === 'AWS::Logs::MetricFilter')
          .map((r) => ({ stack: s.displayName, ...r.Properties })),
      );
      expect(filters.length).toBeGreaterThan(0);
      expect(filters.filter((f) => f.FilterPattern.length > FILTER_PATTERN_MAX_LENGTH).map((f) => f.stack)).toEqual([]);
      const perLogGroup = new Map<string, number>();
      for (const f of filters) {
        const key = `${f.stack} ${JSON.stringify(f.LogGroupName)}`;
        perLogGroup.set(key, (perLogGroup.get(key) ?? 0) + 1);
      }
      expect([...perLogGroup].filter(([, n]) => n > 100)).toEqual([]);
    });
  });
});
