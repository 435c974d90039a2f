import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALLOW_LIST_FILE, USAGE, main } from '../../bin/review';
import { CfnTemplate } from '../../lib/review/model';

const tmp = (prefix = 'review-cli-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const bucket = (id: string) => ({ [id]: { Type: 'AWS::S3::Bucket', Metadata: { 'aws:cdk:path': `Dev/Data/${id}/Resource` } } });

/** A cloud assembly as `cdk synth` lays it out: a top manifest, one nested assembly per stage. */
function writeAssembly(dir: string, templates: Record<string, CfnTemplate>): string {
  fs.mkdirSync(path.join(dir, 'assembly-Dev'), { recursive: true });
  const artifacts = Object.fromEntries(
    Object.entries(templates).map(([name, template]) => {
      fs.writeFileSync(path.join(dir, 'assembly-Dev', `Dev${name}.template.json`), JSON.stringify(template));
      const artifact = {
        type: 'aws:cloudformation:stack',
        environment: 'aws://111111111111/eu-west-1',
        displayName: `Dev/${name}`,
        properties: { templateFile: `Dev${name}.template.json`, stackName: `Dev-${name}` },
      };
      return [`Dev${name}`, artifact];
    }),
  );
  fs.writeFileSync(path.join(dir, 'assembly-Dev', 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  const stage = { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Dev', displayName: 'Dev' } };
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ version: '55.0.0', artifacts: { 'assembly-Dev': stage, Tree: { type: 'cdk:tree' } } }),
  );
  return dir;
}

function writeManifests(dir: string, image: string): string {
  fs.mkdirSync(path.join(dir, 'dev'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'dev', '0003-orders.k8s.yaml'),
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  namespace: shop\nspec:\n  image: ${image}\n`,
  );
  return dir;
}

async function run(argv: string[], root = tmp()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (l) => err.push(l), root });
  return { code, out: out.join(''), err };
}

describe('usage', () => {
  test('--help prints the usage and exits 0', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, out: USAGE, err: [] });
    expect(USAGE).toContain('Exit codes: 0 passed, 1 the guard failed, 2 wrong usage or an input that cannot be read or synthesized.');
  });

  test.each([
    [[], 'review: give --base <git-ref>, or --base-assembly <dir> and --head-assembly <dir>; see --help'],
    [['--base'], 'review: --base needs a value; see --help'],
    [['--base', '--markdown', 'x'], 'review: --base needs a value; see --help'],
    [['--nope'], 'review: unknown option --nope; see --help'],
    [['main'], 'review: unexpected argument "main"; see --help'],
    [['--base', 'a', '--base=b'], 'review: --base is given twice'],
    [
      ['--base', 'a', '--base-assembly', 'b'],
      'review: --base synthesizes both sides itself; do not combine it with --base-assembly/--head-assembly',
    ],
    [
      ['--base', 'a', '--base-manifests', 'b'],
      'review: --base synthesizes the manifests itself; --base-manifests/--head-manifests go with --base-assembly',
    ],
    [['--base-assembly', 'a'], 'review: --base-assembly and --head-assembly go together'],
    [
      ['--base-assembly', 'a', '--head-assembly', 'b', '--head-manifests', 'c'],
      'review: --base-manifests and --head-manifests go together',
    ],
  ])('%j: exit 2 with one line', async (argv, line) => {
    expect(await run(argv)).toEqual({ code: 2, out: '', err: [line] });
  });
});

describe('--base-assembly / --head-assembly', () => {
  const base = writeAssembly(tmp(), { Data: { Resources: bucket('Uploads') } });
  const head = writeAssembly(tmp(), { Data: { Resources: bucket('UploadsV2') } });
  const unchanged = writeAssembly(tmp(), { Data: { Resources: bucket('Uploads') } });

  test('a removed bucket fails the guard: exit 1, the report on stdout, Markdown written', async () => {
    // GIVEN two assemblies and manifests
    const markdown = path.join(tmp(), 'out', 'review.md');
    const argv = ['--base-assembly', base, '--head-assembly', head, '--markdown', markdown];
    const manifests = ['--base-manifests', writeManifests(tmp(), 'orders:1'), '--head-manifests', writeManifests(tmp(), 'orders:2')];
    // WHEN
    const result = await run([...argv, ...manifests]);
    // THEN
    expect(result.code).toBe(1);
    expect(result.out).toContain('BLOCKED Dev/Data Uploads (AWS::S3::Bucket) removed at Dev/Data/Uploads/Resource');
    expect(result.out).toContain('    [~] Deployment shop/orders  spec.image');
    expect(fs.readFileSync(markdown, 'utf8')).toMatch(/^## Infrastructure review: \*\*blocked\*\*/);
  });

  test('no change passes: exit 0', async () => {
    const result = await run(['--base-assembly', base, '--head-assembly', unchanged]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Guard: passed');
  });

  test('the allow-list at the repository root lets a reviewed removal through: exit 0', async () => {
    const root = tmp();
    const entry = { stack: 'Dev/Data', logicalId: 'Uploads', reason: 'moved to UploadsV2 with replication', approvedBy: 'ops@example.com' };
    fs.writeFileSync(path.join(root, ALLOW_LIST_FILE), JSON.stringify({ allow: [entry] }));
    const result = await run(['--base-assembly', base, '--head-assembly', head], root);
    expect(result.code).toBe(0);
    expect(result.out).toContain('allowed by review-allow.json: moved to UploadsV2 with replication (approved by ops@example.com)');
  });

  test.each([
    ['an allow-list with problems: one line each', () => ({ allow: [{ stack: 'Dev/Data' }] }), 3],
    ['an allow-list that is not JSON', () => '{', 1],
  ])('%s, exit 2', async (_, content, lines) => {
    const file = path.join(tmp(), 'allow.json');
    const value = content();
    fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    const result = await run(['--base-assembly', base, '--head-assembly', head, '--allow-list', file]);
    expect(result.code).toBe(2);
    expect(result.err.join('\n').split('\n')).toHaveLength(lines);
    expect(result.err[0]).toMatch(/^review: .*allow\.json: /);
  });

  test.each([
    [
      ['--base-assembly', '/nope', '--head-assembly', 'x'],
      'review: --base-assembly: /nope is not a cloud assembly (no manifest.json); give a cdk.out folder',
    ],
    [['--allow-list', '/nope.json'], 'review: --allow-list: /nope.json does not exist'],
    [
      ['--base-manifests', '/nope', '--head-manifests', '/nope'],
      'review: --base-manifests: /nope is not a folder; give the manifests folder (dist/)',
    ],
  ])('%j: exit 2 with one line', async (extra, line) => {
    const argv = extra[0] === '--base-assembly' ? extra : ['--base-assembly', base, '--head-assembly', head, ...extra];
    expect(await run(argv)).toEqual({ code: 2, out: '', err: [line] });
  });

  test('a broken template file is one line, exit 2', async () => {
    const broken = writeAssembly(tmp(), { Data: { Resources: {} } });
    fs.writeFileSync(path.join(broken, 'assembly-Dev', 'DevData.template.json'), '{');
    const result = await run(['--base-assembly', base, '--head-assembly', broken]);
    expect(result.code).toBe(2);
    expect(result.err).toEqual([expect.stringMatching(/^review: --head-assembly: cannot read .*DevData\.template\.json \(/)]);
  });
});

describe('--base <git-ref>: a worktree of the ref and the working tree, each synthesized with its own cdk.json and cdk8s.yaml', () => {
  // GIVEN a repository whose "app" writes one bucket, named from the app file, and whose manifests
  // app writes one ConfigMap; the apps check what the review promises them (node_modules shared,
  // validator off, path metadata on)
  const synthApp = (bucketId: string) => `
const fs = require('fs'), path = require('path');
if (!fs.existsSync('node_modules')) { console.error('no node_modules'); process.exit(3); }
if (process.env.CDK_VALIDATION !== 'false') { console.error('validator on'); process.exit(4); }
if (!JSON.parse(process.env.CDK_CONTEXT_JSON)['aws:cdk:enable-path-metadata']) { console.error('no path metadata'); process.exit(5); }
if (!path.isAbsolute(process.env.PLATFORM_CONFIG_FILE)) { console.error('relative config file'); process.exit(6); }
const out = process.env.CDK_OUTDIR;
fs.mkdirSync(path.join(out, 'assembly-Dev'), { recursive: true });
const stage = { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Dev', displayName: 'Dev' } };
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ artifacts: { 'assembly-Dev': stage } }));
const stack = { type: 'aws:cloudformation:stack', environment: 'aws://111111111111/eu-west-1', displayName: 'Dev/Data', properties: { templateFile: 't.json', stackName: 'Dev-Data' } };
fs.writeFileSync(path.join(out, 'assembly-Dev', 'manifest.json'), JSON.stringify({ artifacts: { DevData: stack } }));
fs.writeFileSync(path.join(out, 'assembly-Dev', 't.json'), JSON.stringify({ Resources: { ${bucketId}: { Type: 'AWS::S3::Bucket', Metadata: { 'aws:cdk:path': 'Dev/Data/${bucketId}/Resource' } } } }));
`;
  const manifestsApp = (value: string) => `
const fs = require('fs'), path = require('path');
fs.mkdirSync(path.join(process.env.CDK8S_OUTDIR, 'dev'), { recursive: true });
fs.writeFileSync(path.join(process.env.CDK8S_OUTDIR, 'dev', '0000-platform.k8s.yaml'), 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: settings\\ndata:\\n  value: ${value}\\n');
`;
  const git = (repo: string, ...args: string[]) =>
    spawnSync('git', ['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { encoding: 'utf8' });
  let repo: string;
  beforeAll(() => {
    repo = tmp('review-repo-');
    git(repo, 'init', '-q');
    fs.writeFileSync(path.join(repo, 'cdk.json'), JSON.stringify({ app: 'node synth.js', context: { flag: true } }));
    fs.writeFileSync(path.join(repo, 'cdk8s.yaml'), 'app: node manifests.js\n');
    fs.writeFileSync(path.join(repo, 'synth.js'), 'process.exit(9)');
    fs.writeFileSync(path.join(repo, 'notes.txt'), 'first');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'an app that does not synthesize');
    fs.writeFileSync(path.join(repo, 'synth.js'), synthApp('Uploads'));
    fs.writeFileSync(path.join(repo, 'manifests.js'), manifestsApp('one'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'one bucket');
    fs.mkdirSync(path.join(repo, 'node_modules'));
    fs.writeFileSync(path.join(repo, '.gitignore'), 'node_modules/\ncdk.out/\ndist/\n');
    // the working tree: the bucket renamed, the setting changed, a tracked file deleted (not committed)
    fs.writeFileSync(path.join(repo, 'synth.js'), synthApp('UploadsRenamed'));
    fs.writeFileSync(path.join(repo, 'manifests.js'), manifestsApp('two'));
    fs.rmSync(path.join(repo, 'notes.txt'));
  });

  test('compares the ref with the working tree (uncommitted changes included) and cleans up', async () => {
    // WHEN (a config file named relative to the caller's folder still reaches the apps)
    process.env.PLATFORM_CONFIG_FILE = 'config.json';
    const result = await run(['--base', 'HEAD'], repo).finally(() => delete process.env.PLATFORM_CONFIG_FILE);
    // THEN
    expect(result.err).toEqual([expect.stringMatching(/^review: synthesizing the base HEAD \([0-9a-f]{7}\) and the working tree/)]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^Review: base HEAD \([0-9a-f]{7}\) -> head working tree/);
    expect(result.out).toContain('BLOCKED Dev/Data Uploads (AWS::S3::Bucket) removed at Dev/Data/Uploads/Resource');
    expect(result.out).toContain('  dev: 0 added, 1 changed, 0 removed\n    [~] ConfigMap settings  data.value');
    // the temporary worktree is gone from git's list
    expect(git(repo, 'worktree', 'list').stdout.trim().split('\n')).toHaveLength(1);
  });

  test('a ref that names no commit: exit 2, one line', async () => {
    const result = await run(['--base', 'no-such-branch'], repo);
    expect(result).toEqual({
      code: 2,
      out: '',
      err: [
        `review: --base: "no-such-branch" is not a commit of ${repo}; give a branch, tag or commit (fetch it first in a shallow clone)`,
      ],
    });
  });

  test('a base that does not synthesize: exit 2, one line naming the side', async () => {
    const result = await run(['--base', 'HEAD~1'], repo);
    expect(result.code).toBe(2);
    expect(result.err.at(-1)).toMatch(/^review: the base HEAD~1 \([0-9a-f]{7}\): the CDK app did not synthesize \(exit 9\): no message$/);
    expect(git(repo, 'worktree', 'list').stdout.trim().split('\n')).toHaveLength(1);
  });
});
