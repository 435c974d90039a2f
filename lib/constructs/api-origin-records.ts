import { Duration, Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

/** One target of the weighted record set: an ALB host published by a cluster's ExternalDNS. */
export interface WeightedOrigin {
  /** Short name, used as the record's set identifier and in construct IDs, e.g. `blue`. */
  readonly name: string;
  /** Host the record points to and the health check calls, e.g. `api-origin-blue.example.com`. */
  readonly host: string;
  /** Share of DNS answers (0..255); 0 takes the target out of rotation while it stays health-checked. */
  readonly weight: number;
}

/** Props of `ApiOriginRecords`. */
export interface ApiOriginRecordsProps {
  /** The public hosted zone the records go in. */
  readonly zone: route53.IHostedZone;
  /** The name CloudFront uses as its API origin, e.g. `api-origin.example.com`. */
  readonly originHost: string;
  /** Name of the weighted record set, e.g. `api-origin-primary.example.com`. */
  readonly weightedHost: string;
  /** Targets of the weighted record set (blue and green). */
  readonly targets: readonly WeightedOrigin[];
  /** Path the HTTPS health checks request, e.g. `/api/healthz`; 2xx/3xx is healthy. */
  readonly healthCheckPath: string;
  /**
   * Host of the DR region's origin: `originHost` becomes a failover pair, PRIMARY the weighted set
   * (healthy while any target with weight > 0 is), SECONDARY this host (with its own health check).
   * @default - no failover; `originHost` is a CNAME to the weighted set
   */
  readonly failoverHost?: string;
  /**
   * TTL of the records; short, so that a cut-over or a failover takes effect quickly.
   * @default Duration.seconds(60)
   */
  readonly ttl?: Duration;
}

/**
 * The API origin's DNS: weighted blue/green CNAMEs with an HTTPS health check each, and, for the
 * DR case, a failover pair in front of them. The targets are names other systems publish (each
 * cluster's ExternalDNS), so the records are CNAMEs: they may point at a name that does not exist
 * yet (green before a cut-over), which an alias record may not.
 */
export class ApiOriginRecords extends Construct {
  /** Health check of each weighted target, by name. */
  public readonly targetHealthChecks: Readonly<Record<string, route53.IHealthCheck>>;
  /** Healthy while at least one target that receives traffic (weight > 0) is healthy. */
  public readonly primaryHealthCheck: route53.IHealthCheck;
  /**
   * Health check of the DR origin.
   * @default - none without `failoverHost`
   */
  public readonly failoverHealthCheck?: route53.IHealthCheck;

  constructor(scope: Construct, id: string, props: ApiOriginRecordsProps) {
    super(scope, id);
    this.validate(props);
    const ttl = props.ttl ?? Duration.seconds(60);

    const checks: Record<string, route53.IHealthCheck> = {};
    for (const target of props.targets) {
      const healthCheck = this.httpsHealthCheck(`${capitalize(target.name)}HealthCheck`, target.host, props.healthCheckPath);
      checks[target.name] = healthCheck;
      new route53.CnameRecord(this, capitalize(target.name), {
        zone: props.zone,
        recordName: props.weightedHost,
        domainName: target.host,
        weight: target.weight,
        setIdentifier: target.name,
        healthCheck,
        ttl,
      });
    }
    this.targetHealthChecks = checks;
    const live = props.targets.filter((t) => t.weight > 0).map((t) => checks[t.name]);
    this.primaryHealthCheck = new route53.HealthCheck(this, 'PrimaryHealthCheck', {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: live,
      healthThreshold: 1,
    });

    if (props.failoverHost) {
      this.failoverHealthCheck = this.httpsHealthCheck('FailoverHealthCheck', props.failoverHost, props.healthCheckPath);
      new route53.CnameRecord(this, 'Primary', {
        zone: props.zone,
        recordName: props.originHost,
        domainName: props.weightedHost,
        failover: route53.Failover.PRIMARY,
        setIdentifier: 'primary',
        healthCheck: this.primaryHealthCheck,
        ttl,
      });
      new route53.CnameRecord(this, 'Secondary', {
        zone: props.zone,
        recordName: props.originHost,
        domainName: props.failoverHost,
        failover: route53.Failover.SECONDARY,
        setIdentifier: 'secondary',
        healthCheck: this.failoverHealthCheck,
        ttl,
      });
    } else {
      new route53.CnameRecord(this, 'Origin', { zone: props.zone, recordName: props.originHost, domainName: props.weightedHost, ttl });
    }
  }

  private httpsHealthCheck(id: string, host: string, path: string): route53.IHealthCheck {
    return new route53.HealthCheck(this, id, {
      type: route53.HealthCheckType.HTTPS,
      fqdn: host,
      port: 443,
      resourcePath: path,
      enableSNI: true,
      requestInterval: Duration.seconds(30),
      failureThreshold: 3,
      measureLatency: true,
    });
  }

  private validate(props: ApiOriginRecordsProps): void {
    const where = this.node.path;
    if (props.targets.length === 0) throw new Error(`${where}: targets is empty; give at least one weighted origin`);
    const names = new Set<string>();
    for (const target of props.targets) {
      if (names.has(target.name)) throw new Error(`${where}: targets has "${target.name}" twice; each target needs its own name`);
      names.add(target.name);
      if (!Token.isUnresolved(target.weight) && (!Number.isInteger(target.weight) || target.weight < 0 || target.weight > 255)) {
        throw new Error(`${where}: weight of "${target.name}" is ${target.weight}; use a whole number in 0..255`);
      }
    }
    if (props.targets.every((t) => t.weight === 0)) {
      throw new Error(`${where}: every target has weight 0; at least one must receive traffic`);
    }
    if (!Token.isUnresolved(props.healthCheckPath) && !props.healthCheckPath.startsWith('/')) {
      throw new Error(`${where}: healthCheckPath "${props.healthCheckPath}" is not an absolute path; use e.g. /api/healthz`);
    }
  }
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
