import { ControllerStatement } from './policy-json';

/** Where the upstream policy is from (the ExternalDNS version `lib/config/addon-pins.ts` pins). */
export const EXTERNAL_DNS_POLICY_SOURCE = 'kubernetes-sigs/external-dns@v0.21.0:docs/tutorials/aws.md ("IAM Policy")';

/**
 * ExternalDNS's policy: the upstream tutorial's two statements, narrowed as its "Further
 * improvements" section suggests: record reads and changes in this environment's zone only (upstream:
 * every zone); zone listing and tag reads stay on every zone (ListHostedZones has no resource scoping,
 * and ExternalDNS reads the tags of the zones it lists before it filters them by domain).
 */
export function externalDnsStatements(hostedZoneArn: string): ControllerStatement[] {
  return [
    {
      statement: {
        Sid: 'ChangeRecordsInOwnZone',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'],
        Resource: hostedZoneArn,
      },
      why: 'Record changes in this environment zone only.',
    },
    {
      statement: {
        Sid: 'ReadZoneTags',
        Effect: 'Allow',
        Action: ['route53:ListTagsForResources'],
        Resource: 'arn:aws:route53:::hostedzone/*',
      },
      why: 'Reads the tags of the zones it lists (read-only).',
    },
    {
      statement: { Sid: 'ListZones', Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' },
      why: 'ListHostedZones supports no resource scoping.',
    },
  ];
}
