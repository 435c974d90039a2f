import { ControllerStatement } from './policy-json';

/**
 * Where the calls come from: the awsxray exporter of the collector version `lib/config/addon-pins.ts`
 * pins "sends [segments] directly to X-Ray using the PutTraceSegments API"; it sends telemetry
 * records (PutTelemetryRecords) only with `telemetry.enabled`, off by default and off in our config
 * (open-telemetry/opentelemetry-collector-contrib:exporter/awsxrayexporter/README.md, "Exporter
 * Configuration"; the exporter is in otelcol-contrib 0.158.0:
 * open-telemetry/opentelemetry-collector-releases@v0.158.0:distributions/otelcol-contrib/manifest.yaml).
 * The region is set in the exporter config, so it reads no instance metadata and calls no STS.
 */
export const OTEL_COLLECTOR_POLICY_SOURCE =
  'open-telemetry/opentelemetry-collector-contrib:exporter/awsxrayexporter/README.md (exporter v0.158.0, telemetry off)';

/** The collector's policy: upload trace segments to X-Ray, nothing else. */
export function otelCollectorStatements(): ControllerStatement[] {
  return [
    {
      statement: { Sid: 'PutTraceSegments', Effect: 'Allow', Action: ['xray:PutTraceSegments'], Resource: '*' },
      why: 'xray:PutTraceSegments supports no resource-level permission (Service Authorization Reference: no resource types, wildcard only); write-only.',
    },
  ];
}
