#!/usr/bin/env node
/**
 * `npm run smoke -- --env <name> [--attempts 10] [--delay-seconds 30]`: the infrastructure smoke
 * check after an environment's stacks deploy (the pipeline's post-deploy step, and Jenkins'
 * Deploy stage). Each check of `smokeChecks()` (lib/config/pipeline.ts) is tried until it passes
 * or the attempts run out (a new record or distribution takes minutes to answer everywhere).
 * Exit code 0 when every check passes, 1 otherwise (and on a bad argument or config).
 */
import { smokeChecks, SmokeCheck } from '../lib/config/pipeline';
import { SERVICE_CATALOG } from '../lib/config/service-catalog';
import { EnvironmentConfig } from '../lib/config/types';
import { formatProblems } from '../lib/config/validate';
import { configProblems, loadEnvironments } from './config-input';

type Fetch = typeof fetch;

/** How often and how far apart a check is tried. */
export interface Retry {
  readonly attempts: number;
  readonly delayMillis: number;
  /** Waits between attempts (tests pass one that does not). */
  readonly sleep: (millis: number) => Promise<void>;
}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis));

/** Whether a status passes a check. */
export function passes(check: SmokeCheck, status: number): boolean {
  return check.expect === 'answers' || status < 500;
}

/** Try one check until it passes; returns the line to print and whether it passed. */
export async function runCheck(check: SmokeCheck, retry: Retry, doFetch: Fetch = fetch): Promise<{ ok: boolean; line: string }> {
  let last = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      const response = await doFetch(check.url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (passes(check, response.status)) return { ok: true, line: `smoke: ${check.name} ${check.url} -> HTTP ${response.status}: ok` };
      last = `HTTP ${response.status}`;
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      last = cause?.code ?? cause?.message ?? (e as Error).message;
    }
    if (attempt < retry.attempts) await retry.sleep(retry.delayMillis);
  }
  return { ok: false, line: `smoke: ${check.name} ${check.url} -> ${last} after ${retry.attempts} attempt(s): FAILED` };
}

interface Options {
  readonly env: string;
  readonly attempts: number;
  readonly delaySeconds: number;
}

function parse(argv: readonly string[]): Options | string {
  let env: string | undefined;
  let attempts = 10;
  let delaySeconds = 30;
  const count = (v: string | undefined, min: number) => (v !== undefined && /^\d+$/.test(v) && Number(v) >= min ? Number(v) : undefined);
  for (let i = 0; i < argv.length; i++) {
    const [arg, value] = [argv[i], argv[i + 1]];
    if (arg === '--env' && value !== undefined) env = argv[++i];
    else if (arg === '--attempts' && count(value, 1) !== undefined) attempts = count(argv[++i], 1)!;
    else if (arg === '--delay-seconds' && count(value, 0) !== undefined) delaySeconds = count(argv[++i], 0)!;
    else return `unknown or malformed argument ${JSON.stringify(arg)}; use --env <name> [--attempts <n>=1..] [--delay-seconds <n>=0..]`;
  }
  if (!env) return '--env <name> is required';
  return { env, attempts, delaySeconds };
}

/** Run the smoke check; returns the exit code. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
  error: (line: string) => void = console.error,
  doFetch: Fetch = fetch,
  wait: (millis: number) => Promise<void> = sleep,
): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    error(`smoke: ${options}`);
    return 1;
  }
  let environments: unknown;
  try {
    environments = loadEnvironments(env);
  } catch (e) {
    error(`smoke: ${(e as Error).message}`);
    return 1;
  }
  const problems = configProblems(environments, SERVICE_CATALOG);
  if (problems.length > 0) {
    error(`smoke: configuration has ${problems.length} problem(s):\n${formatProblems(problems)}`);
    return 1;
  }
  const valid = environments as EnvironmentConfig[];
  const config = valid.find((e) => e.name === options.env);
  if (!config) {
    error(`smoke: no environment ${JSON.stringify(options.env)}; use one of ${valid.map((e) => e.name).join(', ')}`);
    return 1;
  }
  const retry: Retry = { attempts: options.attempts, delayMillis: options.delaySeconds * 1000, sleep: wait };
  const results = await Promise.all(smokeChecks(config).map((check) => runCheck(check, retry, doFetch)));
  for (const r of results) (r.ok ? log : error)(r.line);
  return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
