import { cidrsOverlap, parseCidr, Cidr } from '../../lib/config/cidr';

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cidr;
};

describe('parseCidr', () => {
  test('parses a network address and prefix', () => {
    expect(cidr('10.20.0.0/16')).toEqual({ network: (10 << 24) + (20 << 16), prefix: 16 });
  });
  test('accepts /0 and /32', () => {
    expect(cidr('0.0.0.0/0').prefix).toBe(0);
    expect(cidr('192.168.1.7/32').prefix).toBe(32);
  });
  test('rejects host bits with a suggestion', () => {
    expect(parseCidr('192.168.1.7/24')).toEqual({ ok: false, reason: 'has host bits set; did you mean 192.168.1.0/24?' });
  });
});

describe('cidrsOverlap', () => {
  test.each([
    ['10.0.0.0/16', '10.0.128.0/17', true],
    ['10.0.0.0/16', '10.1.0.0/16', false],
    ['0.0.0.0/0', '172.16.0.0/12', true],
    ['172.16.0.0/12', '172.32.0.0/16', false],
  ])('%s and %s overlap: %s', (a, b, expected) => {
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(expected);
    expect(cidrsOverlap(cidr(b), cidr(a))).toBe(expected);
  });
});
