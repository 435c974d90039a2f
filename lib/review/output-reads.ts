/**
 * Stack outputs a change removes while another stack reads them. The app's cross-stack references
 * are weak (`Fn::GetStackOutput`): CloudFormation lets the producer drop an output whatever reads
 * it, and the consumer breaks on its next deploy (or rollback) instead.
 */
import { CfnTemplate, stackKey } from './model';
import { findReferences } from './references';
import { StackPair } from './replacements';

/** A removed output and one stack that reads it. */
export interface RemovedOutputRead {
  /** The producing stack (display name) and its key. */
  readonly producer: string;
  readonly producerKey: string;
  /** The output's name (its logical ID in the producer's template). */
  readonly output: string;
  /** The reading stack (display name). */
  readonly consumer: string;
  /** `head`: the change itself still reads it; `deployed`: only the consumer as deployed now (the base) reads it. */
  readonly readBy: 'head' | 'deployed';
}

/** Keys `producerKey|output` of every output a template reads. */
function outputsRead(pair: StackPair, template: CfnTemplate | undefined): Set<string> {
  const read = new Set<string>();
  for (const { reference } of findReferences([template?.Resources ?? {}, template?.Outputs ?? {}])) {
    if (reference.kind !== 'output') continue;
    const key = stackKey({
      account: reference.account ?? pair.account,
      region: reference.region ?? pair.region,
      stackName: reference.stackName,
    });
    read.add(`${key}|${reference.outputName}`);
  }
  return read;
}

/** Every output of the base that the head drops, with each stack that reads it (head or deployed). */
export function removedOutputReads(pairs: readonly StackPair[]): RemovedOutputRead[] {
  const reads = pairs.map((pair) => ({ pair, head: outputsRead(pair, pair.head), deployed: outputsRead(pair, pair.base) }));
  const found: RemovedOutputRead[] = [];
  for (const producer of pairs) {
    for (const output of Object.keys(producer.base?.Outputs ?? {})) {
      if (producer.head?.Outputs?.[output] !== undefined) continue;
      const key = `${producer.key}|${output}`;
      for (const consumer of reads) {
        const readBy = consumer.head.has(key) ? 'head' : consumer.deployed.has(key) ? 'deployed' : undefined;
        if (!readBy) continue;
        found.push({ producer: producer.displayName, producerKey: producer.key, output, consumer: consumer.pair.displayName, readBy });
      }
    }
  }
  return found;
}
