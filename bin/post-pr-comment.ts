#!/usr/bin/env node
/**
 * Posts the review's Markdown as the pull request's comment (the pull-request build runs it after
 * `npm run review`; docs/cicd/pipeline-overview.md). One comment per pull request, updated on every push: the
 * comment carries a marker and is edited when it exists.
 *
 *   npm run pr-comment -- review.md
 *
 * Reads (CodeBuild sets all but the token, which is a Secrets Manager variable of the project):
 *   GITHUB_TOKEN                 token that may write pull-request comments; never printed
 *   CODEBUILD_SOURCE_REPO_URL    https://github.com/<owner>/<repo>.git
 *   CODEBUILD_WEBHOOK_TRIGGER    pr/<number> (or CODEBUILD_SOURCE_VERSION)
 *   CODEBUILD_BUILD_URL          linked from the comment when the review wrote no file
 *   GITHUB_API_URL               default https://api.github.com (GitHub Enterprise: https://<host>/api/v3)
 *
 * Exit code 0 when the comment is posted, 1 when it is not (one line on stderr, never the token).
 */
import * as fs from 'fs';

/** Marks the comment this script owns, so that the next push edits it instead of adding another. */
export const COMMENT_MARKER = '<!-- saas-platform-review -->';

/** GitHub's limit on a comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Which pull request a build is for. */
export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

/** Everything the script needs, read from the environment by `main`. */
export interface CommentTarget extends PullRequestRef {
  /** API root, without a trailing slash. */
  readonly apiUrl: string;
  /** The token; sent only in the Authorization header. */
  readonly token: string;
}

/** The pull request of a CodeBuild webhook build, or a message saying which variable is missing or malformed. */
export function pullRequestFromEnv(env: NodeJS.ProcessEnv): PullRequestRef | string {
  const url = env.CODEBUILD_SOURCE_REPO_URL ?? '';
  const repo = /github[^/]*\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  if (!repo) return `CODEBUILD_SOURCE_REPO_URL ${JSON.stringify(url)} is not a GitHub repository URL`;
  const trigger = env.CODEBUILD_WEBHOOK_TRIGGER ?? env.CODEBUILD_SOURCE_VERSION ?? '';
  const pr = /^pr\/(\d+)$/.exec(trigger);
  if (!pr)
    return `CODEBUILD_WEBHOOK_TRIGGER ${JSON.stringify(trigger)} is not a pull request (pr/<number>): this build was not started by a pull-request event`;
  return { owner: repo[1], repo: repo[2], number: Number(pr[1]) };
}

/** The comment body: the marker, then the review (cut to GitHub's limit, with a note), or a pointer to the log when there is none. */
export function commentBody(review: string | undefined, buildUrl: string | undefined): string {
  if (review === undefined) {
    const where = buildUrl ? `[the build log](${buildUrl})` : 'the build log';
    return `${COMMENT_MARKER}\n**Review: could not run.** \`npm run review\` wrote no summary; see ${where}.\n`;
  }
  const body = `${COMMENT_MARKER}\n${review}`;
  if (body.length <= GITHUB_COMMENT_LIMIT) return body;
  const note = "\n\n_(cut at GitHub's comment limit; run `npm run review` locally for the rest)_\n";
  return body.slice(0, GITHUB_COMMENT_LIMIT - note.length) + note;
}

type Fetch = typeof fetch;

interface IssueComment {
  readonly id: number;
  readonly body?: string;
  readonly html_url?: string;
}

/** An error that never carries the token, whatever GitHub echoed back. */
export class GitHubError extends Error {}

const redact = (text: string, token: string): string => (token ? text.split(token).join('***') : text);

async function call(target: CommentTarget, doFetch: Fetch, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await doFetch(`${target.apiUrl}${path}`, {
    method,
    headers: {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${target.token}`,
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'saas-platform-review',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 200);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the start of the text
    }
    throw new GitHubError(redact(`${method} ${path}: HTTP ${response.status} ${message}`, target.token));
  }
  return text ? JSON.parse(text) : undefined;
}

/**
 * Create the review comment, or edit the one with the marker. Returns the comment's URL.
 * Looks through the pull request's comments 100 at a time.
 */
export async function upsertReviewComment(target: CommentTarget, body: string, doFetch: Fetch = fetch): Promise<string> {
  const base = `/repos/${target.owner}/${target.repo}/issues`;
  let existing: IssueComment | undefined;
  for (let page = 1; !existing; page++) {
    const comments = (await call(target, doFetch, 'GET', `${base}/${target.number}/comments?per_page=100&page=${page}`)) as IssueComment[];
    existing = comments.find((c) => c.body?.startsWith(COMMENT_MARKER));
    if (comments.length < 100) break;
  }
  const saved = existing
    ? ((await call(target, doFetch, 'PATCH', `${base}/comments/${existing.id}`, { body })) as IssueComment)
    : ((await call(target, doFetch, 'POST', `${base}/${target.number}/comments`, { body })) as IssueComment);
  return saved.html_url ?? '';
}

/** Run the script; returns the exit code. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
  error: (line: string) => void = console.error,
  doFetch: Fetch = fetch,
): Promise<number> {
  const file = argv[0];
  if (!file || argv.length > 1) {
    error('pr-comment: usage: npm run pr-comment -- <review.md>');
    return 1;
  }
  const token = env.GITHUB_TOKEN ?? '';
  if (!token) {
    error('pr-comment: GITHUB_TOKEN is not set; the project reads it from Secrets Manager (docs/cicd/pipeline-overview.md)');
    return 1;
  }
  const pr = pullRequestFromEnv(env);
  if (typeof pr === 'string') {
    error(`pr-comment: ${pr}`);
    return 1;
  }
  const review = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  const apiUrl = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  try {
    const url = await upsertReviewComment({ ...pr, apiUrl, token }, commentBody(review, env.CODEBUILD_BUILD_URL), doFetch);
    log(`pr-comment: review posted to ${pr.owner}/${pr.repo}#${pr.number} ${url}`.trim());
    return 0;
  } catch (e) {
    error(`pr-comment: ${redact((e as Error).message, token)}`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
