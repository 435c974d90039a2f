import { RuleFinding } from './facts';

/** A CloudFormation template, as far as this rule reads it. */
export interface TemplateJson {
  readonly Resources?: Readonly<
    Record<string, { readonly Type?: string; readonly Properties?: Record<string, unknown>; readonly Metadata?: Record<string, unknown> }>
  >;
}

/** Environment variable names that hold secrets by their name. */
export const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;

/** Environment variable types whose value CodeBuild fetches at build time and masks in the log. */
export const SECRET_TYPES: readonly string[] = ['SECRETS_MANAGER', 'PARAMETER_STORE'];

/** Values that are secrets whatever variable holds them: tokens with a known shape, private keys. */
export const SECRET_LITERALS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { name: 'AWS access key ID', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'SonarQube token', pattern: /\bsq[apu]_[0-9a-f]{40}\b/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: 'password in a URL', pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s/:@$]+:[^\s/@$]{6,}@/i },
];

/** A shell line that turns on tracing (every later command printed with its variables expanded). */
const TRACING = /(^|[\s;&|(])(set\s+-[a-z]*x[a-z]*\b|set\s+-o\s+xtrace\b|(ba|z|k|da)?sh\s+-[a-z]*x[a-z]*\b)/;
/** A shell segment that prints every variable. */
const PRINT_ALL = /^\s*(env|printenv|export\s+-p|declare\s+-[a-z]*p[a-z]*|set)\s*$/;

/** Variables a shell segment refers to (`$NAME`, `${NAME}`, `${NAME:-x}`). */
function referencedVariables(segment: string): string[] {
  return [...segment.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

/** Splits a command line at unquoted pipes (not `||`), keeping it simple: quotes are tracked, escapes are not. */
function pipelineSegments(line: string): string[] {
  const segments: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '|' && line[i + 1] !== '|' && line[i - 1] !== '|') {
      segments.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  segments.push(current);
  return segments;
}

/**
 * What a command line would print of the secret variables: tracing, a dump of every variable, or
 * an echo/printf/printenv of a secret that is not piped into another command (piping a token into
 * `docker login --password-stdin` prints nothing). Returns one problem per finding.
 */
export function printedSecrets(command: string, secretVariables: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const line of command.split('\n')) {
    if (TRACING.test(line))
      problems.push(`turns on shell tracing (${line.trim()}): every later command is printed with its secrets expanded`);
    const piped = pipelineSegments(line);
    piped.forEach((segment, index) => {
      for (const part of segment.split(/&&|;|\|\|/)) {
        if (PRINT_ALL.test(part)) problems.push(`prints every variable (${part.trim()}), secrets included`);
        const printer = /^\s*(echo|printf|printenv)\b/.exec(part);
        // a printer piped into another command hands the value over instead of printing it
        if (!printer || index < piped.length - 1) continue;
        const names = printer[1] === 'printenv' ? part.trim().split(/\s+/).slice(1) : referencedVariables(part);
        for (const name of names.filter((n) => secretVariables.has(n))) {
          problems.push(`prints the secret variable ${name} (${part.trim()})`);
        }
      }
    });
  }
  return problems;
}

/** Secret-looking literals in a text, by kind. */
export function secretLiterals(text: string): string[] {
  return SECRET_LITERALS.filter((l) => l.pattern.test(text)).map((l) => l.name);
}

interface EnvVar {
  readonly name: string;
  readonly type: string;
  readonly value: unknown;
}

/** `[{Name, Type, Value}]` of a CodeBuild project, or `[{name, type, value}]` of a CodePipeline CodeBuild action (a JSON string). */
function environmentVariables(value: unknown): EnvVar[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) return [];
  return list.map((v: Record<string, unknown>) => ({
    name: String(v.Name ?? v.name ?? ''),
    type: String(v.Type ?? v.type ?? 'PLAINTEXT'),
    value: v.Value ?? v.value,
  }));
}

/** Every command of a buildspec (phases, `finally` blocks), and its `env` section. */
function parseBuildSpec(text: string): { commands: string[]; env: Record<string, unknown> } | undefined {
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined; // a YAML or file buildspec: scanned as text only
  }
  const commands: string[] = [];
  const phases = (spec.phases ?? {}) as Record<string, { commands?: unknown; finally?: unknown }>;
  for (const phase of Object.values(phases)) {
    for (const list of [phase?.commands, phase?.finally]) {
      if (Array.isArray(list)) commands.push(...list.map(String));
    }
  }
  return { commands, env: (spec.env ?? {}) as Record<string, unknown> };
}

