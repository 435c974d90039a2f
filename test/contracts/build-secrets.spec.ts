/**
 * Secrets never in a build's definition or log, over EVERY build the app synthesizes: every
 * CodeBuild project of every template of every stage (the pipelines' synth, self-update, asset,
 * tooling and post-deploy builds, the pull-request review, and any build another part of the
 * delivery adds) and every CodeBuild action of every CodePipeline. The same rule runs at synth
 * time (PLAT-SEC1 in PlatformChecks); this test keeps it honest against the real templates.
 */
import { buildSecrets, SECRET_NAME, SECRET_TYPES } from '../../lib/policies/rules/build-secrets';
import { pipelineSecretName, PIPELINE_SECRETS, PipelineSecretVariable } from '../../lib/config/pipeline';
import { resourcesOf, world } from './world';

const w = world();
const projects = w.stacks.flatMap((s) => resourcesOf(s, 'AWS::CodeBuild::Project').map(([id, r]) => ({ stack: s.path, id, r })));
type Variable = { Name: string; Type?: string; Value: unknown };
const variables: (Variable & { where: string })[] = projects.flatMap(({ stack, id, r }) =>
  ((r.Properties?.Environment?.EnvironmentVariables ?? []) as Variable[]).map((v) => ({ ...v, where: `${stack}/${id}` })),
);

describe('build secrets, over every template', () => {
  test('the scan sees the builds: both pipelines and the pull-request review', () => {
    const stacks = new Set(projects.map((p) => p.stack));
    expect([...stacks].sort()).toEqual(expect.arrayContaining(['Tooling/Pipeline', 'Tooling/PipelineDev', 'Tooling/PullRequestReview']));
    expect(projects.every((p) => typeof p.r.Properties?.Source?.BuildSpec === 'string')).toBe(true);
  });

  test('no template holds a secret literal, a plain-text secret variable or a command that prints a secret', () => {
    expect(w.stacks.flatMap((s) => buildSecrets(s.path, s.template).map((f) => f.message))).toEqual([]);
  });

  test('every secret-looking variable of every build is typed SECRETS_MANAGER or PARAMETER_STORE', () => {
    const secretLooking = variables.filter((v) => SECRET_NAME.test(v.Name));
    expect(secretLooking.length).toBeGreaterThan(0);
    for (const v of secretLooking) expect([v.where, v.Name, SECRET_TYPES.includes(v.Type ?? 'PLAINTEXT')]).toEqual([v.where, v.Name, true]);
  });

  test('the build secrets of config are read from Secrets Manager under their config-derived names', () => {
    // GIVEN the secrets the pipelines use (lib/config/pipeline.ts): each variable that a build has
    const used = variables.filter((v) => v.Name in PIPELINE_SECRETS);
    expect(used.map((v) => v.Name)).toContain('GITHUB_TOKEN');
    for (const v of used) {
      expect({ name: v.Name, type: v.Type, value: v.Value }).toEqual({
        name: v.Name,
        type: 'SECRETS_MANAGER',
        value: pipelineSecretName(v.Name as PipelineSecretVariable),
      });
    }
  });
});
