import { awsEgress } from '../../cdk8s/egress';
import { dev, prod } from '../../lib/config/environments';
import { subnetCidrs } from '../../lib/config/network-layout';
import { SERVICES } from '../../lib/config/service-catalog';
import { withValue } from '../helpers';

const [WEB_API] = SERVICES;
const service = (changes: Record<string, unknown>) => Object.entries(changes).reduce((s, [k, v]) => withValue(s, k, v), WEB_API);

describe('awsEgress: destinations derived from what a service uses', () => {
  test('nothing in AWS: no destination at all (not even the agent)', () => {
    expect(awsEgress(service({ database: false, aws: [] }), prod)).toEqual([]);
  });

  test('a database user reaches the agent (for its IAM token), the proxy in the private subnets and, in prod, the replica in the isolated ones', () => {
    const plan = subnetCidrs(prod.network);
    expect(awsEgress(service({ database: true, aws: [] }), prod)).toEqual([
      { purpose: 'EKS Pod Identity agent (credentials of the pod role)', cidrs: ['169.254.170.23/32'], ports: [80] },
      { purpose: 'RDS Proxy (private subnets)', cidrs: plan.private, ports: [5432] },
      { purpose: 'database read replica (isolated subnets)', cidrs: plan.isolated, ports: [5432] },
    ]);
    // dev has no replica: no path to the isolated subnets
    expect(awsEgress(service({ database: true, aws: [] }), dev).map((t) => t.purpose)).toEqual([
      'EKS Pod Identity agent (credentials of the pod role)',
      'RDS Proxy (private subnets)',
    ]);
  });

  test('the uploads bucket is reached through the S3 gateway endpoint: public ranges on 443, never the VPC or link-local', () => {
    const targets = awsEgress(service({ database: false, aws: ['uploads'] }), prod);
    expect(targets).toEqual([
      { purpose: 'EKS Pod Identity agent (credentials of the pod role)', cidrs: ['169.254.170.23/32'], ports: [80] },
      {
        purpose: 's3 API (gateway endpoint, public address ranges)',
        cidrs: ['0.0.0.0/0'],
        except: [prod.network.vpcCidr, '169.254.0.0/16'],
        ports: [443],
      },
    ]);
  });

  test('an API with an interface endpoint in the environment is reached in the private subnets; without one, through the NAT', () => {
    // GIVEN a fixture resource behind SQS, an environment with the sqs endpoint and one without
    const resources = { uploads: { description: 'queue', endpoint: { kind: 'interface' as const, service: 'sqs' } } };
    const withEndpoint = withValue(prod, 'network.interfaceEndpoints', ['sqs']);
    const withoutEndpoint = withValue(prod, 'network.interfaceEndpoints', ['ecr.api']);
    const user = service({ database: false, aws: ['uploads'] });
    expect(awsEgress(user, withEndpoint, resources)[1]).toEqual({
      purpose: 'sqs API (interface endpoint, private subnets)',
      cidrs: subnetCidrs(prod.network).private,
      ports: [443],
    });
    expect(awsEgress(user, withoutEndpoint, resources)[1]).toEqual({
      purpose: 'sqs API (NAT, no interface endpoint in this environment, public address ranges)',
      cidrs: ['0.0.0.0/0'],
      except: [prod.network.vpcCidr, '169.254.0.0/16'],
      ports: [443],
    });
  });

  test('two resources behind the same API make one destination', () => {
    const resources = {
      uploads: { description: 'a', endpoint: { kind: 'gateway' as const, service: 's3' } },
      archive: { description: 'b', endpoint: { kind: 'gateway' as const, service: 's3' } },
    };
    const user = service({ database: false, aws: ['uploads', 'archive'] });
    expect(awsEgress(user, prod, resources).filter((t) => t.purpose.startsWith('s3'))).toHaveLength(1);
  });
});
