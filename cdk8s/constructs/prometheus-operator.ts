/**
 * Fields of the prometheus-operator resources the platform writes, checked against the pinned
 * operator. @kubernetes-models/prometheus-operator 4.4.4 (the last release for Node 20) validates
 * types and required fields with the schemas of operator v0.65.1 but accepts any unknown field, and
 * the pinned operator (v0.93.0, kube-prometheus-stack 88.3.0) has fields it does not know
 * (fields added since v0.65.1). So every field path a document uses must be one of those below, each
 * transcribed from the CRD of the pinned operator
 * (prometheus-operator/prometheus-operator@v0.93.0:example/prometheus-operator-crd-full/monitoring.coreos.com_<kind>.yaml,
 * `openAPIV3Schema.properties.spec`): a typo or a field the operator does not serve fails the
 * tests instead of being dropped by the API server. A new field is added here after finding it in
 * that CRD. Maps whose keys are data (labels, selectors, resource quantities) are not descended into.
 */

/** Keys whose values are free-form maps (label sets, resource quantities). */
const FREE_FORM = new Set(['matchLabels', 'labels', 'annotations', 'externalLabels', 'nodeSelector', 'requests', 'limits']);

/** Allowed spec field paths by kind (`[]` marks an array element). */
export const OPERATOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Prometheus: [
    'alerting.alertmanagers[].apiVersion',
    'alerting.alertmanagers[].name',
    'alerting.alertmanagers[].namespace',
    'alerting.alertmanagers[].port',
    'evaluationInterval',
    'externalLabels',
    'nodeSelector',
    'podMetadata.labels',
    'podMonitorNamespaceSelector',
    'podMonitorSelector.matchLabels',
    'priorityClassName',
    'replicas',
    'resources.limits',
    'resources.requests',
    'retention',
    'retentionSize',
    'ruleNamespaceSelector',
    'ruleSelector.matchLabels',
    'scrapeInterval',
    'securityContext.fsGroup',
    'securityContext.runAsGroup',
    'securityContext.runAsNonRoot',
    'securityContext.runAsUser',
    'securityContext.seccompProfile.type',
    'serviceAccountName',
    'serviceMonitorNamespaceSelector',
    'serviceMonitorSelector.matchLabels',
    'storage.volumeClaimTemplate.spec.accessModes[]',
    'storage.volumeClaimTemplate.spec.resources.requests',
    'storage.volumeClaimTemplate.spec.storageClassName',
    'tolerations[].effect',
    'tolerations[].key',
    'tolerations[].operator',
    'tolerations[].value',
    'topologySpreadConstraints[].labelSelector.matchLabels',
    'topologySpreadConstraints[].maxSkew',
    'topologySpreadConstraints[].topologyKey',
    'topologySpreadConstraints[].whenUnsatisfiable',
    'version',
    'walCompression',
  ],
  Alertmanager: [
    'alertmanagerConfiguration.name',
    'nodeSelector',
    'podMetadata.labels',
    'priorityClassName',
    'replicas',
    'resources.limits',
    'resources.requests',
    'retention',
    'securityContext.fsGroup',
    'securityContext.runAsGroup',
    'securityContext.runAsNonRoot',
    'securityContext.runAsUser',
    'securityContext.seccompProfile.type',
    'serviceAccountName',
    'storage.volumeClaimTemplate.spec.accessModes[]',
    'storage.volumeClaimTemplate.spec.resources.requests',
    'storage.volumeClaimTemplate.spec.storageClassName',
    'tolerations[].effect',
    'tolerations[].key',
    'tolerations[].operator',
    'tolerations[].value',
    'topologySpreadConstraints[].labelSelector.matchLabels',
    'topologySpreadConstraints[].maxSkew',
    'topologySpreadConstraints[].topologyKey',
    'topologySpreadConstraints[].whenUnsatisfiable',
    'version',
  ],
  AlertmanagerConfig: [
    'inhibitRules[].equal[]',
    'inhibitRules[].sourceMatch[].matchType',
    'inhibitRules[].sourceMatch[].name',
    'inhibitRules[].sourceMatch[].value',
    'inhibitRules[].targetMatch[].matchType',
    'inhibitRules[].targetMatch[].name',
    'inhibitRules[].targetMatch[].value',
    'receivers[].name',
    'receivers[].snsConfigs[].message',
    'receivers[].snsConfigs[].sendResolved',
    'receivers[].snsConfigs[].sigv4.region',
    'receivers[].snsConfigs[].subject',
    'receivers[].snsConfigs[].topicARN',
    'route.groupBy[]',
    'route.groupInterval',
    'route.groupWait',
    'route.receiver',
    'route.repeatInterval',
    'route.routes[].matchers[].matchType',
    'route.routes[].matchers[].name',
    'route.routes[].matchers[].value',
    'route.routes[].receiver',
    'route.routes[].repeatInterval',
  ],
  PrometheusRule: [
    'groups[].name',
    'groups[].rules[].alert',
    'groups[].rules[].annotations',
    'groups[].rules[].expr',
    'groups[].rules[].for',
    'groups[].rules[].labels',
    'groups[].rules[].record',
  ],
  PodMonitor: [
    'podMetricsEndpoints[].interval',
    'podMetricsEndpoints[].path',
    'podMetricsEndpoints[].port',
    'podTargetLabels[]',
    'selector.matchLabels',
  ],
  ServiceMonitor: ['endpoints[].interval', 'endpoints[].path', 'endpoints[].port', 'selector.matchLabels'],
};

/** The field paths of a value under `prefix` (arrays as `[]`, free-form maps as one path). */
export function fieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [`${prefix}[]`] : value.flatMap((v) => fieldPaths(v, `${prefix}[]`));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (FREE_FORM.has(prefix.split('.').pop()!.replace('[]', '')) || entries.length === 0) return [prefix];
    return entries.flatMap(([k, v]) => fieldPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/** Fields of a prometheus-operator document the pinned operator does not have (empty when all are known). */
export function operatorFieldProblems(doc: { kind?: string; metadata?: { name?: string }; spec?: unknown }): string[] {
  const allowed = OPERATOR_FIELDS[String(doc.kind)];
  if (!allowed) return [`${String(doc.kind)}: no field list for this kind in cdk8s/constructs/prometheus-operator.ts`];
  return fieldPaths(doc.spec ?? {})
    .filter((p) => p !== '' && !allowed.includes(p))
    .map(
      (p) => `${doc.kind} ${doc.metadata?.name}: spec.${p} is not a field of the pinned operator's ${doc.kind} (or not yet transcribed)`,
    );
}
