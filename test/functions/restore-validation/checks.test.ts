import { checkBucketListing, checkDatabase, checkDuration, combine } from '../../../lib/functions/restore-validation/checks';

describe('restore validation checks (free of AWS)', () => {
  test('a table name that is not <schema>.<table> of lower-case identifiers is refused before any query', async () => {
    const query = jest.fn();
    await expect(checkDatabase({ query }, 'restore_check.marker; DROP TABLE x')).rejects.toThrow(
      '"restore_check.marker; DROP TABLE x" is not <schema>.<table> of lower-case identifiers',
    );
    await expect(checkDatabase({ query }, 'marker')).rejects.toThrow('"marker" is not <schema>.<table> of lower-case identifiers');
    expect(query).not.toHaveBeenCalled();
  });

  test('the row count and time are reported; a time that is not a Date is shown as text', async () => {
    const verdict = await checkDatabase({ query: async () => ({ rows: [{ n: 1, written_at: '2026-12-01' }] }) }, 'restore_check.marker');
    expect(verdict).toEqual({ ok: true, message: 'restore_check.marker answered: 1 row, written 2026-12-01' });
  });

  test('a job without times fails the RTO check; at the RTO exactly passes', () => {
    expect(checkDuration(undefined, new Date(), 60)).toEqual({
      ok: false,
      message: 'the restore job reports no creation or completion time',
    });
    const start = new Date('2026-12-01T06:00:00Z');
    expect(checkDuration(start, new Date('2026-12-01T07:00:00Z'), 60)).toEqual({ ok: true, message: 'restored in 60 min (RTO 60 min)' });
  });

  test('combine: ok only when every check is', () => {
    expect(combine([checkBucketListing(['a'], 'a', 'b'), { ok: false, message: 'late' }])).toEqual({
      ok: false,
      message: 'b holds a; late',
    });
  });
});
