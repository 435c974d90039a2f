/**
 * `synthesizeInProcess` (test/app-process.ts): synthesizes `buildApp(...)` with TEST_APP_PROPS and
 * the input's config into a folder, and the manifests (every manifest rule checked) when asked.
 *
 *   node -r ./bin/register.js test/synthesize-app.ts <input.json> <outdir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildApp } from '../bin/app';
import { synthManifests } from '../cdk8s/main';
import { normalizeCatalog, ServiceCatalogSource } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { AppInput } from './app-process';
import { TEST_APP_PROPS } from './helpers';

const [inputFile, outdir] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputFile, 'utf8')) as AppInput;
buildApp(
  input.environments,
  { ...TEST_APP_PROPS, context: { ...TEST_APP_PROPS.context, ...input.context }, outdir },
  input.catalog,
  input.pipeline,
  input.team,
).synth();
if (input.manifestsCatalog !== undefined)
  synthManifests(input.environments as EnvironmentConfig[], path.join(outdir, 'manifests'), {
    catalog: normalizeCatalog(input.manifestsCatalog as ServiceCatalogSource),
  });
