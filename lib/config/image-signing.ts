/**
 * Image signing, as both sides see it: which environments admit only signed images, the KMS key
 * images are signed with (tooling account), and who may sign. The tooling stage creates the key
 * under `imageSigningKey().aliasName`; the cluster's Kyverno verifies with `imageSigningKey().kmsUri`;
 * the pipeline signs with the same URI. Pure functions, no imports beyond `lib/config`.
 */
import { PLATFORM } from './platform';
import { EnvironmentTier } from './types';

/** Tiers whose clusters admit only images signed by the pipeline. */
export const SIGNED_IMAGE_TIERS: readonly EnvironmentTier[] = ['staging', 'production'];

/** Whether an environment's cluster admits only signed images from the platform registry. */
export function signedImagesRequired(tier: EnvironmentTier): boolean {
  return SIGNED_IMAGE_TIERS.includes(tier);
}

/** Where the image signing key lives: the tooling account and its region. */
export interface SigningKeyLocation {
  /** The tooling account. */
  readonly account: string;
  /** The tooling account's home region. */
  readonly region: string;
}

/** How both sides address the key images are signed with (cosign, AWS KMS, ECC_NIST_P256). */
export interface ImageSigningKeyRef extends SigningKeyLocation {
  /** Alias name, e.g. `alias/saas-platform/image-signing`; the Signing stack creates it. */
  readonly aliasName: string;
  /** Alias ARN, e.g. `arn:aws:kms:eu-west-1:000000000000:alias/saas-platform/image-signing`. */
  readonly aliasArn: string;
  /**
   * The key as cosign names it, `awskms:///<alias ARN>`: the pipeline signs with it and Kyverno
   * verifies with it. An alias ARN because the key is in another account: KMS accepts a
   * cross-account key only by key ARN or alias ARN, and the key ARN is not known before deploy.
   */
  readonly kmsUri: string;
}

/**
 * The image signing key: an asymmetric KMS key in the tooling account, addressed by an alias
 * derived from config. The tooling stage creates it; every environment's Kyverno verifies with
 * it; the pipeline signs with it.
 */
export function imageSigningKey(
  location: SigningKeyLocation = { account: PLATFORM.accounts.tooling, region: PLATFORM.region },
): ImageSigningKeyRef {
  const aliasName = `alias/${PLATFORM.application}/image-signing`;
  const aliasArn = `arn:aws:kms:${location.region}:${location.account}:${aliasName}`;
  return { ...location, aliasName, aliasArn, kmsUri: `awskms:///${aliasArn}` };
}

/**
 * Name of the role in the tooling account that may sign images with the signing key, e.g.
 * `saas-platform-image-signer`. The key policy lets no other principal sign; the pipeline (its
 * own issue) creates the role under this name and gives it `kms:Sign` on the key.
 */
export function imageSignerRoleName(): string {
  return `${PLATFORM.application}-image-signer`;
}
