import { Testing } from 'cdk8s';
import { MICROSERVICE_DEFAULTS, Microservice, MicroserviceProps, canarySteps } from '../../cdk8s/constructs/microservice';
import { awsEgress } from '../../cdk8s/egress';
import { KubeDocument } from '../../cdk8s/policies';
import { staging } from '../../lib/config/environments';
import { platformEnvironment } from '../../lib/config/platform-resources';
import { SECRETS, SERVICES, ServiceSpec } from '../../lib/config/service-catalog';
import { withValue } from '../helpers';

const [WEB_API, AUTH, PAYMENTS, WORKER] = SERVICES;

const props = (service: ServiceSpec, extra: Partial<MicroserviceProps> = {}): MicroserviceProps => ({
  service,
  environmentName: 'staging',
  application: 'saas-platform',
  imageRegistry: '000000000000.dkr.ecr.eu-west-1.amazonaws.com',
  secrets: SECRETS,
  secretsManagerName: (secret) => `saas-platform/staging/${secret}`,
  secretStore: {
    name: `${service.name}-aws-secrets`,
    roleArn: `arn:aws:iam::222222222222:role/saas-platform-staging-secrets-${service.name}`,
    region: 'eu-west-1',
  },
  parameterStore: 'aws-parameter-store',
  albSourceCidrs: ['10.20.0.0/22', '10.20.4.0/22'],
  // what the service chart derives from config, as it derives it
  platformEnvironment: platformEnvironment(service, staging),
  egress: awsEgress(service, staging),
  apiHosts: ['api-origin.staging.example.com', 'api-origin-blue.staging.example.com'],
  dnsName: 'api-origin-blue.staging.example.com',
  ingressClassName: 'saas-platform-staging',
  albAnnotations: {
    'alb.ingress.kubernetes.io/security-groups': 'sg-name-a, sg-name-b',
    'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
  },
  prometheusUrl: 'http://prometheus.test:9090',
  ...extra,
});

const synth = (service: ServiceSpec, extra: Partial<MicroserviceProps> = {}) => {
  const chart = Testing.chart();
  const construct = new Microservice(chart, 'svc', props(service, extra));
  const docs: KubeDocument[] = Testing.synth(chart);
  const get = (kind: string, name = service.name) => {
    const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
    if (!doc) throw new Error(`no ${kind} ${name}`);
    return doc;
  };
  return { construct, docs, get, kinds: docs.map((d) => `${d.kind}/${d.metadata.name}`) };
};

const container = (workload: KubeDocument) => workload.spec.template.spec.containers[0];

