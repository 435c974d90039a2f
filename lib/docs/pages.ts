/**
 * Every generated part of docs/: whole pages (environments, catalogues, IAM summaries) and the
 * generated blocks inside hand-written pages (the architecture diagrams, the runbooks' names per
 * environment). `bin/docs.ts` writes them; `test/bin/docs.test.ts` fails when a committed one differs.
 */
import { contractTable, stackGraph, stageNames, trafficFlow } from './architecture';
import { ALARMS_PAGE, alarmsPage, SERVICES_PAGE, servicesPage } from './catalogues';
import { ENVIRONMENTS_INDEX, environmentPage, environmentPagePath, environmentsPage, variablesBlock } from './environments';
import { iamPage, iamPagePath } from './iam';
import { relativeLink } from './markdown';
import { NAMESPACES_PAGE, namespacesPage } from './namespaces';
import { DocsInput, GeneratedPage } from './model';

/** Whole generated pages. */
export function generatedPages(input: DocsInput): GeneratedPage[] {
  return [
    { path: ENVIRONMENTS_INDEX, content: environmentsPage(input.environments) },
    ...input.environments.map((c) => ({ path: environmentPagePath(c.name), content: environmentPage(input, c) })),
    { path: ALARMS_PAGE, content: alarmsPage(input.environments) },
    { path: SERVICES_PAGE, content: servicesPage(input.catalog, input.environments) },
    { path: NAMESPACES_PAGE, content: namespacesPage(input) },
    ...stageNames(input).map((stage) => ({ path: iamPagePath(stage), content: iamPage(input, stage) })),
  ];
}

/** The environment the architecture page draws: the first production-tier one (the most complete), else the last. */
export function showcaseEnvironment(input: DocsInput) {
  return input.environments.find((e) => e.tier === 'production') ?? input.environments[input.environments.length - 1];
}

/** Mermaid in a fenced block. */
function mermaid(source: string): string {
  return ['```mermaid', source, '```'].join('\n');
}

/** The Mermaid sources of the diagrams also rendered to SVG, by file name under docs/diagrams/. */
export function diagramSources(input: DocsInput): Record<string, string> {
  const env = showcaseEnvironment(input);
  return {
    [`stacks-${env.name}.svg`]: stackGraph(input, env.stageName),
    [`traffic-${env.name}.svg`]: trafficFlow(input, env.name),
  };
}

/** Folder of the rendered diagrams. */
export const DIAGRAMS_DIR = 'docs/diagrams';

/** Generated blocks of hand-written pages, by block name. */
export function generatedBlocks(input: DocsInput): Record<string, string> {
  const env = showcaseEnvironment(input);
  const environmentStages = new Set(input.environments.map((e) => e.stageName));
  const others = stageNames(input).filter((s) => !environmentStages.has(s));
  return {
    'architecture-stacks': [
      `Each environment is one stage; the \`${env.stageName}\` stage (${env.name}, the most complete: it has the DR region) deploys`,
      'these stacks, an arrow pointing to the stack that needs the other first (`(protected)`: termination protection). Every',
      `environment's own graph: [environments](${relativeLink('docs/architecture.md', ENVIRONMENTS_INDEX)}).`,
      '',
      mermaid(stackGraph(input, env.stageName)),
      '',
      ...others.flatMap((stage) => [`The \`${stage}\` stage:`, '', mermaid(stackGraph(input, stage)), '']),
    ].join('\n'),
    'architecture-traffic': [
      `A request in ${env.name} (the diagram as SVG: [traffic-${env.name}.svg](diagrams/traffic-${env.name}.svg)):`,
      '',
      mermaid(trafficFlow(input, env.name)),
    ].join('\n'),
    'architecture-contract': [
      `The values in ${env.name} (the other environments: their [pages](${relativeLink('docs/architecture.md', ENVIRONMENTS_INDEX)})):`,
      '',
      contractTable(input, env.name),
    ].join('\n'),
    'runbook-variables': input.environments
      .map((c) => [`<details><summary><b>${c.name}</b></summary>`, '', variablesBlock(input, c), '', '</details>'].join('\n'))
      .join('\n\n'),
  };
}
