/**
 * The few pieces of Go's text/template that a notification template of Alertmanager needs, as
 * data: one definition gives both the template text Alertmanager executes and, for a given group
 * of alerts, the exact text that execution produces. The Kubernetes side writes the first into the
 * `AlertmanagerConfig`; the tests feed the second to the code that reads the notifications (the
 * alert router), so the template and its reader cannot drift apart.
 *
 * Semantics are those of Alertmanager v0.33.1 (the version kube-prometheus-stack 88.3.0 runs):
 * notification fields are executed as text templates with `missingkey=zero` over `template.Data`
 * (`Status`, `Alerts`, `GroupLabels`, `CommonLabels`, `CommonAnnotations`...), with the functions
 * `toUpper`, `reReplaceAll`, `dict` and `toJson` (`json.Marshal`) next to Go's built-ins `printf`,
 * `len`, `index`, `eq`, `lt`, `or` (prometheus/alertmanager@v0.33.1:template/template.go,
 * `DefaultFuncs`, `Data`, `Alert`; notify/notify.go `TmplText`). Only what is below is modelled;
 * anything else is refused when the definition is built, so the mirror never guesses.
 *
 * Pure functions; no imports beyond lib/config.
 */

/** Fields of the group (`template.Data`) read as plain strings. */
export type GroupField = 'Status' | 'Receiver' | 'ExternalURL';

/** Label and annotation maps of the group (`template.KV`). */
export type GroupMap = 'GroupLabels' | 'CommonLabels' | 'CommonAnnotations';

/** Fields of one alert (`template.Alert`) read as plain strings. */
export type AlertField = 'Status' | 'Fingerprint';

/** Label and annotation maps of one alert. */
export type AlertMap = 'Labels' | 'Annotations';

/** One value of a template, string-valued unless said otherwise. */
export type TemplateNode =
  /** A literal string. */
  | { readonly kind: 'text'; readonly value: string }
  /** `.Status` of the group, or of the alert inside `eachAlert`. */
  | { readonly kind: 'field'; readonly scope: 'group'; readonly name: GroupField }
  | { readonly kind: 'field'; readonly scope: 'alert'; readonly name: AlertField }
  /** `index .CommonLabels "key"`: the empty string when the key is absent. */
  | { readonly kind: 'entry'; readonly scope: 'group'; readonly map: GroupMap; readonly key: string }
  | { readonly kind: 'entry'; readonly scope: 'alert'; readonly map: AlertMap; readonly key: string }
  /** `toUpper` (applied to ASCII values only: see `upper`). */
  | { readonly kind: 'upper'; readonly of: TemplateNode }
  /** `printf` with `%s` (strings) and `%d` (integers) only. */
  | { readonly kind: 'printf'; readonly format: string; readonly args: readonly TemplateNode[] }
  /** `len .Alerts.Firing` (an integer). */
  | { readonly kind: 'firingCount' }
  /** The earliest `.StartsAt.Unix` of the firing alerts, 0 when none fires (an integer). */
  | { readonly kind: 'earliestFiring' }
  /** The first `limit` alerts of the group, each formatted with `printf`, concatenated. */
  | { readonly kind: 'eachAlert'; readonly limit: number; readonly format: string; readonly args: readonly TemplateNode[] }
  /** Printable ASCII only (everything else removed), then at most `maxLength` characters. */
  | { readonly kind: 'printable'; readonly of: TemplateNode; readonly maxLength: number }
  /** `dict`: a JSON object once marshalled. */
  | { readonly kind: 'object'; readonly entries: Readonly<Record<string, TemplateNode>> };

/** One alert as the template sees it (`template.Alert`); times are RFC 3339. */
export interface TemplateAlert {
  readonly Status: 'firing' | 'resolved';
  readonly Labels: Readonly<Record<string, string>>;
  readonly Annotations: Readonly<Record<string, string>>;
  readonly StartsAt: string;
  readonly EndsAt: string;
  readonly GeneratorURL: string;
  readonly Fingerprint: string;
}