describe('Microservice: rolling', () => {
  const { construct, get, kinds } = synth(WORKER);

  test('produces a Deployment and everything a service needs, nothing canary-specific', () => {
    expect(construct.workloadKind).toBe('Deployment');
    expect(kinds).toEqual([
      'ServiceAccount/worker',
      'ExternalSecret/worker-runtime',
      'Service/worker',
      'Deployment/worker',
      'HorizontalPodAutoscaler/worker',
      'PodDisruptionBudget/worker',
      'NetworkPolicy/worker',
      'PodMonitor/worker',
    ]);
  });

  test('updates surge by the configured share and never take a pod away first; the HPA owns the replica count', () => {
    const deployment = get('Deployment');
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '50%' } });
    expect(deployment.spec.replicas).toBeUndefined();
    expect(get('HorizontalPodAutoscaler').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } },
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: MICROSERVICE_DEFAULTS.targetMemoryPercent } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 600 } },
    });
  });

  test('pods meet Pod Security "restricted" and mount no service-account token', () => {
    const pod = get('Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container(get('Deployment')).securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(get('ServiceAccount').automountServiceAccountToken).toBe(false);
    // the read-only root filesystem needs somewhere to write
    expect(container(get('Deployment')).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  test('no preStop hook when the drain sleep is 0; the grace period comes from config', () => {
    expect(container(get('Deployment')).lifecycle).toBeUndefined();
    expect(get('Deployment').spec.template.spec.terminationGracePeriodSeconds).toBe(120);
  });

  test('spreads pods over zones (hard) and nodes (soft), per version', () => {
    const spread = get('Deployment').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: KubeDocument) => [c.topologyKey, c.whenUnsatisfiable, c.matchLabelKeys])).toEqual([
      ['topology.kubernetes.io/zone', 'DoNotSchedule', ['pod-template-hash']],
      ['kubernetes.io/hostname', 'ScheduleAnyway', ['pod-template-hash']],
    ]);
  });

  test('a PodDisruptionBudget lets one pod go at a time', () => {
    expect(get('PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('runs on the workloads node pool, never on the tainted system pool', () => {
    expect(get('Deployment').spec.template.spec.nodeSelector).toEqual({ 'platform.example.com/pool': 'workloads' });
    expect(get('Deployment').spec.template.spec.tolerations).toBeUndefined();
  });

  test('the background priority class', () => {
    expect(get('Deployment').spec.template.spec.priorityClassName).toBe('service-background');
  });
});

describe('Microservice: canary', () => {
  const { construct, get, kinds } = synth(WEB_API);
  const canary = () => get('Rollout').spec.strategy.canary;

  test('produces a Rollout with stable and canary Services, an Ingress and two SLO analysis templates', () => {
    expect(construct.workloadKind).toBe('Rollout');
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Rollout/web-api',
        'Service/web-api',
        'Service/web-api-canary',
        'Ingress/web-api',
        'AnalysisTemplate/web-api-slo',
        'AnalysisTemplate/web-api-slo-background',
      ]),
    );
    expect(kinds).not.toContain('Deployment/web-api');
    expect(get('HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'web-api',
    });
    expect(get('Rollout').spec.replicas).toBeUndefined();
  });

  test('steps follow config: 10% → analysis → 25% → 50% → 100%', () => {
    expect(canary().steps).toEqual([
      { setWeight: 10 },
      {
        analysis: {
          templates: [{ templateName: 'web-api-slo' }],
          args: [{ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
        },
      },
      { setWeight: 25 },
      { pause: { duration: '300s' } },
      { setWeight: 50 },
      { pause: { duration: '300s' } },
      { setWeight: 100 },
    ]);
  });

  test('traffic is split at the ALB by weight, and the SLO is watched from the first step to the end', () => {
    expect(canary()).toMatchObject({
      stableService: 'web-api',
      canaryService: 'web-api-canary',
      trafficRouting: { alb: { ingress: 'web-api', rootService: 'web-api', servicePort: 8080 } },
      analysis: { templates: [{ templateName: 'web-api-slo-background' }], startingStep: 1 },
      maxUnavailable: 0,
      maxSurge: '25%',
    });
  });

  test('a failed analysis or a stalled rollout aborts and rolls back on its own', () => {
    expect(get('Rollout').spec).toMatchObject({ progressDeadlineAbort: true, progressDeadlineSeconds: 600 });
    expect(canary().abortScaleDownDelaySeconds).toBe(30);
    for (const name of ['web-api-slo', 'web-api-slo-background']) {
      for (const metric of get('AnalysisTemplate', name).spec.metrics) expect(metric.failureLimit).toBe(1);
    }
    // the step analysis ends after `count` measurements; the background one runs until the rollout completes
    expect(get('AnalysisTemplate', 'web-api-slo').spec.metrics.map((m: KubeDocument) => m.count)).toEqual([5, 5]);
    expect(get('AnalysisTemplate', 'web-api-slo-background').spec.metrics.map((m: KubeDocument) => m.count)).toEqual([
      undefined,
      undefined,
    ]);
  });

  test('the Ingress names the environment IngressClass, carries the group-wide ALB annotations; Argo Rollouts owns the weighted action', () => {
    const ingress = get('Ingress');
    expect(ingress.metadata.annotations).toMatchObject({
      // the ALB-wide annotations given, unchanged (identical on every Ingress of the group)
      'alb.ingress.kubernetes.io/security-groups': 'sg-name-a, sg-name-b',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/healthcheck-path': '/health/ready',
      // ExternalDNS publishes this cluster's name only
      'external-dns.alpha.kubernetes.io/hostname': 'api-origin-blue.staging.example.com',
    });
    // group, scheme, target type, TLS policy and WAF live in the class's IngressClassParams, once
    for (const key of ['group.name', 'scheme', 'target-type', 'ssl-policy', 'wafv2-acl-arn', 'load-balancer-attributes']) {
      expect(ingress.metadata.annotations[`alb.ingress.kubernetes.io/${key}`]).toBeUndefined();
    }
    expect(ingress.spec.ingressClassName).toBe('saas-platform-staging');
    // one rule per host the ALB answers for, all to the same weighted action
    const paths = [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'web-api', port: { name: 'use-annotation' } } } }];
    expect(ingress.spec.rules).toEqual([
      { host: 'api-origin.staging.example.com', http: { paths } },
      { host: 'api-origin-blue.staging.example.com', http: { paths } },
    ]);
    // no certificate ARN: the controller discovers the certificate from the hosts
    expect(ingress.spec.tls).toEqual([{ hosts: ['api-origin.staging.example.com', 'api-origin-blue.staging.example.com'] }]);
    expect(JSON.stringify(ingress)).not.toContain('arn:');
  });

  test('the platform tells the pods where things are: literal settings as variables, deploy-time hosts from Parameter Store', () => {
    expect(get('ExternalSecret', 'web-api-runtime').spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-parameter-store' },
      target: { name: 'web-api-runtime', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'DATABASE_HOST', remoteRef: { key: '/saas-platform/staging/database/proxy-endpoint' } },
        { secretKey: 'DATABASE_READ_HOST', remoteRef: { key: '/saas-platform/staging/database/reader-endpoint' } },
      ],
    });
    expect(container(get('Rollout')).envFrom).toEqual([{ secretRef: { name: 'web-api-runtime' } }]);
    expect(container(get('Rollout')).env).toEqual([
      { name: 'AWS_REGION', value: 'eu-west-1' },
      { name: 'DATABASE_NAME', value: 'app' },
      { name: 'DATABASE_PORT', value: '5432' },
      { name: 'DATABASE_USER', value: 'web_api' },
      { name: 'LOG_LEVEL', value: 'info' },
      // traces to the collector (lib/config/observability.ts otlpEndpoint), named after the service
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://opentelemetry-collector.observability.svc.cluster.local:4318' },
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'deployment.environment.name=staging' },
      { name: 'OTEL_SERVICE_NAME', value: 'web-api' },
      { name: 'UPLOADS_BUCKET', value: 'saas-platform-staging-uploads-222222222222-eu-west-1' },
      { name: 'UPLOADS_PREFIX', value: 'web-api/' },
    ]);
  });

  test('probes, requests and limits, drain', () => {
    const c = container(get('Rollout'));
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/health/live', port: 'http' }, periodSeconds: 5, failureThreshold: 12 });
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(c.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '10'] } } });
    expect(c.image).toBe('000000000000.dkr.ecr.eu-west-1.amazonaws.com/web-api:1.0.0');
    expect(get('Rollout').spec.template.spec.topologySpreadConstraints[0].matchLabelKeys).toEqual(['rollouts-pod-template-hash']);
  });
});

