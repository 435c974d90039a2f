/**
 * `npm run synth`: the CDK app (every stack of every stage, all gates and the CloudFormation
 * validator on) and then the Kubernetes manifests, with the CLIs' progress noise left out and a
 * short account of what was written at the end.
 *
 * Left out: "Bundling asset ..." (one line per Lambda function), "Successfully synthesized to
 * ..." and "Supply a stack id (...) to display its template." (the CDK CLI's hint after a
 * multi-stack synth: with `'**'` every stack is meant, and the templates are in cdk.out), and
 * cdk8s's "Synthesizing application" with its list of every file written. The summary says what
 * was written instead. Everything else the CLIs print, problems above all, passes through
 * unchanged; the exit code is theirs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** Lines of CLI output that say nothing the user needs after a synth of everything. */
export const NOISE: readonly RegExp[] = [
  /^Bundling asset \S+\.\.\.$/,
  /^Successfully synthesized to \S+$/,
  /^Supply a stack id \(.*\) to display its template\.$/,
  /^Synthesizing application$/,
  /^- \S+\.k8s\.yaml$/,
];

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** The output without its noise lines (matched with colours stripped; kept lines keep theirs). */
export function quiet(output: string): string {
  return output
    .split('\n')
    .filter((line) => !NOISE.some((n) => n.test(line.replace(ANSI, '').trim())))
    .join('\n');
}

interface Manifest {
  readonly artifacts?: Record<string, { readonly type: string; readonly properties?: { readonly directoryName?: string } }>;
}

/** The stacks of a cloud assembly, nested assemblies (stages) included, by stage. */
export function stacksByStage(assemblyDir: string): Map<string, number> {
  const read = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const counts = new Map<string, number>();
  for (const [id, artifact] of Object.entries(read(assemblyDir).artifacts ?? {})) {
    if (artifact.type !== 'cdk:cloud-assembly' || !artifact.properties?.directoryName) continue;
    const nested = read(path.join(assemblyDir, artifact.properties.directoryName));
    const stacks = Object.values(nested.artifacts ?? {}).filter((a) => a.type === 'aws:cloudformation:stack').length;
    counts.set(id.replace(/^assembly-/, ''), stacks);
  }
  return counts;
}

/** What a successful synth wrote, in three lines. */
export function summary(assemblyDir: string, manifestsDir: string): string[] {
  const stages = stacksByStage(assemblyDir);
  const stacks = [...stages.values()].reduce((a, b) => a + b, 0);
  const environments = fs.existsSync(manifestsDir)
    ? fs
        .readdirSync(manifestsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
    : [];
  return [
    `Synthesized ${stacks} stacks in ${stages.size} stages (${[...stages].map(([s, n]) => `${s} ${n}`).join(', ')}) to ${path.relative(ROOT, assemblyDir) || assemblyDir}/: cdk-nag, platform checks and the CloudFormation validator passed.`,
    `Wrote the Kubernetes manifests of ${environments.join(', ')} to ${path.relative(ROOT, manifestsDir) || manifestsDir}/.`,
    'What would this change? npm run review -- --base origin/main (offline, no credentials).',
  ];
}

function run(command: string, args: readonly string[]): number {
  const result = spawnSync(path.join(BIN, command), args, { cwd: ROOT, encoding: 'utf8', stdio: ['inherit', 'pipe', 'pipe'] });
  const out = quiet(result.stdout ?? '').trim();
  const err = quiet(result.stderr ?? '').trim();
  if (out) process.stdout.write(`${out}\n`);
  if (err) process.stderr.write(`${err}\n`);
  return result.status ?? 1;
}

export function main(): number {
  const cdk = run('cdk', ['synth', '**', '--quiet']);
  if (cdk !== 0) return cdk;
  const manifests = run('cdk8s', ['synth', '--check-upgrade=false']);
  if (manifests !== 0) return manifests;
  console.log(summary(path.join(ROOT, 'cdk.out'), path.join(ROOT, 'dist')).join('\n'));
  return 0;
}

if (require.main === module) process.exitCode = main();