/** A notification's data as the template sees it (`template.Data`). */
export interface TemplateData {
  readonly Receiver: string;
  readonly Status: 'firing' | 'resolved';
  readonly Alerts: readonly TemplateAlert[];
  readonly GroupLabels: Readonly<Record<string, string>>;
  readonly CommonLabels: Readonly<Record<string, string>>;
  readonly CommonAnnotations: Readonly<Record<string, string>>;
  readonly ExternalURL: string;
}

// ---------------------------------------------------------------------------------------------
// Building a definition (type-checked as it is built)

/** A literal string. */
export const text = (value: string): TemplateNode => ({ kind: 'text', value });

/** A field of the group. */
export const groupField = (name: GroupField): TemplateNode => ({ kind: 'field', scope: 'group', name });

/** A field of the alert (inside `eachAlert` only). */
export const alertField = (name: AlertField): TemplateNode => ({ kind: 'field', scope: 'alert', name });

/** An entry of a label or annotation map of the group. */
export const groupEntry = (map: GroupMap, key: string): TemplateNode => ({ kind: 'entry', scope: 'group', map, key });

/** An entry of a label or annotation map of the alert (inside `eachAlert` only). */
export const alertEntry = (map: AlertMap, key: string): TemplateNode => ({ kind: 'entry', scope: 'alert', map, key });

/**
 * `toUpper` of a status or a label value. Go upper-cases by Unicode rune and JavaScript by its own
 * tables; the two agree on ASCII, which is all the platform upper-cases (statuses, severities).
 */
export const upper = (of: TemplateNode): TemplateNode => ({ kind: 'upper', of: requireType(of, 'string', 'toUpper') });

/** `len .Alerts.Firing`. */
export const firingCount = (): TemplateNode => ({ kind: 'firingCount' });

/** The earliest start (Unix seconds) of the firing alerts. */
export const earliestFiring = (): TemplateNode => ({ kind: 'earliestFiring' });

/** `printf`: each `%s` takes a string, each `%d` an integer, `%%` is a percent sign; nothing else. */
export function printf(format: string, ...args: TemplateNode[]): TemplateNode {
  checkFormat(format, args, 'printf');
  return { kind: 'printf', format, args };
}

/** The first `limit` alerts, each formatted by `format` over alert-scoped `args`, one after the other. */
export function eachAlert(limit: number, format: string, ...args: TemplateNode[]): TemplateNode {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`eachAlert: limit ${limit} must be a positive integer`);
  checkFormat(format, args, 'eachAlert');
  if (args.some(readsGroup)) throw new Error('eachAlert: its arguments are read from each alert; pass alertField/alertEntry');
  return { kind: 'eachAlert', limit, format, args };
}

/** Printable ASCII only, cut to `maxLength` characters (an SNS subject's constraints). */
export function printable(of: TemplateNode, maxLength: number): TemplateNode {
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 1000)
    throw new Error(`printable: maxLength ${maxLength} must be 1..1000`);
  return { kind: 'printable', of: requireType(of, 'string', 'printable'), maxLength };
}

/** A JSON object of strings and objects. */
export function object(entries: Record<string, TemplateNode>): TemplateNode {
  for (const [key, value] of Object.entries(entries)) {
    if (typeOf(value) === 'int') throw new Error(`object: ${key} is an integer; format it with printf("%d", ...)`);
  }
  return { kind: 'object', entries };
}

type ValueType = 'string' | 'int' | 'object';

function typeOf(node: TemplateNode): ValueType {
  if (node.kind === 'firingCount' || node.kind === 'earliestFiring') return 'int';
  return node.kind === 'object' ? 'object' : 'string';
}

function requireType(node: TemplateNode, type: ValueType, where: string): TemplateNode {
  if (typeOf(node) !== type) throw new Error(`${where}: expects a ${type}, got ${typeOf(node)} (${node.kind})`);
  return node;
}

