/**
 * "Did you mean" for configuration keys and names: the nearest valid candidate to a mistyped one.
 * Pure; shared by every validator so that a typo is answered the same way at every level.
 */

/**
 * Edit distance with adjacent transpositions (optimal string alignment), case-insensitive:
 * `pathPrefx` is 1 from `pathPrefix`, `prdo` 1 from `prod`.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/**
 * The candidate closest to `key`, when it is close enough to be a typo of it: at most a third of
 * the key's length away (at least one edit), or differing only in case. Ties go to the first
 * candidate.
 */
export function nearest(key: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.max(1, Math.floor(key.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `did you mean "pathPrefix"?`, or undefined when no candidate is near. */
export function didYouMean(key: string, candidates: readonly string[]): string | undefined {
  const match = nearest(key, candidates);
  return match === undefined ? undefined : `did you mean ${JSON.stringify(match)}?`;
}

/** The message of a key that is not a field at its level: the nearest valid key, or all of them. */
export function unknownKeyMessage(key: string, candidates: readonly string[]): string {
  const hint = didYouMean(key, candidates);
  return hint ? `unknown key; ${hint}` : `unknown key; use one of ${candidates.join(', ')}`;
}

/** A validator's own message, followed by `; did you mean "x"?` when a candidate is near `key`. */
export function withSuggestion(key: string, candidates: readonly string[], message: string): string {
  const hint = didYouMean(key, candidates);
  return hint ? `${message}; ${hint}` : message;
}
