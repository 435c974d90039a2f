/**
 * Which property changes replace a resource, from the CloudFormation resource specification that
 * ships in `@aws-cdk/aws-service-spec` (the data `cdk diff` reads too). The diff library looks at
 * top-level properties only; these rules also follow nested property types
 * (`AWS::EKS::Cluster` `ResourcesVpcConfig.SubnetIds` replaces the cluster although
 * `ResourcesVpcConfig` as a whole does not) and the spec's extra replacement paths.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { PropertyPath } from './references';

/** `yes`: CloudFormation replaces the resource; `maybe`: for some values or transitions; `no`: updates in place. */
export type ReplacementImpact = 'yes' | 'maybe' | 'no';

const RANK: Record<ReplacementImpact, number> = { no: 0, maybe: 1, yes: 2 };

/** The worse of two impacts. */
export function worseImpact(a: ReplacementImpact, b: ReplacementImpact): ReplacementImpact {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The milder of two impacts. */
export function milderImpact(a: ReplacementImpact, b: ReplacementImpact): ReplacementImpact {
  return RANK[a] <= RANK[b] ? a : b;
}

/** What the review asks of the specification. */
export interface ReplacementRules {
  /** What a change at `path` (property name, then nested names and indices) does to a resource of `cfnType`. */
  impactAt(cfnType: string, path: PropertyPath): ReplacementImpact;
}

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;
const lookupResource = (db: SpecDatabase, cfnType: string) => db.lookup('resource', 'cloudFormationType', 'equals', cfnType).at(0);
const typeDefinition = (db: SpecDatabase, id: string) => db.get('typeDefinition', id);
type Resource = NonNullable<ReturnType<typeof lookupResource>>;
type Property = ReturnType<typeof typeDefinition>['properties'][string];
type PropertyType = Property['type'];

/** The rules of the CloudFormation resource specification (loaded once, on first use: ~0.4 s). */
export class ResourceSpecification implements ReplacementRules {
  private db?: SpecDatabase;
  private readonly resources = new Map<string, Resource | undefined>();

  impactAt(cfnType: string, path: PropertyPath): ReplacementImpact {
    const resource = this.resource(cfnType);
    if (!resource || path.length === 0) return 'no';
    let impact: ReplacementImpact = 'no';
    for (const extra of resource.additionalReplacementProperties ?? []) {
      if (
        extra.length <= path.length &&
        extra.every((segment, i) => (segment === '*' ? typeof path[i] === 'number' : segment === path[i]))
      ) {
        impact = 'yes';
      }
    }
    let property: Property | undefined = resource.properties[String(path[0])];
    if (!property) return impact;
    impact = worseImpact(impact, property.causesReplacement ?? 'no');
    let type: PropertyType | undefined = property.type;
    for (const segment of path.slice(1)) {
      const step = this.step(type, segment);
      if (!step) break;
      if (step.property) impact = worseImpact(impact, step.property.causesReplacement ?? 'no');
      property = step.property;
      type = step.type;
    }
    return impact;
  }

  /** The type (and, into a structure, the property) one path segment below `type`. */
  private step(type: PropertyType | undefined, segment: string | number): { type: PropertyType; property?: Property } | undefined {
    if (!type) return undefined;
    switch (type.type) {
      case 'array':
        return typeof segment === 'number' ? { type: type.element } : undefined;
      case 'map':
        return { type: type.element };
      case 'ref': {
        const property = typeDefinition(this.database(), type.reference.$ref).properties[String(segment)];
        return property ? { type: property.type, property } : undefined;
      }
      case 'union':
        for (const member of type.types) {
          const step = this.step(member, segment);
          if (step) return step;
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private resource(cfnType: string): Resource | undefined {
    if (!this.resources.has(cfnType)) {
      this.resources.set(cfnType, lookupResource(this.database(), cfnType));
    }
    return this.resources.get(cfnType);
  }

  private database(): SpecDatabase {
    this.db ??= specDatabase();
    return this.db;
  }
}

let loaded: SpecDatabase | undefined;
/** The resource specification, loaded once per process (~0.5 s: it is read and unzipped whole; it never changes). */
function specDatabase(): SpecDatabase {
  loaded ??= loadAwsServiceSpecSync();
  return loaded;
}
