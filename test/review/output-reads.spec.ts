import { CfnTemplate } from '../../lib/review/model';
import { removedOutputReads } from '../../lib/review/output-reads';
import { pairStacks } from '../../lib/review/stack-changes';
import { resource, stack, stackOutput } from './templates';

const producer = (outputs: string[]): CfnTemplate => ({
  Resources: { Vpc: resource('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' }) },
  Outputs: Object.fromEntries(outputs.map((o) => [o, { Value: { Ref: 'Vpc' } }])),
});
const consumer = (reads: string[]): CfnTemplate => ({
  Resources: Object.fromEntries(
    reads.map((o, i) => [`Sg${i}`, resource('AWS::EC2::SecurityGroup', { GroupDescription: 'x', VpcId: stackOutput('Dev-Network', o) })]),
  ),
});

describe('removedOutputReads', () => {
  test('an output the head drops while the head consumer still reads it: readBy head', () => {
    const pairs = pairStacks(
      [stack('Dev/Network', producer(['VpcId'])), stack('Dev/Cluster', consumer(['VpcId']))],
      [stack('Dev/Network', producer([])), stack('Dev/Cluster', consumer(['VpcId']))],
    );
    expect(removedOutputReads(pairs)).toEqual([
      {
        producer: 'Dev/Network',
        producerKey: '111111111111/eu-west-1/Dev-Network',
        output: 'VpcId',
        consumer: 'Dev/Cluster',
        readBy: 'head',
      },
    ]);
  });

  test('an output the head drops that only the deployed consumer reads: readBy deployed', () => {
    const pairs = pairStacks(
      [stack('Dev/Network', producer(['OldVpcId'])), stack('Dev/Cluster', consumer(['OldVpcId']))],
      [stack('Dev/Network', producer(['NewVpcId'])), stack('Dev/Cluster', consumer(['NewVpcId']))],
    );
    expect(removedOutputReads(pairs).map((r) => [r.output, r.consumer, r.readBy])).toEqual([['OldVpcId', 'Dev/Cluster', 'deployed']]);
  });

  test('outputs kept, or removed and read by nobody, are fine', () => {
    const pairs = pairStacks(
      [stack('Dev/Network', producer(['VpcId', 'Unused'])), stack('Dev/Cluster', consumer(['VpcId']))],
      [stack('Dev/Network', producer(['VpcId'])), stack('Dev/Cluster', consumer(['VpcId']))],
    );
    expect(removedOutputReads(pairs)).toEqual([]);
  });

  test('a read in another region names that region: a same-named stack elsewhere is another stack', () => {
    const reader: CfnTemplate = {
      Resources: { Sg: resource('AWS::EC2::SecurityGroup', { VpcId: stackOutput('Dev-Network', 'VpcId', 'us-east-1') }) },
    };
    const pairs = pairStacks(
      [stack('Dev/Network', producer(['VpcId'])), stack('Dev/Cluster', reader)],
      [stack('Dev/Network', producer([])), stack('Dev/Cluster', reader)],
    );
    expect(removedOutputReads(pairs)).toEqual([]);
  });

  test('a whole producer stack no longer in the app drops all its outputs', () => {
    const pairs = pairStacks(
      [stack('Dev/Network', producer(['VpcId'])), stack('Dev/Cluster', consumer(['VpcId']))],
      [stack('Dev/Cluster', consumer([]))],
    );
    expect(removedOutputReads(pairs).map((r) => [r.producer, r.output, r.readBy])).toEqual([['Dev/Network', 'VpcId', 'deployed']]);
  });
});