/**
 * PLAT-SEC1: no secret in a build's definition or log. For every CodeBuild project and every
 * CodeBuild action of a CodePipeline in a template:
 *
 * - a variable whose name says it is a secret (`*_TOKEN`, `*PASSWORD*`...) is typed
 *   `SECRETS_MANAGER` or `PARAMETER_STORE` (CodeBuild fetches it at build time and masks it in
 *   the log), never plain text, and never in the buildspec's `env.variables`;
 * - no value and no buildspec holds a secret literal (a token of a known shape, a private key, a
 *   password in a URL);
 * - no command prints a secret variable: no `set -x`, no `env`/`printenv`, no echo/printf of one.
 *
 * The buildspec is the project's inline one (what CDK and CDK Pipelines write); a buildspec file
 * in the repository is not in the template and is not seen here.
 */
export function buildSecrets(stackPath: string, template: TemplateJson): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const path = String(resource.Metadata?.['aws:cdk:path'] ?? `${stackPath}/${logicalId}`);
    const add = (location: string, message: string) => findings.push({ path, location, message: `${path}: ${message}`, logicalId });
    const checkVariables = (variables: EnvVar[], location: string) => {
      for (const v of variables) {
        if (SECRET_NAME.test(v.name) && !SECRET_TYPES.includes(v.type)) {
          add(
            location,
            `variable ${v.name} looks like a secret but is ${v.type}; read it from Secrets Manager or Parameter Store (type SECRETS_MANAGER or PARAMETER_STORE)`,
          );
        }
        if (typeof v.value === 'string') {
          for (const kind of secretLiterals(v.value)) add(location, `variable ${v.name} holds a ${kind}; keep it in Secrets Manager`);
        }
      }
      return new Set(variables.filter((v) => SECRET_TYPES.includes(v.type) || SECRET_NAME.test(v.name)).map((v) => v.name));
    };

    if (resource.Type === 'AWS::CodeBuild::Project') {
      const props = resource.Properties ?? {};
      const environment = (props.Environment ?? {}) as Record<string, unknown>;
      const secrets = checkVariables(environmentVariables(environment.EnvironmentVariables), 'Properties.Environment.EnvironmentVariables');
      const buildSpec = (props.Source as Record<string, unknown> | undefined)?.BuildSpec;
      if (typeof buildSpec !== 'string') continue;
      for (const kind of secretLiterals(buildSpec)) add('Properties.Source.BuildSpec', `the buildspec holds a ${kind}`);
      const spec = parseBuildSpec(buildSpec);
      if (!spec) continue;
      for (const section of ['secrets-manager', 'parameter-store']) {
        for (const name of Object.keys((spec.env[section] ?? {}) as object)) secrets.add(name);
      }
      for (const name of Object.keys((spec.env.variables ?? {}) as object)) {
        if (SECRET_NAME.test(name)) {
          add(
            'Properties.Source.BuildSpec',
            `env.variables.${name} looks like a secret in plain text; move it to env.secrets-manager or a SECRETS_MANAGER variable of the project`,
          );
        }
      }
      for (const command of spec.commands) {
        for (const problem of printedSecrets(command, secrets)) add('Properties.Source.BuildSpec', `a command ${problem}`);
      }
    }

    if (resource.Type === 'AWS::CodePipeline::Pipeline') {
      const stages = ((resource.Properties ?? {}).Stages ?? []) as {
        Name?: string;
        Actions?: { Name?: string; Configuration?: Record<string, unknown> }[];
      }[];
      for (const stage of stages) {
        for (const action of stage.Actions ?? []) {
          const variables = action.Configuration?.EnvironmentVariables;
          if (typeof variables !== 'string') continue; // a token: resolved at deploy time, nothing literal to check
          checkVariables(environmentVariables(variables), `Properties.Stages.${stage.Name}.${action.Name}.EnvironmentVariables`);
        }
      }
    }
  }
  return findings;
}
