import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main as appMain } from '../../bin/app';
import { unsupportedNode, supportedNode } from '../../bin/node-version';
import { quiet, summary } from '../../bin/synth';

describe('npm run synth output (bin/synth.ts)', () => {
  test('the CLI noise is left out; problems and colours of other lines pass through', () => {
    // GIVEN what `cdk synth '**' --quiet` prints after a successful multi-stage synth
    const output = [
      'Bundling asset Dev/Data/Database/Users/Handler/Resource/Code/Stage...',
      '\u001b[32mSupply a stack id (\u001b[32mDev/Network\u001b[39m, \u001b[32mDev/Data\u001b[39m) to display its template.\u001b[39m',
      'Successfully synthesized to /work/repo/cdk.out',
      'Synthesizing application',
      '  - dist/dev/0000-platform.k8s.yaml',
      '[Warning at /Dev/Data] something the user must see',
    ].join('\n');
    // THEN only the warning is left
    expect(quiet(output)).toBe('[Warning at /Dev/Data] something the user must see');
  });

  test('the summary counts the stacks per stage and names the environments and the review command', () => {
    // GIVEN a cloud assembly with two stages and a manifests directory with two environments
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
    const out = path.join(root, 'cdk.out');
    const write = (file: string, value: unknown) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(value));
    };
    const stage = (n: number) => ({
      artifacts: Object.fromEntries(Array.from({ length: n }, (_, i) => [`S${i}`, { type: 'aws:cloudformation:stack' }])),
    });
    write(path.join(out, 'manifest.json'), {
      artifacts: {
        'assembly-Dev': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Dev' } },
        'assembly-Tooling': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Tooling' } },
        Tree: { type: 'cdk:tree' },
      },
    });
    write(path.join(out, 'assembly-Dev', 'manifest.json'), stage(3));
    write(path.join(out, 'assembly-Tooling', 'manifest.json'), stage(2));
    for (const env of ['dev', 'prod']) fs.mkdirSync(path.join(root, 'dist', env), { recursive: true });
    // THEN three lines: what was synthesized, what was written, what to run next
    const [stacks, manifests, next] = summary(out, path.join(root, 'dist'));
    expect(stacks).toMatch(
      /^Synthesized 5 stacks in 2 stages \(Dev 3, Tooling 2\) to .*cdk\.out\/: cdk-nag, platform checks and the CloudFormation validator passed\.$/,
    );
    expect(manifests).toMatch(/^Wrote the Kubernetes manifests of dev, prod to .*dist\/\.$/);
    expect(next).toBe('What would this change? npm run review -- --base origin/main (offline, no credentials).');
  });
});

describe('Node versions', () => {
  test.each(['v20.19.0', 'v20.20.2', 'v22.13.0', 'v24.1.0'])('%s is supported', (version) => {
    expect(unsupportedNode(version)).toBeUndefined();
  });

  // 22.12: a lint dependency (eslint-visitor-keys) needs 22.13; 21 and 23 are not LTS lines
  test.each(['v18.20.4', 'v20.11.1', 'v21.7.3', 'v22.12.0', 'v23.11.0', 'v25.0.0'])(
    '%s fails with one line naming the supported range',
    (version) => {
      expect(unsupportedNode(version)).toBe(
        `Node ${version} is not supported; use a Node version in ${supportedNode()} (package.json engines)`,
      );
    },
  );

  test('the app stops on an unsupported Node before reading any config: one line, exit code 1', () => {
    const lines: string[] = [];
    expect(appMain({}, (l) => lines.push(l), 'v18.20.4')).toBe(1);
    expect(lines).toEqual([unsupportedNode('v18.20.4')]);
  });
});
