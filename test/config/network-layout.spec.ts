import { subnetCidrs, subnetMasks } from '../../lib/config/network-layout';

describe('the address plan of a VPC', () => {
  test('tiers get a sixty-fourth (public, isolated) and an eighth (private) of the range', () => {
    expect(subnetMasks('10.0.0.0/16')).toEqual({ public: 22, private: 19, isolated: 22 });
    expect(subnetMasks('10.8.0.0/20')).toEqual({ public: 26, private: 23, isolated: 26 });
  });

  test('blocks are allocated tier by tier, zone by zone, each aligned to its own size', () => {
    // GIVEN three zones in a /16: three /22 public subnets fill 10.0.0.0-10.0.11.255, so the
    // first /19 private subnet must start at the next /19 boundary, 10.0.32.0
    const plan = subnetCidrs({ vpcCidr: '10.0.0.0/16', availabilityZones: ['a', 'b', 'c'] });
    expect(plan).toEqual({
      public: ['10.0.0.0/22', '10.0.4.0/22', '10.0.8.0/22'],
      private: ['10.0.32.0/19', '10.0.64.0/19', '10.0.96.0/19'],
      isolated: ['10.0.128.0/22', '10.0.132.0/22', '10.0.136.0/22'],
    });
  });

  test('two zones leave the alignment gap smaller', () => {
    const plan = subnetCidrs({ vpcCidr: '10.10.0.0/16', availabilityZones: ['a', 'b'] });
    expect(plan.private).toEqual(['10.10.32.0/19', '10.10.64.0/19']);
    expect(plan.isolated).toEqual(['10.10.96.0/22', '10.10.100.0/22']);
  });

  test('a malformed CIDR or a plan that does not fit is an error naming the field', () => {
    expect(() => subnetCidrs({ vpcCidr: '10.0.0.1/16', availabilityZones: ['a'] })).toThrow(
      'network.vpcCidr: "10.0.0.1/16" has host bits set; did you mean 10.0.0.0/16?',
    );
    // six /19 private subnets cannot follow the public ones inside a /16
    expect(() => subnetCidrs({ vpcCidr: '10.0.0.0/16', availabilityZones: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] })).toThrow(
      'network.vpcCidr: 10.0.0.0/16 has no room for the private subnets of every zone',
    );
  });
});
