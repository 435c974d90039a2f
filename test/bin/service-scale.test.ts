/**
 * Adding services stays safe (issue 15): the app with 60 more catalog entries, generated the way
 * `npm run bench` generates them (`catalogWithExtraServices`), still synthesizes with every stack
 * under a resource budget and CloudFormation's template size limit, and with an empty validation
 * report (cdk-nag and the platform checks). Not timed: `npm run bench` measures the cost.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildApp } from '../../bin/app';
import { catalogWithExtraServices } from '../../bin/bench-synth';
import { FILTER_PATTERN_MAX_LENGTH } from '../../lib/config/audit-rules';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { templateSize } from '../../lib/policies/rules/template-size';
import { CDK_CONTEXT } from '../helpers';

/** Generated services on top of the real catalog. */
const ADDED_SERVICES = 60;
/** Resources per stack: CloudFormation allows 500; the rest is headroom for what a stack gains in review. */
const RESOURCE_BUDGET = 400;

describe(`the app with ${ADDED_SERVICES} more services`, () => {
  // GIVEN the real catalog plus 60 generated internal services
  const catalog = catalogWithExtraServices(ADDED_SERVICES);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'service-scale-'));
  // WHEN the whole app is synthesized (the built-in CloudFormation validator runs in test/bin/app.test.ts only);
  // findings are read from the report instead of stopping the synth
  const assembly = buildApp(
    ENVIRONMENTS,
    { context: { ...CDK_CONTEXT, '@aws-cdk/core:failSynthOnValidationErrors': false }, outdir, builtinCloudFormationValidation: false },
    catalog,
  ).synth();
  const stacks = assembly.nestedAssemblies.flatMap((a) => a.nestedAssembly.stacks);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('the catalog really grew, and the Tooling stage builds and signs every image', () => {
    expect(catalog.services.length).toBeGreaterThanOrEqual(ADDED_SERVICES);
    const delivery = stacks.find((s) => s.displayName.startsWith('Tooling/Delivery'))!;
    const projects = Object.values(delivery.template.Resources).filter((r) => (r as { Type: string }).Type === 'AWS::CodeBuild::Project');
    expect(projects.length).toBeGreaterThan(catalog.services.length);
  });

  test(`every stack has at most ${RESOURCE_BUDGET} resources`, () => {
    const counts = stacks.map((s) => [s.displayName, Object.keys(s.template.Resources ?? {}).length] as const);
    expect(counts.filter(([, count]) => count > RESOURCE_BUDGET)).toEqual([]);
    // the Tooling pipelines (one action per service and environment) included
    expect(counts.filter(([name]) => name.startsWith('Tooling/Pipeline')).length).toBeGreaterThan(0);
  });

  test("every template stays below 80% of CloudFormation's 1 MB limit (PLAT-SIZE1)", () => {
    const findings = stacks.flatMap((s) => templateSize(s.displayName, fs.statSync(s.templateFullPath).size) ?? []);
    expect(findings).toEqual([]);
  });

  test(`every metric filter fits CloudFormation's ${FILTER_PATTERN_MAX_LENGTH} characters (F3033), at most 100 per log group`, () => {
    // the built-in validator is off here: this is its F3033, and CloudWatch Logs' quota of metric filters per log group
    type Filter = { Type: string; Properties: { FilterPattern: string; LogGroupName: unknown } };
    const filters = stacks.flatMap((s) =>
      Object.values(s.template.Resources as Record<string, Filter>)
        .filter((r) => r.Type === 'AWS::Logs::MetricFilter')
        .map((r) => ({ stack: s.displayName, ...r.Properties })),
    );
    expect(filters.length).toBeGreaterThan(0);
    expect(filters.filter((f) => f.FilterPattern.length > FILTER_PATTERN_MAX_LENGTH).map((f) => f.stack)).toEqual([]);
    const perLogGroup = new Map<string, number>();
    for (const f of filters) {
      const key = `${f.stack} ${JSON.stringify(f.LogGroupName)}`;
      perLogGroup.set(key, (perLogGroup.get(key) ?? 0) + 1);
    }
    expect([...perLogGroup].filter(([, n]) => n > 100)).toEqual([]);
  });

  test('the validation report (cdk-nag and the platform checks) is empty', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });
});
