import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../bin/app';
import { synthManifests } from '../../cdk8s/main';
import { ENVIRONMENTS, staging } from '../../lib/config/environments';
import { imageProjectName } from '../../lib/config/delivery';
import { secretsManagerName } from '../../lib/config/naming';
import { PLATFORM } from '../../lib/config/platform';
import { normalizeCatalog, SERVICE_CATALOG_SOURCE, ServiceCatalogSource } from '../../lib/config/service-catalog';
import { TEAM } from '../../lib/config/team';
import { EnvironmentConfig } from '../../lib/config/types';
import { world } from '../contracts/world';
import { TEST_APP_PROPS } from '../helpers';

/**
 * The everyday growth of the platform, done as a user does it, on copies of the real config: one
 * more service entry (declaring its own new secret, the one edit the recipes promise) and one more
 * environment (one object, its account, its access in the roster). The whole app synthesizes with
 * every gate (cdk-nag, PlatformChecks) and the manifests pass every manifest rule; nothing the
 * platform already had is replaced. No other test needs an edit for such a change: they derive
 * from the catalog and the environments (`npm run test:update` rewrites the snapshots and pins).
 */
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

  // One synth of the grown app (gates on, the built-in validator off as in every unit test).
  const assembly = buildApp(environments, TEST_APP_PROPS, catalog, PLATFORM.pipeline, team).synth();
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

  test('the grown catalog and environments pass validation and every gate (the synth above threw otherwise)', () => {
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

  test('nothing stateful the platform already had changes its logical ID (no replacement)', () => {
    // GIVEN the stateful resources of today's platform (the same ones the pins hold)
    const stateful = [
      'AWS::RDS::DBInstance',
      'AWS::S3::Bucket',
      'AWS::KMS::Key',
      'AWS::SecretsManager::Secret',
      'AWS::Backup::BackupVault',
    ];
    for (const stack of world().stacks.filter((s) => !s.path.startsWith('Management'))) {
      const before = Object.entries(stack.template.Resources ?? {})
        .filter(([, r]) => stateful.includes((r as { Type: string }).Type))
        .map(([id]) => id);
      if (before.length === 0) continue;
      // THEN each is still there, under the same logical ID
      const after = Object.keys(grown(stack.path).Resources);
      expect({ stack: stack.path, missing: before.filter((id) => !after.includes(id)) }).toEqual({ stack: stack.path, missing: [] });
    }
  });

  test('the manifests of every environment, the new one included, pass every manifest rule and render the new service', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'growth-'));
    try {
      // WHEN the manifests are synthesized (the checks throw on any finding)
      const dirs = synthManifests(environments, outdir, { catalog: normalizeCatalog(catalog) });
      // THEN the new environment has the new service's manifests
      expect(dirs.map((d) => path.basename(d))).toEqual(environments.map((e) => e.name));
      expect(fs.existsSync(path.join(outdir, 'qa', 'services', NEW_SERVICE))).toBe(true);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
