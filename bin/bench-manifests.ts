#!/usr/bin/env node
/**
 * `node -r ./bin/register.js bin/bench-manifests.ts [runs]`: how long manifest synthesis takes at
 * 5, 20 and 50 generated services, and for the real catalog; prints a Markdown table with the
 * targets (<= 30 ms per added service, whole catalog <= 2 s).
 */
import { ManifestBenchResult, benchManifests } from '../cdk8s/bench';

/** Targets of the workloads issue. */
export const MANIFEST_TARGETS = { perServiceMillis: 30, catalogMillis: 2000 } as const;

/** The result as Markdown. */
export function manifestBenchTable(result: ManifestBenchResult): string {
  const check = (ok: boolean) => (ok ? 'met' : '**missed**');
  return [
    '| cdk8s synth, in-process (dev) | median | runs |',
    '|---|---|---|',
    ...result.rows.map(
      (r) => `| ${r.services} services | ${r.medianMillis.toFixed(0)} ms | ${r.samplesMillis.map((s) => s.toFixed(0)).join(', ')} |`,
    ),
    '',
    '| target | measured | |',
    '|---|---|---|',
    `| per added service <= ${MANIFEST_TARGETS.perServiceMillis} ms | ${result.perServiceMillis.toFixed(1)} ms | ${check(result.perServiceMillis <= MANIFEST_TARGETS.perServiceMillis)} |`,
    `| whole catalog, all environments <= ${MANIFEST_TARGETS.catalogMillis / 1000} s | ${(result.catalogMillis / 1000).toFixed(2)} s | ${check(result.catalogMillis <= MANIFEST_TARGETS.catalogMillis)} |`,
  ].join('\n');
}

/** Run the benchmark; returns the process exit code. */
export function main(
  argv: readonly string[] = process.argv.slice(2),
  out: (text: string) => void = (t) => process.stdout.write(`${t}\n`),
  counts?: readonly number[],
): number {
  const runs = Math.max(1, Number(argv[0] ?? 5) || 5);
  out(manifestBenchTable(benchManifests(counts, runs)));
  return 0;
}

if (require.main === module) {
  process.exitCode = main();
}
