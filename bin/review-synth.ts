/**
 * How `npm run review -- --base <ref>` gets its two sides: the ref checked out in a temporary git
 * worktree (sharing the repository's node_modules through a symlink, so nothing is downloaded), and
 * the working tree. Each side is synthesized with its own entry points: the `app` command of its
 * cdk.json (the CDK app; built-in CloudFormation validator off) and the `app` of its cdk8s.yaml
 * (`synthManifests`), as the CDK CLI would run them, offline.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readYamlFile } from './yaml-documents';
import { ReviewInputError } from './review-inputs';

/** Where one side's synthesis wrote. */
export interface SynthesizedSide {
  /** The cloud assembly (cdk.out). */
  readonly assembly: string;
  /** The manifests folder (dist/), when the checkout has a cdk8s.yaml. */
  readonly manifests?: string;
}

function git(repo: string, args: readonly string[]): { ok: boolean; out: string; err: string } {
  const result = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  return { ok: result.status === 0, out: (result.stdout ?? '').trim(), err: (result.stderr ?? '').trim() };
}

/** The commit `ref` names; a `ReviewInputError` when it names none. */
export function resolveCommit(repo: string, ref: string): string {
  const result = git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!result.ok)
    throw new ReviewInputError(
      `--base: ${JSON.stringify(ref)} is not a commit of ${repo}; give a branch, tag or commit (fetch it first in a shallow clone)`,
    );
  return result.out;
}

/** Let a checkout in `dir` use the repository's node_modules (nothing is installed or downloaded). */
function linkNodeModules(repo: string, dir: string): void {
  const modules = path.join(repo, 'node_modules');
  if (fs.existsSync(modules) && !fs.existsSync(path.join(dir, 'node_modules')))
    fs.symlinkSync(modules, path.join(dir, 'node_modules'), 'dir');
}

/** Check `commit` out into `dir` as a detached worktree that uses the repository's node_modules. */
export function addWorktree(repo: string, commit: string, dir: string): void {
  git(repo, ['worktree', 'prune']);
  const added = git(repo, ['worktree', 'add', '--detach', '--quiet', dir, commit]);
  if (!added.ok) throw new ReviewInputError(`--base: git worktree add failed: ${added.err.split('\n')[0]}`);
  linkNodeModules(repo, dir);
}

/**
 * Copy the working tree (tracked and untracked files, not what git ignores) into `dir`, which then
 * uses the repository's node_modules like the base worktree. Both sides then sit at the same place
 * relative to node_modules: Lambda bundles carry source maps with relative paths, and any other
 * layout would change every bundle's hash.
 */
export function copyWorkingTree(repo: string, dir: string): void {
  const listed = spawnSync('git', ['-C', repo, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' });
  if (listed.status !== 0) throw new ReviewInputError(`${repo} is not a git working tree`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const from = path.join(repo, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.cpSync(from, path.join(dir, file), { verbatimSymlinks: true });
  }
  linkNodeModules(repo, dir);
}

/** Remove a worktree made by `addWorktree` (its files and git's record of it). */
export function removeWorktree(repo: string, dir: string): void {
  if (!git(repo, ['worktree', 'remove', '--force', dir]).ok) {
    fs.rmSync(dir, { recursive: true, force: true });
    git(repo, ['worktree', 'prune']);
  }
}

/** Run a shell command (an app command from cdk.json or cdk8s.yaml); resolves with its exit code and stderr. */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** The context the CDK CLI gives an app: cdk.json's, cdk.context.json's, and path metadata on. */
export function cliContext(checkout: string): Record<string, unknown> {
  const read = (file: string) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});
  return {
    ...(read(path.join(checkout, 'cdk.json')).context ?? {}),
    ...read(path.join(checkout, 'cdk.context.json')),
    // `aws:cdk:path` metadata names each resource's construct path in the review.
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
  };
}

const messageOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Bundling asset') && !/^at /.test(l))
    .slice(0, 4)
    .join(' / ');

/**
 * Synthesize the checkout in `checkout` into `outdir` (cdk.out/ and dist/ below it). `label` names
 * the side in messages (`the base (origin/main)`, `the working tree`).
 */
export async function synthesizeCheckout(
  checkout: string,
  outdir: string,
  label: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SynthesizedSide> {
  const cdkJson = path.join(checkout, 'cdk.json');
  if (!fs.existsSync(cdkJson)) throw new ReviewInputError(`${label} has no cdk.json; nothing to synthesize`);
  const app = JSON.parse(fs.readFileSync(cdkJson, 'utf8')).app;
  if (typeof app !== 'string') throw new ReviewInputError(`${label}: cdk.json has no "app" command`);
  const assembly = path.join(outdir, 'cdk.out');
  const cdk8sYaml = path.join(checkout, 'cdk8s.yaml');
  const manifestApp = fs.existsSync(cdk8sYaml) ? (readYamlFile(cdk8sYaml)[0] as { app?: unknown }).app : undefined;
  const manifests = typeof manifestApp === 'string' ? path.join(outdir, 'dist') : undefined;
  const base = { ...env, CDK_DISABLE_VERSION_CHECK: 'true' };
  const jobs = [
    run(app, checkout, {
      ...base,
      CDK_OUTDIR: assembly,
      CDK_CONTEXT_JSON: JSON.stringify(cliContext(checkout)),
      CDK_VALIDATION: 'false',
    }).then((r) => ({ ...r, what: 'the CDK app' })),
    ...(manifests
      ? [run(manifestApp as string, checkout, { ...base, CDK8S_OUTDIR: manifests }).then((r) => ({ ...r, what: 'the manifests' }))]
      : []),
  ];
  for (const result of await Promise.all(jobs)) {
    if (result.code !== 0)
      throw new ReviewInputError(
        `${label}: ${result.what} did not synthesize (exit ${result.code}): ${messageOf(result.stderr) || 'no message'}`,
      );
  }
  return { assembly, ...(manifests ? { manifests } : {}) };
}
