import {
  TemplateData,
  alertEntry,
  alertField,
  earliestFiring,
  eachAlert,
  evaluate,
  firingCount,
  goJsonMarshal,
  groupEntry,
  groupField,
  object,
  printable,
  printf,
  render,
  text,
  toGoTemplate,
  upper,
} from '../../lib/config/go-template';

const alert = (status: 'firing' | 'resolved', startsAt: string, summary: string) => ({
  Status: status,
  Labels: {},
  Annotations: { summary },
  StartsAt: startsAt,
  EndsAt: '0001-01-01T00:00:00Z',
  GeneratorURL: '',
  Fingerprint: summary,
});

const DATA: TemplateData = {
  Receiver: 'critical',
  Status: 'firing',
  Alerts: [
    alert('resolved', '2026-12-01T03:00:00Z', 'a'),
    alert('firing', '2026-12-01T03:14:15.926Z', 'b'),
    alert('firing', '2026-12-01T03:20:00Z', 'c'),
  ],
  GroupLabels: { alertname: 'Down' },
  CommonLabels: { severity: 'critical' },
  CommonAnnotations: {},
  ExternalURL: 'http://alertmanager',
};

describe('the Go template text of a definition', () => {
  test('fields, map entries (index), toUpper and printf as Alertmanager executes them', () => {
    expect(toGoTemplate(printf('%s %s: %s', upper(groupField('Status')), groupEntry('CommonLabels', 'severity'), text('x')))).toBe(
      '{{- (printf "%s %s: %s" (toUpper .Status) (index .CommonLabels "severity") "x") -}}',
    );
  });

  test('an object is one toJson of nested dicts, preceded by the variables it uses; every action trims the space around it', () => {
    const root = object({ a: text('1'), b: object({ n: printf('%d', firingCount()), since: printf('%d', earliestFiring()) }) });
    expect(toGoTemplate(root)).toBe(
      '{{- $v0 := 0 -}}' +
        '{{- range .Alerts.Firing -}}{{- if or (eq $v0 0) (lt .StartsAt.Unix $v0) -}}{{- $v0 = .StartsAt.Unix -}}{{- end -}}{{- end -}}' +
        '{{- toJson (dict "a" "1" "b" (dict "n" (printf "%d" (len .Alerts.Firing)) "since" (printf "%d" $v0))) -}}',
    );
  });

  test('eachAlert accumulates at most `limit` alerts in a variable; printable strips and cuts with two reReplaceAll', () => {
    const list = eachAlert(2, '- %s %s\n', alertField('Status'), alertEntry('Annotations', 'summary'));
    expect(toGoTemplate(object({ list, list2: list }))).toBe(
      '{{- $v0 := "" -}}{{- range $i, $alert := .Alerts -}}{{- if lt $i 2 -}}' +
        '{{- $v0 = printf "%s- %s %s\\n" $v0 .Status (index .Annotations "summary") -}}{{- end -}}{{- end -}}' +
        '{{- toJson (dict "list" $v0 "list2" $v0) -}}',
    );
    expect(toGoTemplate(printable(groupField('Receiver'), 5))).toBe(
      '{{- (reReplaceAll "^(.{0,5}).*$" "${1}" (reReplaceAll "[^ -~]+" "" .Receiver)) -}}',
    );
  });
});

describe('what the template produces for given data', () => {
  test('fields, entries (absent ones empty), counts and the earliest firing start', () => {
    expect(
      evaluate(printf('%s/%s/%s', groupField('Receiver'), groupEntry('GroupLabels', 'alertname'), groupEntry('GroupLabels', 'nope')), DATA),
    ).toBe('critical/Down/');
    expect(evaluate(firingCount(), DATA)).toBe(2);
    // the resolved alert started earlier but does not count; Unix seconds, rounded down
    expect(evaluate(earliestFiring(), DATA)).toBe(Date.UTC(2026, 11, 1, 3, 14, 15) / 1000);
    expect(evaluate(earliestFiring(), { ...DATA, Alerts: [] })).toBe(0);
    expect(evaluate(printf('100%% %d', firingCount()), DATA)).toBe('100% 2');
  });

  test('eachAlert formats the first alerts in order', () => {
    expect(evaluate(eachAlert(2, '[%s %s]', upper(alertField('Status')), alertEntry('Annotations', 'summary')), DATA)).toBe(
      '[RESOLVED a][FIRING b]',
    );
  });

  test('printable keeps printable ASCII and cuts it', () => {
    expect(evaluate(printable(text('é"\nab\u0001cdefg😀'), 5), DATA)).toBe('"abcd');
  });

  test('render: an object as JSON, a string as itself', () => {
    expect(render(object({ b: text('2'), a: text('1') }), DATA)).toBe('{"a":"1","b":"2"}');
    expect(render(text('plain <b>'), DATA)).toBe('plain <b>');
  });

  test('an alert field outside eachAlert is an error', () => {
    expect(() => evaluate(alertField('Status'), DATA)).toThrow('an alert field is read outside eachAlert');
  });

  test('a start time that is not RFC 3339 is an error', () => {
    expect(() => evaluate(earliestFiring(), { ...DATA, Alerts: [alert('firing', 'yesterday', 'x')] })).toThrow(
      'yesterday is not an RFC 3339 time',
    );
  });
});

