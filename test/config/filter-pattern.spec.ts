import { CONSOLE_WITHOUT_MFA_PATTERN, ROOT_USE_PATTERN } from '../../lib/config/audit-rules';
import { filterMatches, parseFilterPattern, wildcardMatches } from './filter-pattern';

// The evaluator the audit rules' tests rely on: it must itself get the subset right.
describe('filter pattern evaluator', () => {
  test.each([
    ['abc', 'abc', true],
    ['abc', 'ab', false],
    ['abc', 'a*', true],
    ['abc', '*c', true],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false],
    ['arn:aws:iam::1:role/p-x', 'arn:aws:iam::1:role/p-*', true],
    ['arn:aws:iam::1:role/t/p-x', 'arn:aws:iam::1:role/p-*', false],
  ])('%s against %s: %s', (value, pattern, expected) => {
    expect(wildcardMatches(value, pattern)).toBe(expected);
  });

  test('&& binds tighter than ||; parentheses group', () => {
    const p = '{ ($.a = "1") || ($.b = "1") && ($.c = "1") }';
    expect(filterMatches(p, { a: '1' })).toBe(true);
    expect(filterMatches(p, { b: '1' })).toBe(false);
    expect(filterMatches('{ (($.a = "1") || ($.b = "1")) && ($.c = "1") }', { a: '1' })).toBe(false);
  });

  test('a missing field: = never matches; != by the reading chosen; NOT EXISTS / EXISTS', () => {
    expect(filterMatches('{ $.a = "*" }', {})).toBe(false);
    expect(filterMatches('{ $.a != "x" }', {}, 'neverMatches')).toBe(false);
    expect(filterMatches('{ $.a != "x" }', {}, 'notEqual')).toBe(true);
    expect(filterMatches('{ $.a.b NOT EXISTS }', { a: {} })).toBe(true);
    expect(filterMatches('{ $.a EXISTS }', { a: 'x' })).toBe(true);
  });

  test('the CIS patterns: root use by the user itself, console sign-in without MFA', () => {
    expect(filterMatches(ROOT_USE_PATTERN, { userIdentity: { type: 'Root' }, eventType: 'AwsApiCall' })).toBe(true);
    expect(filterMatches(ROOT_USE_PATTERN, { userIdentity: { type: 'Root', invokedBy: 'x' }, eventType: 'AwsApiCall' })).toBe(false);
    const login = { eventName: 'ConsoleLogin', userIdentity: { type: 'IAMUser' }, responseElements: { ConsoleLogin: 'Success' } };
    expect(filterMatches(CONSOLE_WITHOUT_MFA_PATTERN, { ...login, additionalEventData: { MFAUsed: 'No' } })).toBe(true);
    expect(filterMatches(CONSOLE_WITHOUT_MFA_PATTERN, { ...login, additionalEventData: { MFAUsed: 'Yes' } })).toBe(false);
  });

  test.each(['$.a = "x"', '{ $.a > 1 }', '{ $.a = x }', '{ ($.a = "x" }', '{ $.a = "x" ) }', '{ a = "x" }', '{ $.a = "x" % }'])(
    'outside the subset: %s is refused',
    (pattern) => {
      expect(() => parseFilterPattern(pattern)).toThrow(/^filter pattern: /);
    },
  );
});
