#!/usr/bin/env node
/**
 * `npm run review`: what a change does to the infrastructure, offline (no AWS credentials, no
 * network), and the guard that fails when it would lose data. See docs/cicd/review.md.
 *
 *   npm run review -- --base origin/main --markdown review.md
 *   npm run review -- --base-assembly old/cdk.out --head-assembly cdk.out [--base-manifests old/dist --head-manifests dist]
 *
 * Exit codes: 0 passed, 1 the guard failed, 2 wrong usage or an input that cannot be read or
 * synthesized (one line on stderr, never a stack trace).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllowList } from '../lib/review/allow-list';
import { ManifestSet, StackArtifact } from '../lib/review/model';
import { markdownReport, textReport } from '../lib/review/report';
import { review } from '../lib/review/review';
import { ReviewInputError, readAllowListFile, readAssembly, readManifests } from './review-inputs';
import { addWorktree, copyWorkingTree, removeWorktree, resolveCommit, synthesizeCheckout } from './review-synth';

/** The repository this file belongs to: the working tree `--base` compares against. */
export const REPOSITORY_ROOT = path.join(__dirname, '..');

/** The allow-list file, relative to the repository root. */
export const ALLOW_LIST_FILE = 'review-allow.json';

export const USAGE = `Usage: npm run review -- (--base <git-ref> | --base-assembly <dir> --head-assembly <dir>) [options]

What a change does to the infrastructure, offline: CloudFormation resources per stage and stack
(added, modified, REPLACED, removed) and Kubernetes objects per environment. The guard fails when a
stateful resource would be removed or replaced, or a stack output another stack reads removed,
unless ${ALLOW_LIST_FILE} lists it.

  --base <git-ref>          synthesize <git-ref> (in a temporary git worktree) and the working tree, and compare
  --base-assembly <dir>     compare two existing cloud assemblies (cdk.out folders) instead
  --head-assembly <dir>
  --base-manifests <dir>    with the assemblies: the Kubernetes manifests (dist/ folders) of base and head
  --head-manifests <dir>
  --allow-list <file>       reviewed removals and replacements (default: ${ALLOW_LIST_FILE} at the repository root)
  --markdown <file>         also write the review as Markdown, for a pull-request comment
  -h, --help                show this help

Exit codes: 0 passed, 1 the guard failed, 2 wrong usage or an input that cannot be read or synthesized.
`;