describe('Microservice: blue/green', () => {
  const { get, kinds } = synth(AUTH, { callers: [{ name: 'web-api', namespace: 'apps', port: 8080 }] });

  test('a preview Service, a readiness check before promotion and the SLO after it', () => {
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Service/auth-service-preview',
        'AnalysisTemplate/auth-service-preview',
        'AnalysisTemplate/auth-service-slo',
      ]),
    );
    expect(get('Rollout').spec.strategy.blueGreen).toMatchObject({
      activeService: 'auth-service',
      previewService: 'auth-service-preview',
      autoPromotionEnabled: true,
      maxUnavailable: 0,
      prePromotionAnalysis: { templates: [{ templateName: 'auth-service-preview' }] },
      postPromotionAnalysis: { templates: [{ templateName: 'auth-service-slo' }] },
      scaleDownDelaySeconds: MICROSERVICE_DEFAULTS.blueGreenScaleDownDelaySeconds,
      abortScaleDownDelaySeconds: 30,
    });
    // Prefix routing straight to the active Service (no weighted action)
    expect(get('Ingress').spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'auth-service', port: { number: 8080 } });
  });

  test('callers may reach it on its port; nobody else inside the cluster', () => {
    const ingress = get('NetworkPolicy').spec.ingress;
    expect(ingress).toContainEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web-api' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 'http' }],
    });
  });
});