/** Whether a node reads the group (inside `eachAlert` the dot is the alert, so it must not). */
function readsGroup(node: TemplateNode): boolean {
  switch (node.kind) {
    case 'field':
    case 'entry':
      return node.scope === 'group';
    case 'upper':
    case 'printable':
      return readsGroup(node.of);
    case 'printf':
      return node.args.some(readsGroup);
    case 'text':
      return false;
    default:
      return true;
  }
}

/** The verbs of a format, in order; throws on any verb but %s, %d, %%. */
function verbsOf(format: string, where: string): ('s' | 'd')[] {
  const verbs: ('s' | 'd')[] = [];
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const verb = format[++i];
    if (verb === 's' || verb === 'd') verbs.push(verb);
    else if (verb !== '%') throw new Error(`${where}: verb %${verb ?? ''} in ${JSON.stringify(format)} is not supported; use %s, %d or %%`);
  }
  return verbs;
}

function checkFormat(format: string, args: readonly TemplateNode[], where: string): void {
  const verbs = verbsOf(format, where);
  if (verbs.length !== args.length)
    throw new Error(`${where}: ${JSON.stringify(format)} takes ${verbs.length} arguments, got ${args.length}`);
  verbs.forEach((verb, i) => requireType(args[i], verb === 'd' ? 'int' : 'string', `${where} argument ${i + 1} (%${verb})`));
}

// ---------------------------------------------------------------------------------------------
// The Go template text

/** A Go interpreted string literal (strconv.Unquote reads what JSON.stringify writes). */
const goString = (value: string): string => JSON.stringify(value);

/**
 * The template text of a definition whose root is an `object`: a few variable assignments, then
 * `toJson` of the object. Every action trims the whitespace around it, so the output is the JSON
 * and nothing else. A root that is a string (a subject line) is executed as that expression.
 */
export function toGoTemplate(root: TemplateNode): string {
  const variables = new Map<TemplateNode, string>();
  const preamble: string[] = [];
  const declare = (node: TemplateNode): string => {
    const existing = variables.get(node);
    if (existing) return existing;
    const name = `$v${variables.size}`;
    variables.set(node, name);
    if (node.kind === 'eachAlert') {
      const args = node.args.map(expression).join(' ');
      preamble.push(
        `{{- ${name} := "" -}}`,
        `{{- range $i, $alert := .Alerts -}}{{- if lt $i ${node.limit} -}}`,
        `{{- ${name} = printf ${goString(`%s${node.format}`)} ${name} ${args} -}}`,
        `{{- end -}}{{- end -}}`,
      );
    } else {
      preamble.push(
        `{{- ${name} := 0 -}}`,
        `{{- range .Alerts.Firing -}}{{- if or (eq ${name} 0) (lt .StartsAt.Unix ${name}) -}}{{- ${name} = .StartsAt.Unix -}}{{- end -}}{{- end -}}`,
      );
    }
    return name;
  };
  const expression = (node: TemplateNode): string => {
    switch (node.kind) {
      case 'text':
        return goString(node.value);
      case 'field':
        return `.${node.name}`;
      case 'entry':
        return `(index .${node.map} ${goString(node.key)})`;
      case 'upper':
        return `(toUpper ${expression(node.of)})`;
      case 'printf':
        return `(printf ${[goString(node.format), ...node.args.map(expression)].join(' ')})`;
      case 'firingCount':
        return '(len .Alerts.Firing)';
      case 'earliestFiring':
      case 'eachAlert':
        return declare(node);
      case 'printable':
        return `(reReplaceAll ${goString(`^(.{0,${node.maxLength}}).*$`)} "\${1}" (reReplaceAll "[^ -~]+" "" ${expression(node.of)}))`;
      case 'object':
        return `(dict ${Object.entries(node.entries)
          .map(([k, v]) => `${goString(k)} ${expression(v)}`)
          .join(' ')})`;
    }
  };
  const body = root.kind === 'object' ? `{{- toJson ${expression(root)} -}}` : `{{- ${expression(root)} -}}`;
  return [...preamble, body].join('');
}