const VALUE_OPTIONS = ['base', 'base-assembly', 'head-assembly', 'base-manifests', 'head-manifests', 'allow-list', 'markdown'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

/** The parsed command line. */
export type ReviewOptions = Partial<Record<ValueOption, string>> & { readonly help?: boolean };

/** Parse the arguments; a `ReviewInputError` for anything not understood. */
export function parseArguments(argv: readonly string[]): ReviewOptions {
  const options: Partial<Record<ValueOption, string>> & { help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      options.help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new ReviewInputError(`unexpected argument ${JSON.stringify(arg)}; see --help`);
    const name = match[1] as ValueOption;
    if (!VALUE_OPTIONS.includes(name)) throw new ReviewInputError(`unknown option --${match[1]}; see --help`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '' || (match[2] === undefined && value.startsWith('--'))) {
      throw new ReviewInputError(`--${name} needs a value; see --help`);
    }
    if (options[name] !== undefined) throw new ReviewInputError(`--${name} is given twice`);
    options[name] = value;
  }
  if (options.help) return options;
  const has = (name: ValueOption) => options[name] !== undefined;
  if (has('base') && (has('base-assembly') || has('head-assembly'))) {
    throw new ReviewInputError('--base synthesizes both sides itself; do not combine it with --base-assembly/--head-assembly');
  }
  if (has('base') && (has('base-manifests') || has('head-manifests'))) {
    throw new ReviewInputError('--base synthesizes the manifests itself; --base-manifests/--head-manifests go with --base-assembly');
  }
  if (!has('base') && !has('base-assembly') && !has('head-assembly')) {
    throw new ReviewInputError('give --base <git-ref>, or --base-assembly <dir> and --head-assembly <dir>; see --help');
  }
  for (const [a, b] of [
    ['base-assembly', 'head-assembly'],
    ['base-manifests', 'head-manifests'],
  ] as const) {
    if (has(a) !== has(b)) throw new ReviewInputError(`--${a} and --${b} go together`);
  }
  return options;
}

/** The two sides to compare, labelled, and what to clean up afterwards. */
interface Sides {
  readonly base: readonly StackArtifact[];
  readonly head: readonly StackArtifact[];
  readonly manifests?: { readonly base: ManifestSet; readonly head: ManifestSet };
  readonly baseLabel: string;
  readonly headLabel: string;
}

async function synthesizedSides(ref: string, root: string, log: (line: string) => void): Promise<Sides> {
  const commit = resolveCommit(root, ref);
  const label = `${ref} (${commit.slice(0, 7)})`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'saas-review-'));
  const baseCheckout = path.join(tmp, 'base');
  const headCheckout = path.join(tmp, 'head');
  try {
    addWorktree(root, commit, baseCheckout);
    copyWorkingTree(root, headCheckout);
    log(`review: synthesizing the base ${label} and the working tree (CloudFormation validator off)...`);
    // The apps run in the temporary checkouts: a config file named relative to here must still be found.
    const config = process.env.PLATFORM_CONFIG_FILE;
    const env = config ? { ...process.env, PLATFORM_CONFIG_FILE: path.resolve(config) } : process.env;
    // Both at once; when both fail, the base's failure is the one reported, whichever ends first.
    const sides = await Promise.allSettled([
      synthesizeCheckout(baseCheckout, path.join(baseCheckout, 'cdk.out'), `the base ${label}`, env),
      synthesizeCheckout(headCheckout, path.join(headCheckout, 'cdk.out'), 'the working tree', env),
    ]);
    const [base, head] = sides.map((side) => {
      if (side.status === 'rejected') throw side.reason;
      return side.value;
    });
    const manifests =
      base.manifests && head.manifests
        ? { base: readManifests(base.manifests, 'the base manifests'), head: readManifests(head.manifests, 'the working tree manifests') }
        : undefined;
    return {
      base: readAssembly(base.assembly, 'the base assembly'),
      head: readAssembly(head.assembly, 'the working tree assembly'),
      ...(manifests ? { manifests } : {}),
      baseLabel: label,
      headLabel: 'working tree',
    };
  } finally {
    removeWorktree(root, baseCheckout);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function assemblySides(options: ReviewOptions): Sides {
  return {
    base: readAssembly(options['base-assembly']!, '--base-assembly'),
    head: readAssembly(options['head-assembly']!, '--head-assembly'),
    ...(options['base-manifests']
      ? {
          manifests: {
            base: readManifests(options['base-manifests'], '--base-manifests'),
            head: readManifests(options['head-manifests']!, '--head-manifests'),
          },
        }
      : {}),
    baseLabel: options['base-assembly']!,
    headLabel: options['head-assembly']!,
  };
}

/** Where the output goes; tests pass their own. */
export interface ReviewIo {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  /** The repository (working tree) `--base` compares against. @default REPOSITORY_ROOT */
  readonly root?: string;
}

const STDIO: ReviewIo = { out: (text) => process.stdout.write(text), err: (line) => console.error(line) };

/** Run the review; resolves with the exit code. */
export async function main(argv: readonly string[], io: ReviewIo = STDIO): Promise<number> {
  const root = io.root ?? REPOSITORY_ROOT;
  try {
    const options = parseArguments(argv);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    const allowListFile = options['allow-list'] ?? path.join(root, ALLOW_LIST_FILE);
    const allowList = parseAllowList(
      readAllowListFile(allowListFile, options['allow-list'] !== undefined),
      path.relative(process.cwd(), allowListFile) || allowListFile,
    );
    if (allowList.problems.length > 0) throw new ReviewInputError(allowList.problems.join('\nreview: '));
    const sides = options.base ? await synthesizedSides(options.base, root, io.err) : assemblySides(options);
    const result = review({ base: sides.base, head: sides.head, manifests: sides.manifests, allowList: allowList.entries });
    const context = { base: sides.baseLabel, head: sides.headLabel, allowListFile: options['allow-list'] ?? ALLOW_LIST_FILE };
    io.out(textReport(result, context));
    if (options.markdown) {
      fs.mkdirSync(path.dirname(path.resolve(options.markdown)), { recursive: true });
      fs.writeFileSync(options.markdown, markdownReport(result, context));
    }
    return result.guard.passed ? 0 : 1;
  } catch (e) {
    if (e instanceof ReviewInputError) io.err(`review: ${e.message}`);
    else io.err(`review: failed: ${(e as Error).message.split('\n')[0]}`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