describe("Go's json.Marshal, as toJson writes it", () => {
  const HOSTILE = [
    '"quoted"',
    'back\\slash',
    'new\nline\r\ttab',
    '\b\f',
    '<script>&</script>',
    'é ü 中文 😀',
    '\u2028\u2029',
    '\u0001\u001f\u007f',
    '{{ .Status }} %s',
    '',
  ];

  test.each(HOSTILE)('%j is valid JSON and reads back unchanged', (s) => {
    const json = goJsonMarshal({ s });
    expect(JSON.parse(json)).toEqual({ s });
  });

  test('the escapes Go writes: short ones, \\u00XX for other control characters, HTML characters and line separators', () => {
    expect(goJsonMarshal('"\\\b\f\n\r\t\u0001<>&\u2028\u2029\u007fé')).toBe(
      '"\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u003c\\u003e\\u0026\\u2028\\u2029\u007fé"',
    );
  });

  test('keys are sorted, integers are numbers, a lone surrogate becomes the replacement character', () => {
    expect(goJsonMarshal({ b: 1, a: { d: 'x', c: '\ud800' } })).toBe('{"a":{"c":"\\ufffd","d":"x"},"b":1}');
  });
});

describe('a definition is checked as it is built', () => {
  test.each([
    [() => printf('%s %s', text('a')), 'printf: "%s %s" takes 2 arguments, got 1'],
    [() => printf('%d', text('a')), 'printf argument 1 (%d): expects a int, got string (text)'],
    [() => printf('%s', firingCount()), 'printf argument 1 (%s): expects a string, got int (firingCount)'],
    [() => printf('%v', text('a')), 'printf: verb %v in "%v" is not supported; use %s, %d or %%'],
    [() => printf('100%'), 'printf: verb % in "100%" is not supported; use %s, %d or %%'],
    [() => upper(firingCount()), 'toUpper: expects a string, got int (firingCount)'],
    [() => upper(object({})), 'toUpper: expects a string, got object (object)'],
    [() => object({ n: firingCount() }), 'object: n is an integer; format it with printf("%d", ...)'],
    [() => eachAlert(0, '%s', alertField('Status')), 'eachAlert: limit 0 must be a positive integer'],
    [() => eachAlert(3, '%s', groupField('Status')), 'eachAlert: its arguments are read from each alert; pass alertField/alertEntry'],
    [
      () => eachAlert(3, '%s', printf('%s', upper(groupEntry('CommonLabels', 'x')))),
      'eachAlert: its arguments are read from each alert; pass alertField/alertEntry',
    ],
    [
      () => eachAlert(3, '%s', printf('%s%s', alertField('Status'), groupField('Status'))),
      'eachAlert: its arguments are read from each alert; pass alertField/alertEntry',
    ],
    [() => eachAlert(3, '%d', firingCount()), 'eachAlert: its arguments are read from each alert; pass alertField/alertEntry'],
    [() => printable(text('a'), 0), 'printable: maxLength 0 must be 1..1000'],
  ])('%p refuses: %s', (build, message) => {
    expect(build).toThrow(message);
  });

  test('eachAlert takes literals and alert fields mixed in printf', () => {
    expect(() => eachAlert(3, '%s', printf('%s%s', text('-'), alertEntry('Labels', 'pod')))).not.toThrow();
  });
});
