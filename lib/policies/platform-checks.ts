import {
  CfnResource,
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
  Stack,
  TagManager,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TagRule } from '../config/tag-policy';
import { buildSecrets } from './rules/build-secrets';
import { ResourceFacts, RuleFinding } from './rules/facts';
import { requiredTags } from './rules/required-tags';
import { statefulRetention } from './rules/stateful-retention';
import { statefulTags } from './rules/stateful-tags';
import { terminationProtection } from './rules/termination-protection';
import { templateSize } from './rules/template-size';
import { TemplateFiles } from './template-files';

/** Props of `PlatformChecks`. */
export interface PlatformChecksProps {
  /** Tags every taggable resource must carry (PLAT-TAG1). */
  readonly requiredTags: readonly TagRule[];
  /** Tags stateful resources must carry in addition (PLAT-TAG2). */
  readonly statefulTags: readonly TagRule[];
  /** Stateful resources must sit in termination-protected stacks (PLAT-STA1). */
  readonly requireTerminationProtection: boolean;
  /** Stateful resources must be retained or snapshotted on removal (PLAT-STA2). */
  readonly requireRetention: boolean;
}

/** Rule IDs with the explanation shown in reports; the table in docs/k8s/policies.md mirrors it. */
export const PLATFORM_RULES = {
  'PLAT-TAG1': 'Every taggable resource carries Environment, Application, Owner and CostCenter with well-formed values.',
  'PLAT-TAG2': 'Stateful resources also carry DataClassification and Backup.',
  'PLAT-STA1': 'Stateful resources live in termination-protected stacks outside development.',
  'PLAT-STA2': 'Stateful resources are retained or snapshotted on removal outside development.',
  'PLAT-SIZE1': "Templates stay below CloudFormation's 1 MB limit (warning above 80%).",
  'PLAT-SEC1':
    'Builds keep secrets out of their definition and log: secret variables from Secrets Manager or Parameter Store, no secret literal, no command that prints a secret.',
} as const;

type RuleId = keyof typeof PLATFORM_RULES;

/**
 * Our own synth-time gates (the "Sentinel" of this platform), run as a CDK validation plugin next
 * to cdk-nag: register with `Validations.of(stage).addPlugins(new PlatformChecks(stage, props))`.
 * Any error finding fails synth with a report naming each construct path.
 */
export class PlatformChecks implements IPolicyValidationPlugin {
  public readonly name = 'PlatformChecks';
  public readonly version = '1.0.0';
  public readonly ruleIds = Object.keys(PLATFORM_RULES);

  constructor(
    private readonly scope: IConstruct,
    private readonly props: PlatformChecksProps,
  ) {}

  /**
   * Called by the CDK after synthesis; also checks the written templates (their size, their build
   * definitions), read through the app's TemplateFiles reader.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const prefix = `${this.scope.node.path}/`;
    const read = TemplateFiles.of(this.scope).reader;
    const templates = context.stackTemplates
      .filter((s) => s.stackConstructPath.startsWith(prefix))
      .map((s) => ({ ...s, text: read(s.templatePath) }));
    const sizes = templates.flatMap((s) => {
      const finding = templateSize(s.stackConstructPath, Buffer.byteLength(s.text));
      return finding ? [{ ...finding, path: s.stackConstructPath }] : [];
    });
    const violations = this.resourceViolations();
    const secrets = templates.flatMap((s) =>
      buildSecrets(s.stackConstructPath, JSON.parse(s.text)).map((f) => ({
        ...f,
        templatePath: s.templatePath,
      })),
    );
    if (secrets.length > 0) violations.push(violation('PLAT-SEC1', secrets, 'error'));
    for (const severity of ['error', 'warning'] as const) {
      const hits = sizes.filter((s) => s.severity === severity);
      if (hits.length > 0) {
        violations.push(
          violation(
            'PLAT-SIZE1',
            hits.map((h) => ({ path: h.path, location: 'Template', message: h.message })),
            severity,
          ),
        );
      }
    }
    return report(violations);
  }

  /** Check a synthesized construct tree directly (used by tests; no template files needed). */
  public validateScope(scope: IConstruct = this.scope): PolicyValidationPluginReport {
    return report(this.resourceViolations(scope));
  }

  private resourceViolations(scope: IConstruct = this.scope): PolicyViolation[] {
    const byRule = new Map<RuleId, RuleFinding[]>();
    const add = (id: RuleId, findings: RuleFinding[]) => {
      if (findings.length > 0) byRule.set(id, [...(byRule.get(id) ?? []), ...findings]);
    };
    for (const resource of collectFacts(scope)) {
      add('PLAT-TAG1', requiredTags(resource, this.props.requiredTags));
      add('PLAT-TAG2', statefulTags(resource, this.props.statefulTags));
      if (this.props.requireTerminationProtection) add('PLAT-STA1', terminationProtection(resource));
      if (this.props.requireRetention) add('PLAT-STA2', statefulRetention(resource));
    }
    return [...byRule].map(([id, findings]) => violation(id, findings, 'error'));
  }
}

/** The facts the rules need, for every CloudFormation resource below `scope`. */
export function collectFacts(scope: IConstruct): ResourceFacts[] {
  return scope.node
    .findAll()
    .filter((node): node is CfnResource => CfnResource.isCfnResource(node))
    .map((resource) => {
      const manager = TagManager.of(resource);
      return {
        path: resource.node.path,
        type: resource.cfnResourceType,
        tags: manager ? manager.tagValues() : undefined,
        deletionPolicy: resource.cfnOptions.deletionPolicy ?? 'Delete',
        stackTerminationProtection: Stack.of(resource).terminationProtection,
      };
    });
}

function violation(id: RuleId, findings: (RuleFinding & { templatePath?: string })[], severity: 'error' | 'warning'): PolicyViolation {
  return {
    ruleName: id,
    description: `${PLATFORM_RULES[id]}\n  ${findings.map((f) => f.message).join('\n  ')}`,
    severity,
    fix: 'See docs/k8s/policies.md for each rule and how to comply.',
    violatingResources: findings.map((f) =>
      // a template finding names its resource; the CDK turns template and logical ID into the construct path
      f.logicalId && f.templatePath
        ? { resourceLogicalId: f.logicalId, templatePath: f.templatePath, locations: [f.location] }
        : { constructPath: f.path, locations: [f.location] },
    ),
  };
}

function report(violations: PolicyViolation[]): PolicyValidationPluginReport {
  return { success: violations.every((v) => v.severity !== 'error'), violations };
}