describe('Microservice: secrets', () => {
  test('catalog secrets come from Secrets Manager through an ExternalSecret, one variable per property; no value in the manifest', () => {
    // GIVEN a fixture catalog secret with properties, and one without
    const secrets = { ...SECRETS, 'smtp-credentials': { description: 'SMTP login', properties: ['username', 'password'] } };
    const service = withValue(PAYMENTS, 'secrets', ['payment-provider-api-key', 'smtp-credentials']);
    const { get } = synth(service, { secrets });
    // THEN the service has its own store, reading with its own secrets role
    expect(get('SecretStore', 'payment-service-aws-secrets').spec).toEqual({
      provider: {
        aws: {
          service: 'SecretsManager',
          region: 'eu-west-1',
          role: 'arn:aws:iam::222222222222:role/saas-platform-staging-secrets-payment-service',
        },
      },
    });
    expect(get('ExternalSecret', 'payment-service-secrets').spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'SecretStore', name: 'payment-service-aws-secrets' },
      target: { name: 'payment-service-secrets', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'PAYMENT_PROVIDER_API_KEY', remoteRef: { key: 'saas-platform/staging/payment-provider-api-key' } },
        { secretKey: 'SMTP_CREDENTIALS_USERNAME', remoteRef: { key: 'saas-platform/staging/smtp-credentials', property: 'username' } },
        { secretKey: 'SMTP_CREDENTIALS_PASSWORD', remoteRef: { key: 'saas-platform/staging/smtp-credentials', property: 'password' } },
      ],
    });
    expect(container(get('Rollout')).envFrom).toEqual([
      { secretRef: { name: 'payment-service-secrets' } },
      { secretRef: { name: 'payment-service-runtime' } },
    ]);
  });
});

describe('Microservice: options', () => {
  test('a separate metrics port is scraped and allowed from the observability namespace only', () => {
    const { get } = synth(PAYMENTS);
    expect(get('PodMonitor').spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(get('NetworkPolicy').spec.ingress.at(-1)).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
      ports: [{ protocol: 'TCP', port: 'metrics' }],
    });
    expect(container(get('Rollout')).ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    // startup timeout 120 s at a 5 s period
    expect(container(get('Rollout')).startupProbe.failureThreshold).toBe(24);
  });

  test('egress: DNS always; peers and the derived AWS destinations only when the service has them', () => {
    // GIVEN a service that uses nothing in AWS and reads no secret
    const bare = withValue(withValue(withValue(WORKER, 'database', false), 'aws', []), 'secrets', []);
    const { get: getBare, kinds } = synth(bare);
    expect(getBare('NetworkPolicy').spec.egress).toHaveLength(1);
    expect(getBare('NetworkPolicy').spec.egress[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    expect(kinds.filter((k) => k.startsWith('ExternalSecret/'))).toEqual([]);
    expect(container(getBare('Deployment')).envFrom).toBeUndefined();

    // GIVEN a peer and the destinations awsEgress derives, each rendered as its own rule
    const egress = [
      { purpose: 'agent', cidrs: ['169.254.170.23/32'], ports: [80] },
      { purpose: 'S3', cidrs: ['0.0.0.0/0'], except: ['10.20.0.0/16', '169.254.0.0/16'], ports: [443] },
    ];
    const { get } = synth(WORKER, { callees: [{ name: 'auth-service', namespace: 'apps', port: 8080 }], egress });
    expect(get('NetworkPolicy').spec.egress.slice(1)).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'auth-service' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.20.0.0/16', '169.254.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });

  test('ingress from the ALB comes from its subnets only, and only for a service with an ingress', () => {
    const { get } = synth(AUTH);
    expect(get('NetworkPolicy').spec.ingress[0]).toEqual({
      from: [{ ipBlock: { cidr: '10.20.0.0/22' } }, { ipBlock: { cidr: '10.20.4.0/22' } }],
      ports: [{ protocol: 'TCP', port: 'http' }],
    });
    const { get: getWorker } = synth(WORKER);
    expect(JSON.stringify(getWorker('NetworkPolicy').spec.ingress)).not.toContain('ipBlock');
  });

  test('a service that talks to the Kubernetes API gets its token, and only then', () => {
    const { get } = synth(withValue(WORKER, 'kubernetesApi', true));
    expect(get('ServiceAccount').automountServiceAccountToken).toBe(true);
    expect(get('Deployment').spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('canarySteps: a pause without analysis, an analysis without pause', () => {
    const ref = { templates: [{ templateName: 't' }], args: [] };
    expect(
      canarySteps(
        {
          strategy: 'canary',
          steps: [
            { weightPercent: 20, pauseSeconds: 60 },
            { weightPercent: 100, analysis: true },
          ],
        },
        ref,
      ),
    ).toEqual([{ setWeight: 20 }, { pause: { duration: '60s' } }, { setWeight: 100 }, { analysis: ref }]);
  });
});
