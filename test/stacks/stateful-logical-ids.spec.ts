import * as fs from 'fs';
import * as path from 'path';
import { isStatefulType } from '../../lib/policies/stateful-resources';
import { SynthesizedStack, world } from '../contracts/world';

/**
 * Pins the logical ID of every stateful resource (database, buckets, keys, secrets, the VPC...).
 * A renamed construct ID changes the logical ID, and CloudFormation then replaces the resource:
 * the old database or bucket is deleted (or orphaned) and a new, empty one takes its place.
 *
 * After an intended change (a new stateful resource, or a replacement with a data migration):
 * `npm run test:update` (snapshots and these pins in one step), then review and commit the JSON file.
 */
const PIN_FILE = path.join(__dirname, 'stateful-logical-ids.json');
type Pins = Record<string, Record<string, string>>;

/** Stateful logical IDs per stack path, from synthesized stacks (support stacks a synth adds included). */
export function statefulIds(stacks: readonly Pick<SynthesizedStack, 'path' | 'template'>[]): Pins {
  const pins: Pins = {};
  for (const stack of stacks) {
    const resources = stack.template.Resources ?? {};
    const stateful = Object.entries(resources).filter(([, r]) => isStatefulType(r.Type));
    if (stateful.length > 0) pins[stack.path] = Object.fromEntries(stateful.map(([id, r]) => [id, r.Type]).sort());
  }
  return pins;
}

/** One message per difference, each saying what it would do to data. */
export function compareStatefulIds(pinned: Pins, current: Pins): string[] {
  const problems: string[] = [];
  for (const [stack, ids] of Object.entries(pinned)) {
    for (const [id, type] of Object.entries(ids)) {
      const now = current[stack]?.[id];
      if (now === undefined) {
        problems.push(
          `${stack}: ${id} (${type}) is gone. A changed construct ID makes CloudFormation replace the resource, which loses its data. Restore the construct ID; if the replacement is intended, migrate the data first and update ${path.basename(PIN_FILE)}.`,
        );
      } else if (now !== type) {
        problems.push(`${stack}: ${id} changed type from ${type} to ${now}; CloudFormation would replace it and lose its data.`);
      }
    }
  }
  for (const [stack, ids] of Object.entries(current)) {
    for (const [id, type] of Object.entries(ids)) {
      if (pinned[stack]?.[id] === undefined) {
        problems.push(
          `${stack}: new stateful resource ${id} (${type}) is not pinned; add it to ${path.basename(PIN_FILE)} so a later rename is caught.`,
        );
      }
    }
  }
  return problems;
}

describe('stateful logical IDs', () => {
  // GIVEN every stack the platform synthesizes (shared by the jest run: test/contracts/world.ts)
  const current = statefulIds(world().stacks);

  test('every stateful resource keeps its logical ID (a rename would replace it and lose data)', () => {
    if (process.env.UPDATE_STATEFUL_IDS) fs.writeFileSync(PIN_FILE, `${JSON.stringify(current, null, 2)}\n`);
    const pinned: Pins = JSON.parse(fs.readFileSync(PIN_FILE, 'utf8'));
    expect(compareStatefulIds(pinned, current)).toEqual([]);
  });

  test('the pin list covers the database, the buckets, the keys and the VPC of every environment', () => {
    const types = Object.entries(current)
      .filter(([stack]) => !stack.startsWith('Tooling/'))
      .flatMap(([, ids]) => Object.values(ids));
    expect(types.filter((t) => t === 'AWS::RDS::DBInstance')).toHaveLength(4); // prod has a replica
    // 6 per env (logs, ALB logs, uploads, assets, canary artifacts, audit trail) + 2 in prod's DR region
    expect(types.filter((t) => t === 'AWS::S3::Bucket')).toHaveLength(20);
    expect(types.filter((t) => t === 'AWS::EC2::VPC')).toHaveLength(4); // one per environment + prod's DR region
    // a backup vault per environment + prod's DR vault that receives the copies
    expect(types.filter((t) => t === 'AWS::Backup::BackupVault')).toHaveLength(4);
    // and none in the tooling account: the release gates run in the environments' VPCs (ADR 0004)
    expect(Object.values(current['Tooling/Delivery'] ?? {})).not.toContain('AWS::EC2::VPC');
  });

  test("the pin list covers the pipelines' artifact buckets and keys, in every region they replicate to", () => {
    // GIVEN the pipelines' stacks: each has an artifact bucket and key, and a build cache; a
    // replication bucket and key per other region its stages deploy to
    const pipelines = Object.entries(current).filter(([stack]) => /^Tooling\/(Pipeline|cross-region-stack-)/.test(stack));
    const types = pipelines.flatMap(([, ids]) => Object.values(ids));
    // THEN every artifact store is pinned: 2 pipelines x (artifacts + cache) + 3 replication buckets (dev: us-east-1; release: us-east-1, eu-central-1)
    expect(types.filter((t) => t === 'AWS::S3::Bucket')).toHaveLength(7);
    expect(types.filter((t) => t === 'AWS::KMS::Key')).toHaveLength(5);
  });

  test('a renamed bucket is reported as data loss', () => {
    const pinned = { 'Prod/Data': { UploadsBucket8866C748: 'AWS::S3::Bucket' } };
    const renamed = { 'Prod/Data': { UserFilesBucket1234ABCD: 'AWS::S3::Bucket' } };
    expect(compareStatefulIds(pinned, renamed)).toEqual([
      'Prod/Data: UploadsBucket8866C748 (AWS::S3::Bucket) is gone. A changed construct ID makes CloudFormation replace the resource, which loses its data. Restore the construct ID; if the replacement is intended, migrate the data first and update stateful-logical-ids.json.',
      'Prod/Data: new stateful resource UserFilesBucket1234ABCD (AWS::S3::Bucket) is not pinned; add it to stateful-logical-ids.json so a later rename is caught.',
    ]);
  });

  test('a type change is reported', () => {
    expect(compareStatefulIds({ S: { Db: 'AWS::RDS::DBInstance' } }, { S: { Db: 'AWS::RDS::DBCluster' } })).toEqual([
      'S: Db changed type from AWS::RDS::DBInstance to AWS::RDS::DBCluster; CloudFormation would replace it and lose its data.',
    ]);
  });
});
