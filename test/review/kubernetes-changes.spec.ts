import { compareManifests } from '../../lib/review/kubernetes-changes';
import { KubeDocument } from '../../lib/review/model';

const deployment = (image: string, replicas = 2): KubeDocument => ({
  file: '0003-orders.k8s.yaml',
  object: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'orders', namespace: 'shop' },
    spec: { replicas, template: { spec: { containers: [{ name: 'app', image }] } } },
  },
});
const namespace = (name: string): KubeDocument => ({
  file: '0000-platform.k8s.yaml',
  object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
});

describe('compareManifests', () => {
  test('added, changed (with the fields) and removed objects per environment, by kind, namespace and name', () => {
    // GIVEN
    const base = new Map([['dev', [deployment('orders:1'), namespace('old')]]]);
    const head = new Map([['dev', [deployment('orders:2', 3), namespace('new')]]]);
    // WHEN / THEN
    expect(compareManifests(base, head)).toEqual([
      {
        environment: 'dev',
        changes: [
          { change: 'removed', kind: 'Namespace', apiVersion: 'v1', name: 'old', file: '0000-platform.k8s.yaml', fields: [] },
          {
            change: 'changed',
            kind: 'Deployment',
            apiVersion: 'apps/v1',
            namespace: 'shop',
            name: 'orders',
            file: '0003-orders.k8s.yaml',
            fields: ['spec.replicas', 'spec.template.spec.containers[0].image'],
          },
          { change: 'added', kind: 'Namespace', apiVersion: 'v1', name: 'new', file: '0000-platform.k8s.yaml', fields: [] },
        ],
      },
    ]);
  });

  test('a new API version of the same object is a change, not a removal and an addition', () => {
    const hpa = (apiVersion: string): KubeDocument => ({
      file: 'a.k8s.yaml',
      object: { apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'n' } },
    });
    expect(
      compareManifests(new Map([['dev', [hpa('autoscaling/v1')]]]), new Map([['dev', [hpa('autoscaling/v2')]]]))[0].changes.map((c) => [
        c.change,
        c.fields,
      ]),
    ).toEqual([['changed', ['apiVersion']]]);
  });

  test('an environment only one side has: everything added or removed; unchanged environments are listed empty', () => {
    const result = compareManifests(
      new Map([
        ['dev', [namespace('a')]],
        ['prod', [namespace('a')]],
      ]),
      new Map([
        ['prod', [namespace('a')]],
        ['staging', [namespace('a')]],
      ]),
    );
    expect(result.map((e) => [e.environment, e.changes.map((c) => c.change)])).toEqual([
      ['dev', ['removed']],
      ['prod', []],
      ['staging', ['added']],
    ]);
  });

  test('an object without a name is told apart by its position', () => {
    const unnamed: KubeDocument = { file: 'x.k8s.yaml', object: { kind: 'List' } };
    expect(compareManifests(new Map(), new Map([['dev', [unnamed]]]))[0].changes[0].name).toBe('(unnamed #0 in x.k8s.yaml)');
  });
});
