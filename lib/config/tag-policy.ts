/**
 * The tagging policy: which tags every resource must carry and what their values may look like.
 *
 * One definition serves two checks: the config validator (a tag value in config is malformed)
 * and the synth-time policy in `lib/policies/tagging-policy.ts` (a resource lacks a tag).
 */
export interface TagRule {
  /** Tag key. */
  readonly key: string;
  /** The value must match this pattern. */
  readonly pattern: RegExp;
  /** Human description of what is allowed, quoted in error messages. */
  readonly allowed: string;
}

/** Tags every taggable resource must carry. */
export const REQUIRED_TAGS: readonly TagRule[] = [
  { key: 'Environment', pattern: /^[a-z][a-z0-9-]{1,15}$/, allowed: 'the environment name (lower-case, 2..16 chars)' },
  { key: 'Application', pattern: /^[a-z][a-z0-9-]{1,31}$/, allowed: 'a lower-case slug of 2..32 chars' },
  { key: 'Owner', pattern: /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, allowed: 'a team e-mail address' },
  { key: 'CostCenter', pattern: /^CC-[0-9]{4,6}$/, allowed: "'CC-' followed by 4..6 digits" },
];

/** Tags stateful resources (data stores, keys, vaults, the VPC) must carry in addition. */
export const STATEFUL_TAGS: readonly TagRule[] = [
  {
    key: 'DataClassification',
    pattern: /^(public|internal|confidential|restricted)$/,
    allowed: 'public, internal, confidential or restricted',
  },
  { key: 'Backup', pattern: /^(none|daily|hourly)$/, allowed: 'none, daily or hourly' },
];
