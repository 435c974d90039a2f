/**
 * Timing of manifest synthesis as the catalog grows: N generated services, synthesized in-process
 * through the same path as `npm run synth:manifests` (catalog validation, charts, platform rules,
 * YAML files). Used by `npm run bench`; never by tests' assertions.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dev, ENVIRONMENTS } from '../lib/config/environments';
import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { assertValidServices } from '../lib/config/validate-services';
import { synthManifests } from './main';

/** Median time of synthesizing one environment with `services` services. */
export interface ManifestBenchRow {
  readonly services: number;
  readonly medianMillis: number;
  readonly samplesMillis: readonly number[];
}

/** What `benchManifests` measured. */
export interface ManifestBenchResult {
  /** One row per service count. */
  readonly rows: readonly ManifestBenchRow[];
  /** Cost of one more service: slope between the smallest and the largest count, in ms. */
  readonly perServiceMillis: number;
  /** Median time of the real catalog, all environments, in ms. */
  readonly catalogMillis: number;
}

/**
 * A catalog of `count` services generated from the real ones (cycling through their strategies),
 * each public on its own path, so that the charts are as large as real ones.
 */
export function syntheticCatalog(count: number, base: ServiceCatalog = SERVICE_CATALOG): ServiceCatalog {
  const services = Array.from({ length: count }, (_, i): ServiceSpec => {
    const template = base.services[i % base.services.length];
    const name = `svc-${i}`;
    const rest = { ...template, calls: undefined };
    return { ...rest, name, image: { ...template.image, repository: name }, ingress: { pathPrefix: `/${name}` } };
  });
  return { secrets: base.secrets, services, overrides: {} };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeSynth(environments: readonly EnvironmentConfig[], catalog: ServiceCatalog, runs: number): number[] {
  const once = () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-k8s-'));
    const start = process.hrtime.bigint();
    assertValidServices(catalog, environments);
    synthManifests(environments, outdir, { catalog });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    fs.rmSync(outdir, { recursive: true, force: true });
    return ms;
  };
  once(); // warm-up: module caches, JIT
  return Array.from({ length: runs }, once);
}

/**
 * Time manifest synthesis of one environment (dev) at each of `counts` generated services
 * (median of `runs`), and of the real catalog over every environment.
 */
export function benchManifests(counts: readonly number[] = [5, 20, 50], runs = 5): ManifestBenchResult {
  const rows = [...counts]
    .sort((a, b) => a - b)
    .map((services) => {
      const samplesMillis = timeSynth([dev], syntheticCatalog(services), runs);
      return { services, medianMillis: median(samplesMillis), samplesMillis };
    });
  const first = rows[0];
  const last = rows[rows.length - 1];
  const perServiceMillis = last.services > first.services ? (last.medianMillis - first.medianMillis) / (last.services - first.services) : 0;
  const catalogMillis = median(timeSynth(ENVIRONMENTS, SERVICE_CATALOG, runs));
  return { rows, perServiceMillis, catalogMillis };
}
