import { KubeDocument } from '../../cdk8s/policies';
import { allowed, inCidr, selects } from './network-policy';

/** The evaluator the contract tests trust: each rule of NetworkPolicy semantics, allowed and refused. */
const pod = { namespace: 'apps', labels: { 'app.kubernetes.io/name': 'api' }, namedPorts: { http: 8080 } };
const peerPod = { namespace: 'apps', labels: { 'app.kubernetes.io/name': 'db-client' }, namedPorts: { http: 9000 } };
const policy = (spec: Record<string, unknown>, namespace = 'apps'): KubeDocument => ({
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace },
  spec: { podSelector: {}, ...spec },
});
const denyAll = policy({ policyTypes: ['Ingress', 'Egress'] });

describe('NetworkPolicy evaluation', () => {
  test('a pod no policy selects may connect anywhere; a selected pod with no rule may not', () => {
    expect(allowed([], 'egress', pod, { ip: '1.2.3.4' }, { port: 443 })).toBe(true);
    expect(allowed([policy({ policyTypes: ['Egress'] }, 'other')], 'egress', pod, { ip: '1.2.3.4' }, { port: 443 })).toBe(true);
    expect(allowed([denyAll], 'egress', pod, { ip: '1.2.3.4' }, { port: 443 })).toBe(false);
    // a policy that lists only Ingress does not isolate egress
    expect(allowed([policy({ policyTypes: ['Ingress'] })], 'egress', pod, { ip: '1.2.3.4' }, { port: 443 })).toBe(true);
  });

  test('ipBlock: inside the CIDR and outside every except; ports and protocol must match', () => {
    const docs = [
      denyAll,
      policy({
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
      }),
    ];
    expect(allowed(docs, 'egress', pod, { ip: '10.0.4.9' }, { port: 5432 })).toBe(true);
    expect(allowed(docs, 'egress', pod, { ip: '10.0.5.9' }, { port: 5432 })).toBe(false);
    expect(allowed(docs, 'egress', pod, { ip: '10.1.0.1' }, { port: 5432 })).toBe(false);
    expect(allowed(docs, 'egress', pod, { ip: '10.0.4.9' }, { port: 5433 })).toBe(false);
    expect(allowed(docs, 'egress', pod, { ip: '10.0.4.9' }, { port: 5432, protocol: 'UDP' })).toBe(false);
  });

  test('no `to` admits every peer, no `ports` every port', () => {
    expect(
      allowed(
        [denyAll, policy({ policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
        'egress',
        pod,
        { ip: '8.8.8.8' },
        { port: 53, protocol: 'UDP' },
      ),
    ).toBe(true);
    expect(
      allowed(
        [denyAll, policy({ policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '8.8.8.8/32' } }] }] })],
        'egress',
        pod,
        { ip: '8.8.8.8' },
        { port: 1 },
      ),
    ).toBe(true);
  });

  test('pod peers: the namespace selector (or the policy namespace) and the pod selector; named ports resolve on the destination', () => {
    const toClient = policy({
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'db-client' } },
            },
          ],
          ports: [{ port: 'http' }],
        },
      ],
    });
    expect(allowed([denyAll, toClient], 'egress', pod, { pod: peerPod }, { port: 9000 })).toBe(true);
    expect(allowed([denyAll, toClient], 'egress', pod, { pod: peerPod }, { port: 8080 })).toBe(false);
    expect(allowed([denyAll, toClient], 'egress', pod, { pod: { ...peerPod, namespace: 'other' } }, { port: 9000 })).toBe(false);
    expect(allowed([denyAll, toClient], 'egress', pod, { ip: '10.0.0.1' }, { port: 9000 })).toBe(false);
  });

  test("ingress: the destination pod's own policies decide, named ports resolve on it", () => {
    const docs = [
      denyAll,
      policy({ policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/22' } }], ports: [{ port: 'http' }] }] }),
    ];
    expect(allowed(docs, 'ingress', pod, { ip: '10.0.1.1' }, { port: 8080 })).toBe(true);
    expect(allowed(docs, 'ingress', pod, { ip: '10.0.8.1' }, { port: 8080 })).toBe(false);
  });

  test('selectors: matchLabels and matchExpressions; an unknown operator or peer field is an error, never ignored', () => {
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, { a: '1' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '1' })).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, {})).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, {})).toBe(true);
    expect(() => selects({ matchExpressions: [{ key: 'a', operator: 'Gt' }] }, {})).toThrow('selector operator Gt is not understood');
    const odd = policy({ policyTypes: ['Egress'], egress: [{ to: [{ serviceAccountSelector: {} }] }] });
    expect(() => allowed([odd], 'egress', pod, { ip: '1.1.1.1' }, { port: 1 })).toThrow(
      'NetworkPolicy peer field serviceAccountSelector is not understood',
    );
  });

  test('inCidr', () => {
    expect(inCidr('169.254.170.23', '169.254.170.23/32')).toBe(true);
    expect(inCidr('169.254.170.24', '169.254.170.23/32')).toBe(false);
    expect(inCidr('10.30.63.255', '10.30.32.0/19')).toBe(true);
    expect(inCidr('10.30.64.0', '10.30.32.0/19')).toBe(false);
    expect(inCidr('200.1.1.1', '0.0.0.0/0')).toBe(true);
  });
});