// ---------------------------------------------------------------------------------------------
// What Alertmanager produces for given data

/** Go's `time.Time.Unix()` of an RFC 3339 time. */
const unixSeconds = (rfc3339: string): number => {
  const millis = Date.parse(rfc3339);
  if (Number.isNaN(millis)) throw new Error(`${rfc3339} is not an RFC 3339 time`);
  return Math.floor(millis / 1000);
};

function format(formatString: string, values: readonly (string | number)[]): string {
  let next = 0;
  return formatString.replace(/%([sd%])/g, (_m, verb: string) => (verb === '%' ? '%' : String(values[next++])));
}

type Value = string | number | { readonly [key: string]: Value };

/** The value of a node for the group `data` (and the alert `alert` inside `eachAlert`). */
export function evaluate(node: TemplateNode, data: TemplateData, alert?: TemplateAlert): Value {
  const str = (n: TemplateNode) => evaluate(n, data, alert) as string;
  switch (node.kind) {
    case 'text':
      return node.value;
    case 'field':
      if (node.scope === 'alert') return alertOf(alert)[node.name];
      return data[node.name];
    case 'entry':
      // missingkey=zero: an absent key reads as the empty string
      return (node.scope === 'alert' ? alertOf(alert)[node.map] : data[node.map])[node.key] ?? '';
    case 'upper':
      return str(node.of).toUpperCase();
    case 'printf':
      return format(
        node.format,
        node.args.map((a) => evaluate(a, data, alert) as string | number),
      );
    case 'firingCount':
      return data.Alerts.filter((a) => a.Status === 'firing').length;
    case 'earliestFiring': {
      const starts = data.Alerts.filter((a) => a.Status === 'firing').map((a) => unixSeconds(a.StartsAt));
      return starts.length === 0 ? 0 : Math.min(...starts);
    }
    case 'eachAlert':
      return data.Alerts.slice(0, node.limit)
        .map((a) =>
          format(
            node.format,
            node.args.map((arg) => evaluate(arg, data, a) as string | number),
          ),
        )
        .join('');
    case 'printable':
      return str(node.of)
        .replace(/[^ -~]+/g, '')
        .replace(new RegExp(`^(.{0,${node.maxLength}}).*$`), '$1');
    case 'object':
      return Object.fromEntries(Object.entries(node.entries).map(([k, v]) => [k, evaluate(v, data, alert)]));
  }
}

function alertOf(alert: TemplateAlert | undefined): TemplateAlert {
  if (!alert) throw new Error('an alert field is read outside eachAlert');
  return alert;
}

/**
 * What `toJson` writes: Go's `json.Marshal` (encoding/json) of strings, integers and string-keyed
 * maps. Map keys are sorted; in strings, `"` and `\` are escaped, `\b \f \n \r \t` get their short
 * escapes (Go 1.22 and later; Alertmanager v0.33.1 is built with Go 1.25), other control characters
 * `\u00XX`, and `<`, `>`, `&`, U+2028 and U+2029 are `\u`-escaped (Marshal's HTML-safe default).
 * Any string becomes valid JSON this way, whatever it holds.
 */
export function goJsonMarshal(value: Value): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return goJsonString(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonMarshal(value[k])}`).join(',')}}`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // a lone surrogate is not UTF-8: Go writes the replacement character
      out += '\\ufffd';
    } else out += ch;
  }
  return `${out}"`;
}

/** The text Alertmanager sends for `data`: the JSON of an `object` root, the string of a string root. */
export function render(root: TemplateNode, data: TemplateData): string {
  const value = evaluate(root, data);
  return root.kind === 'object' ? goJsonMarshal(value) : String(value);
}
