import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { main } from '../../bin/manifests';
import { PLATFORM_NAMESPACES, PlatformChart } from '../../cdk8s/charts/platform-chart';
import { synthManifests } from '../../cdk8s/main';
import { dev, ENVIRONMENTS } from '../../lib/config/environments';
import { EnvironmentConfig } from '../../lib/config/types';
import { withValue } from '../helpers';

const synth = (config: EnvironmentConfig) => Testing.synth(new PlatformChart(Testing.app(), 'platform', { config }));

describe('PlatformChart', () => {
  test.each(ENVIRONMENTS.map((c) => [c.name, c] as [string, EnvironmentConfig]))(
    '%s: every namespace enforces Pod Security "restricted" at the cluster version',
    (_name, config) => {
      const docs = synth(config);
      expect(docs.map((d) => d.metadata.name)).toEqual([...PLATFORM_NAMESPACES, ...config.kubernetes.workloadNamespaces]);
      for (const doc of docs) {
        expect(doc).toMatchObject({ apiVersion: 'v1', kind: 'Namespace' });
        expect(doc.metadata.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': `v${config.kubernetes.version}`,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'platform.example.com/environment': config.name,
          'app.kubernetes.io/part-of': 'saas-platform',
        });
      }
    },
  );

  test('workload namespaces come from config', () => {
    const docs = synth(withValue(dev, 'kubernetes.workloadNamespaces', ['payments', 'identity']));
    expect(docs.map((d) => d.metadata.name)).toEqual([...PLATFORM_NAMESPACES, 'payments', 'identity']);
  });

  test.each(ENVIRONMENTS.map((c) => c.name))('%s: manifest snapshot (tripwire)', (name) => {
    expect(synth(ENVIRONMENTS.find((c) => c.name === name)!)).toMatchSnapshot();
  });
});

describe('manifest synthesis', () => {
  test('writes dist/<env>/platform.k8s.yaml for every environment', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-'));
    const dirs = synthManifests(ENVIRONMENTS, out);
    expect(dirs).toEqual(ENVIRONMENTS.map((c) => path.join(out, c.name)));
    for (const dir of dirs) expect(fs.readdirSync(dir)).toEqual(['platform.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'prod', 'platform.k8s.yaml'), 'utf8')).toContain(
      'pod-security.kubernetes.io/enforce: restricted',
    );
  });

  test('bad config: every problem printed, exit code 1, no manifests written', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-'));
    const file = path.join(out, 'config.json');
    fs.writeFileSync(file, JSON.stringify([withValue(dev, 'kubernetes.version', '1.20')]));
    const lines: string[] = [];
    const code = main({ PLATFORM_CONFIG_FILE: file, CDK8S_OUTDIR: path.join(out, 'dist') }, (l) => lines.push(l));
    expect(code).toBe(1);
    expect(lines).toEqual([
      'Configuration has 1 problem(s); no manifests were written:\ndev.kubernetes.version: "1.20" is not allowed; use one of 1.34, 1.35, 1.36, 1.37',
    ]);
    expect(fs.existsSync(path.join(out, 'dist'))).toBe(false);
  });

  test('good config: exit code 0 and files in CDK8S_OUTDIR', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-'));
    expect(main({ CDK8S_OUTDIR: out }, () => {})).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['dev', 'prod', 'staging']);
  });
});
