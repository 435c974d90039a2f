#!/usr/bin/env node
/**
 * `npm run bench`: how long the commands a platform engineer runs take, as the median of N runs
 * (BENCH_RUNS, default 3). Targets are checked here, never in tests. Prints a Markdown table;
 * with `--write` it also writes docs/benchmarks.md.
 *
 *   BENCH_RUNS=5 npm run bench        more runs
 *   BENCH_SKIP_TESTS=1 npm run bench  leave out `npm test` (the slowest row)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchManifests } from '../cdk8s/bench';
import { manifestBenchTable } from './bench-manifests';

const ROOT = path.join(__dirname, '..');
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));

interface Case {
  readonly key: string;
  readonly label: string;
  readonly command: string;
  readonly env?: Record<string, string>;
}

/** The reference: `cdk init`'s default app command, ts-node with type-checking, same app, same gates. */
function referenceProject(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'tsconfig.json');
  fs.writeFileSync(file, JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), 'ts-node': { swc: false, transpileOnly: false } }));
  return file;
}

function cases(): Case[] {
  const out = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));
  const ref = referenceProject();
  const list: Case[] = [
    {
      key: 'direct-on',
      label: 'app synth, direct (all stages, gates on, CFN validator on)',
      command: 'node -r ts-node/register bin/app.ts',
      env: { CDK_OUTDIR: out() },
    },
    {
      key: 'direct-off',
      label: 'app synth, direct (gates on, CFN validator off)',
      command: 'node -r ts-node/register bin/app.ts',
      env: { CDK_OUTDIR: out(), CDK_VALIDATION: 'false' },
    },
    { key: 'cli-on', label: "`npx cdk synth '**'` (CFN validator on)", command: `npx cdk synth '**' -q -o ${out()}` },
    { key: 'cli-off', label: "`npx cdk synth '**' --no-validation`", command: `npx cdk synth '**' -q --no-validation -o ${out()}` },
    {
      key: 'ref-on',
      label: 'reference: ts-node with type-checking (CFN validator on)',
      command: 'npx ts-node --prefer-ts-exts bin/app.ts',
      env: { TS_NODE_PROJECT: ref, CDK_OUTDIR: out() },
    },
    {
      key: 'ref-off',
      label: 'reference: ts-node with type-checking (CFN validator off)',
      command: 'npx ts-node --prefer-ts-exts bin/app.ts',
      env: { TS_NODE_PROJECT: ref, CDK_OUTDIR: out(), CDK_VALIDATION: 'false' },
    },
    { key: 'cdk8s', label: '`cdk8s synth` (all environments)', command: `npx cdk8s synth --check-upgrade=false -o ${out()}` },
  ];
  if (!process.env.BENCH_SKIP_TESTS)
    list.push({ key: 'test', label: '`npm test` (lint, type-check, jest + coverage)', command: 'npm test --silent' });
  return list;
}

function time(c: Case): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(c.command, {
    cwd: ROOT,
    shell: true,
    env: { ...process.env, ...c.env, CDK_DISABLE_VERSION_CHECK: 'true' },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${c.command} failed (exit ${result.status}):\n${(result.stderr || result.stdout).slice(-2000)}`);
  }
  return seconds;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const results = new Map<string, number>();
  const rows: string[] = [];
  for (const c of cases()) {
    time(c); // warm-up: file-system cache, npx resolution
    const samples = Array.from({ length: RUNS }, () => time(c));
    results.set(c.key, median(samples));
    rows.push(`| ${c.label} | ${median(samples).toFixed(2)} s | ${samples.map((s) => s.toFixed(2)).join(', ')} |`);
    process.stderr.write(`${c.label}: ${median(samples).toFixed(2)} s\n`);
  }
  const get = (k: string) => results.get(k)!;
  const ratio = (ref: string, cli: string) => get(ref) / get(cli);
  const check = (ok: boolean) => (ok ? 'met' : '**missed**');
  const targets = [
    `| direct synth (validator on) <= 5 s | ${get('direct-on').toFixed(2)} s | ${check(get('direct-on') <= 5)} |`,
    `| \`npx cdk synth\` (validator on) <= 8 s | ${get('cli-on').toFixed(2)} s | ${check(get('cli-on') <= 8)} |`,
    `| \`npx cdk synth\` >= 3x faster than reference, validator off on both | ${ratio('ref-off', 'cli-off').toFixed(1)}x | ${check(ratio('ref-off', 'cli-off') >= 3)} |`,
    `| \`npx cdk synth\` >= 3x faster than reference, validator on on both | ${ratio('ref-on', 'cli-on').toFixed(1)}x | ${check(ratio('ref-on', 'cli-on') >= 3)} |`,
  ];
  // In-process cdk8s synth at 5, 20 and 50 generated services (the workloads targets).
  const manifests = manifestBenchTable(benchManifests([5, 20, 50], RUNS));
  process.stderr.write('cdk8s scaling: done\n');
  const table = [
    `Median of ${RUNS} runs after one warm-up, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| command | median | runs |',
    '|---|---|---|',
    ...rows,
    '',
    '| target | measured | |',
    '|---|---|---|',
    ...targets,
    '',
    manifests,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (process.argv.includes('--write')) {
    const doc = path.join(ROOT, 'docs', 'benchmarks.md');
    fs.writeFileSync(doc, `# Benchmarks\n\nWritten by \`npm run bench -- --write\`; numbers from the machine that ran it.\n\n${table}\n`);
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
