/**
 * What a restore test checks in the restored copy, free of AWS: the database answers a query on the
 * known table (`RESTORE_CHECK_TABLE`, kept by the database-users step), the bucket holds the known
 * object. Each check returns a verdict with a message for `PutRestoreValidationResult` (never a
 * secret: no connection string, no password).
 */

/** The part of a `pg` client the database check uses. */
export interface SqlClient {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The outcome of one check. */
export interface Verdict {
  readonly ok: boolean;
  /** What was found, for the validation result and the log. */
  readonly message: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `<schema>.<table>` as a quoted, checked identifier pair. */
function tableIdentifier(qualified: string): string {
  const parts = qualified.split('.');
  if (parts.length !== 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new Error(`"${qualified}" is not <schema>.<table> of lower-case identifiers`);
  }
  return parts.map((p) => `"${p}"`).join('.');
}

/** The restored database holds the known table and its row: it was restored with data, and it answers queries. */
export async function checkDatabase(client: SqlClient, qualifiedTable: string): Promise<Verdict> {
  const table = tableIdentifier(qualifiedTable);
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n, max(written_at) AS written_at FROM ${table}`);
    const n = Number(rows[0]?.n ?? 0);
    if (n < 1)
      return { ok: false, message: `${qualifiedTable} is empty in the restored database; expected the row the database-users step writes` };
    const at = rows[0]?.written_at instanceof Date ? (rows[0].written_at as Date).toISOString() : String(rows[0]?.written_at);
    return { ok: true, message: `${qualifiedTable} answered: ${n} row, written ${at}` };
  } catch (e) {
    return { ok: false, message: `querying ${qualifiedTable} in the restored database failed: ${(e as Error).message}` };
  }
}

/** The restored bucket lists the known object. */
export function checkBucketListing(keys: readonly string[], expectedKey: string, bucket: string): Verdict {
  return keys.includes(expectedKey)
    ? { ok: true, message: `${bucket} holds ${expectedKey}` }
    : {
        ok: false,
        message: `${bucket} does not hold ${expectedKey}; the restored bucket lacks the object every recovery point should have`,
      };
}

/** The restore job took at most the RTO. */
export function checkDuration(created: Date | undefined, completed: Date | undefined, rtoMinutes: number): Verdict {
  if (!created || !completed) return { ok: false, message: 'the restore job reports no creation or completion time' };
  const minutes = Math.ceil((completed.getTime() - created.getTime()) / 60_000);
  return minutes <= rtoMinutes
    ? { ok: true, message: `restored in ${minutes} min (RTO ${rtoMinutes} min)` }
    : { ok: false, message: `restored in ${minutes} min, over the RTO of ${rtoMinutes} min` };
}

/** All verdicts together: ok when every one is, the messages joined. */
export function combine(verdicts: readonly Verdict[]): Verdict {
  return { ok: verdicts.every((v) => v.ok), message: verdicts.map((v) => v.message).join('; ') };
}
