/** A parsed IPv4 CIDR block. */
export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
}

/** The outcome of parsing: the block, or why the text is not one. */
export type CidrParse = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string };

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parse `a.b.c.d/n`. Rejects octets above 255, prefixes above 32 and host bits that are set
 * (`10.0.0.1/16` is a typo for `10.0.0.0/16`, and CloudFormation would reject it at deploy time).
 */
export function parseCidr(text: string): CidrParse {
  const m = OCTETS.exec(text);
  if (!m) return { ok: false, reason: 'is not an IPv4 CIDR; use a.b.c.d/n' };
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return { ok: false, reason: 'has an octet above 255' };
  if (prefix > 32) return { ok: false, reason: 'has a prefix above /32' };
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (address & mask) >>> 0;
  if (network !== address) {
    return { ok: false, reason: `has host bits set; did you mean ${formatAddress(network)}/${prefix}?` };
  }
  return { ok: true, cidr: { network, prefix } };
}

/** Whether two blocks share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (a.network & mask) >>> 0 === (b.network & mask) >>> 0;
}

/** An address as dotted quads: `167772160` -> `10.0.0.0`. */
export function formatAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
