import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readAssembly, readManifests } from '../../bin/review-inputs';
import { cliContext, removeWorktree } from '../../bin/review-synth';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'review-inputs-'));

describe('readAssembly', () => {
  test('a stack without display name, stack name or environment is named by its artifact ID', () => {
    // GIVEN a hand-made assembly with the fewest fields
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 't.json'), '{"Resources":{}}');
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ artifacts: { Legacy: { type: 'aws:cloudformation:stack', properties: { templateFile: 't.json' } } } }),
    );
    // WHEN / THEN
    expect(readAssembly(dir)).toEqual([
      { displayName: 'Legacy', stackName: 'Legacy', account: 'unknown-account', region: 'unknown-region', template: { Resources: {} } },
    ]);
  });
});

describe('readManifests', () => {
  test('a folder of environments, or one environment when it holds manifests itself', () => {
    const dist = tmp();
    fs.mkdirSync(path.join(dist, 'dev'));
    fs.writeFileSync(
      path.join(dist, 'dev', '0000-platform.k8s.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n',
    );
    fs.writeFileSync(path.join(dist, 'dev', 'notes.txt'), 'not a manifest');
    expect([...readManifests(dist).entries()].map(([env, docs]) => [env, docs.map((d) => d.object.metadata)])).toEqual([
      ['dev', [{ name: 'a' }, { name: 'b' }]],
    ]);
    expect([...readManifests(path.join(dist, 'dev')).keys()]).toEqual(['dev']);
  });
});

describe('cliContext', () => {
  test("cdk.json's context, cdk.context.json's, and the metadata the CLI turns on", () => {
    const checkout = tmp();
    fs.writeFileSync(
      path.join(checkout, 'cdk.json'),
      JSON.stringify({ app: 'x', context: { '@aws-cdk/core:flag': true, shared: 'cdk.json' } }),
    );
    fs.writeFileSync(path.join(checkout, 'cdk.context.json'), JSON.stringify({ shared: 'cdk.context.json' }));
    expect(cliContext(checkout)).toEqual({
      '@aws-cdk/core:flag': true,
      shared: 'cdk.context.json',
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
    });
  });
});

test('removeWorktree also removes a folder git does not know as a worktree', () => {
  const repo = tmp();
  const dir = tmp();
  removeWorktree(repo, dir);
  expect(fs.existsSync(dir)).toBe(false);
});
