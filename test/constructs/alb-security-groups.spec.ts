import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AlbSecurityGroups, AlbSecurityGroupsProps } from '../../lib/constructs/alb-security-groups';
import { testApp } from '../helpers';

function synth(props: Partial<AlbSecurityGroupsProps> = {}): Template {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  new AlbSecurityGroups(stack, 'Groups', {
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a'] }),
    port: 443,
    rulesQuota: 60,
    groups: [
      {
        name: 'app-dev-alb-cloudfront',
        prefixListName: 'com.amazonaws.global.cloudfront.origin-facing',
        weight: 55,
        description: 'CloudFront',
      },
    ],
    ...props,
  });
  return Template.fromStack(stack);
}

describe('AlbSecurityGroups', () => {
  // GIVEN one group for CloudFront's origin-facing servers
  const template = synth();

  test('the group is in the VPC, tagged with its name, with no outbound rule of its own', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-12345678',
      Tags: [{ Key: 'Name', Value: 'app-dev-alb-cloudfront' }],
      SecurityGroupEgress: [
        { CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 },
      ],
    });
  });

  test('the prefix list ID is looked up at deploy time by name (synth stays offline), and only it is admitted, on the port', () => {
    const [lookupId, lookup] = Object.entries(template.findResources('Custom::AWS'))[0];
    for (const call of [lookup.Properties.Create, lookup.Properties.Update]) {
      expect(JSON.parse(call)).toEqual({
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] },
        physicalResourceId: { id: 'com.amazonaws.global.cloudfront.origin-facing' },
        outputPaths: ['PrefixLists.0.PrefixListId'],
      });
    }
    // the SDK the Lambda runtime ships: no download at deploy time
    expect(lookup.Properties.InstallLatestAwsSdk).toBe(false);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourcePrefixListId: { 'Fn::GetAtt': [lookupId, 'PrefixLists.0.PrefixListId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      Description: 'CloudFront',
    });
  });

  test.each([
    [
      'a name the controller would take for an ID',
      { name: 'sg-cloudfront', prefixListName: 'p', weight: 1, description: 'd' },
      'Test/Groups: name "sg-cloudfront" is not allowed; a name starting with sg- is taken for a group ID',
    ],
    [
      'a prefix list heavier than the rules quota',
      { name: 'x', prefixListName: 'big', weight: 61, description: 'd' },
      'Test/Groups: big counts 61 rules, above the quota of 60 rules per security group',
    ],
  ])('rejects %s', (_why, group, message) => {
    expect(() => synth({ groups: [group] })).toThrow(message);
  });
});
