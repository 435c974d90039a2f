import { Match } from 'aws-cdk-lib/assertions';
import { toolingConfig } from '../../lib/config/tooling';
import { ToolingStage } from '../../lib/stages/tooling-stage';
import { synthesizedApp } from '../app-fixture';

describe('SigningStack (tooling account)', () => {
  const { app, template, dependsOn } = synthesizedApp();
  const stage = app.node.findChild('Tooling') as ToolingStage;
  const t = template(stage.signing);
  const tooling = toolingConfig();

  test('lives in the tooling account and region, termination-protected: a lost key makes every signed image unverifiable', () => {
    expect([stage.signing.account, stage.signing.region]).toEqual([tooling.account, tooling.region]);
    expect(stage.signing.terminationProtection).toBe(true);
  });

  test('the key carries the stateful tags (backup and data classification of the tooling account)', () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      Tags: expectTags({ DataClassification: tooling.tags.DataClassification, Backup: tooling.tags.Backup, Environment: 'tooling' }),
    });
  });

  test('every environment account verifies; no other account is named', () => {
    const key = Object.values(t.findResources('AWS::KMS::Key'))[0];
    const verify = key.Properties.KeyPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'EnvironmentsVerifyOnly');
    expect(verify.Principal.AWS).toEqual(tooling.pullAccounts.map((a) => `arn:aws:iam::${a}:root`));
  });

  test('deployable first, before any environment exists: no stack dependency, and the key policy names accounts only', () => {
    // GIVEN a fresh organisation WHEN Tooling/* deploys first THEN nothing it names must exist yet
    expect(dependsOn(stage.signing)).toEqual([]);
    const key = Object.values(t.findResources('AWS::KMS::Key'))[0];
    const principals = key.Properties.KeyPolicy.Statement.flatMap((s: { Principal: { AWS: unknown } }) => [s.Principal.AWS].flat());
    for (const principal of principals) expect(String(JSON.stringify(principal))).toMatch(/:root"|^"\*"$/);
  });
});

/** A tag list containing the given tags (CDK writes tags sorted by key). */
function expectTags(tags: Record<string, string>) {
  return Match.arrayWith(
    Object.entries(tags)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([Key, Value]) => ({ Key, Value })),
  );
}
