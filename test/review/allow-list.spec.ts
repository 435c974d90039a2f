import { parseAllowList } from '../../lib/review/allow-list';

const entry = {
  stack: 'Prod/Data',
  logicalId: 'DatabaseF44359DD',
  reason: 'restored from snapshot into the new instance',
  approvedBy: 'dba@example.com',
};
const problemsOf = (value: unknown) => parseAllowList(value, 'review-allow.json').problems;

describe('parseAllowList', () => {
  test('a valid file gives its entries; no file is an empty list', () => {
    expect(parseAllowList({ allow: [entry] }, 'review-allow.json')).toEqual({ entries: [entry], problems: [] });
    expect(parseAllowList(undefined, 'review-allow.json')).toEqual({ entries: [], problems: [] });
  });

  test.each([
    [[], 'review-allow.json: must be an object {"allow": [...]}'],
    [{ allow: {} }, 'review-allow.json: allow: must be a list of entries {"stack", "logicalId", "reason", "approvedBy"}'],
    [{}, 'review-allow.json: allow: must be a list of entries {"stack", "logicalId", "reason", "approvedBy"}'],
    [{ allow: ['x'] }, 'review-allow.json: allow[0]: must be an object {"stack", "logicalId", "reason", "approvedBy"}'],
    [
      { allow: [{ ...entry, stack: undefined }] },
      'review-allow.json: allow[0].stack: missing; give the stage/stack as the review prints it, e.g. "Prod/Data"',
    ],
    [
      { allow: [{ ...entry, logicalId: undefined }] },
      'review-allow.json: allow[0].logicalId: missing; give the logical ID (or output name) as the review prints it',
    ],
    [
      { allow: [{ ...entry, reason: ' ' }] },
      'review-allow.json: allow[0].reason: " " is not a non-empty string; say why removing or replacing it is safe',
    ],
    [
      { allow: [{ ...entry, approvedBy: 7 }] },
      'review-allow.json: allow[0].approvedBy: 7 is not a non-empty string; name who reviewed and approved it',
    ],
    [
      { allow: [{ ...entry, expires: '2027-01-01' }] },
      'review-allow.json: allow[0].expires: unknown field; allowed: stack, logicalId, reason, approvedBy',
    ],
    [
      { allow: [{ ...entry, stack: 'Prod Data' }] },
      'review-allow.json: allow[0].stack: "Prod Data" is not a stage/stack path; give the stage/stack as the review prints it, e.g. "Prod/Data"',
    ],
    [
      { allow: [{ ...entry, logicalId: 'Database-1' }] },
      'review-allow.json: allow[0].logicalId: "Database-1" is not a logical ID (letters and digits only); give the logical ID (or output name) as the review prints it',
    ],
    [{ allow: [], comment: 'x' }, 'review-allow.json: comment: unknown field; the file has one field, "allow"'],
  ])('%j: one line naming the field', (value, message) => {
    expect(problemsOf(value)).toEqual([message]);
  });

  test('every problem of the file is reported, duplicates named by position', () => {
    const problems = problemsOf({ allow: [entry, { stack: 'Prod/Data' }, entry] });
    expect(problems).toEqual([
      'review-allow.json: allow[1].logicalId: missing; give the logical ID (or output name) as the review prints it',
      'review-allow.json: allow[1].reason: missing; say why removing or replacing it is safe',
      'review-allow.json: allow[1].approvedBy: missing; name who reviewed and approved it',
      'review-allow.json: allow[2]: duplicates allow[0] (Prod/Data DatabaseF44359DD)',
    ]);
  });

  test('a stack outside any stage is its name alone', () => {
    expect(problemsOf({ allow: [{ ...entry, stack: 'Registry' }] })).toEqual([]);
  });
});
