import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { COMMENT_MARKER, commentBody, GITHUB_COMMENT_LIMIT, main, pullRequestFromEnv } from '../../bin/post-pr-comment';

// A token of GitHub's shape, assembled here so that no scanner takes this file for a leak.
const TOKEN = ['ghp', '_', 'T'.repeat(36)].join('');

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body?: { body: string };
}

/** A local stand-in for GitHub's issue-comments API: `existing` comments on PR 42, records every request. */
async function fakeGitHub(existing: { id: number; body: string }[], fail?: { status: number; message: string }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
        body: data ? JSON.parse(data) : undefined,
      });
      res.setHeader('Content-Type', 'application/json');
      if (fail) {
        res.statusCode = fail.status;
        res.end(JSON.stringify({ message: fail.message }));
      } else if (req.method === 'GET') {
        res.end(JSON.stringify(existing));
      } else {
        res.statusCode = req.method === 'POST' ? 201 : 200;
        res.end(JSON.stringify({ id: 7, html_url: 'https://github.com/example/saas-platform/pull/42#issuecomment-7' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, apiUrl, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const reviewFile = (text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'review-')), 'review.md');
  fs.writeFileSync(file, text);
  return file;
};

const buildEnv = (apiUrl: string): NodeJS.ProcessEnv => ({
  GITHUB_TOKEN: TOKEN,
  GITHUB_API_URL: apiUrl,
  CODEBUILD_SOURCE_REPO_URL: 'https://github.com/example/saas-platform.git',
  CODEBUILD_WEBHOOK_TRIGGER: 'pr/42',
  CODEBUILD_BUILD_URL: 'https://console.aws.amazon.com/codesuite/codebuild/builds/1',
});

async function run(argv: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('post-pr-comment', () => {
  test('posts the review as a new comment, with the token only in the Authorization header', async () => {
    const github = await fakeGitHub([{ id: 1, body: 'LGTM' }]);
    try {
      const { code, out, err } = await run([reviewFile('## Review\nGuard: passed\n')], buildEnv(github.apiUrl));
      expect(code).toBe(0);
      expect(github.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'GET /repos/example/saas-platform/issues/42/comments?per_page=100&page=1',
        'POST /repos/example/saas-platform/issues/42/comments',
      ]);
      expect(github.seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
      expect(github.seen[1].body).toEqual({ body: `${COMMENT_MARKER}\n## Review\nGuard: passed\n` });
      expect(out).toBe(
        'pr-comment: review posted to example/saas-platform#42 https://github.com/example/saas-platform/pull/42#issuecomment-7',
      );
      expect(`${out}${err}`).not.toContain(TOKEN);
    } finally {
      await github.close();
    }
  });

  test('edits its own earlier comment instead of adding another', async () => {
    const github = await fakeGitHub([
      { id: 1, body: 'LGTM' },
      { id: 5, body: `${COMMENT_MARKER}\nold review` },
    ]);
    try {
      const { code } = await run([reviewFile('new review')], buildEnv(github.apiUrl));
      expect(code).toBe(0);
      expect(github.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'GET /repos/example/saas-platform/issues/42/comments?per_page=100&page=1',
        'PATCH /repos/example/saas-platform/issues/comments/5',
      ]);
    } finally {
      await github.close();
    }
  });

  test('when the review wrote nothing, the comment points at the build log', async () => {
    const github = await fakeGitHub([]);
    try {
      const { code } = await run(['/nonexistent/review.md'], buildEnv(github.apiUrl));
      expect(code).toBe(0);
      expect(github.seen[1].body!.body).toBe(
        `${COMMENT_MARKER}\n**Review: could not run.** \`npm run review\` wrote no summary; see [the build log](https://console.aws.amazon.com/codesuite/codebuild/builds/1).\n`,
      );
    } finally {
      await github.close();
    }
  });

  test("a GitHub error is one line with the status and GitHub's message, and never the token", async () => {
    const github = await fakeGitHub([], { status: 401, message: `Bad credentials for ${TOKEN}` });
    try {
      const { code, out, err } = await run([reviewFile('x')], buildEnv(github.apiUrl));
      expect(code).toBe(1);
      expect(err).toBe(
        'pr-comment: GET /repos/example/saas-platform/issues/42/comments?per_page=100&page=1: HTTP 401 Bad credentials for ***',
      );
      expect(`${out}${err}`).not.toContain(TOKEN);
    } finally {
      await github.close();
    }
  });

  test.each([
    [[], buildEnv('http://unused'), 'pr-comment: usage: npm run pr-comment -- <review.md>'],
    [
      ['review.md'],
      { ...buildEnv('http://unused'), GITHUB_TOKEN: '' },
      'pr-comment: GITHUB_TOKEN is not set; the project reads it from Secrets Manager (docs/cicd/pipeline-overview.md)',
    ],
    [
      ['review.md'],
      { ...buildEnv('http://unused'), CODEBUILD_WEBHOOK_TRIGGER: 'branch/main' },
      'pr-comment: CODEBUILD_WEBHOOK_TRIGGER "branch/main" is not a pull request (pr/<number>): this build was not started by a pull-request event',
    ],
  ])('bad input %j is one line and exit code 1', async (argv, env, message) => {
    const { code, err } = await run(argv as string[], env as NodeJS.ProcessEnv);
    expect(code).toBe(1);
    expect(err).toBe(message);
  });
});

describe('pullRequestFromEnv', () => {
  test('reads the repository and the pull request number of a CodeBuild webhook build', () => {
    expect(pullRequestFromEnv({ CODEBUILD_SOURCE_REPO_URL: 'https://github.com/o/r', CODEBUILD_SOURCE_VERSION: 'pr/3' })).toEqual({
      owner: 'o',
      repo: 'r',
      number: 3,
    });
    expect(pullRequestFromEnv({ CODEBUILD_SOURCE_REPO_URL: 'https://gitlab.com/o/r' })).toBe(
      'CODEBUILD_SOURCE_REPO_URL "https://gitlab.com/o/r" is not a GitHub repository URL',
    );
  });
});

describe('commentBody', () => {
  test("a review above GitHub's limit is cut, with a note, and stays within the limit", () => {
    const body = commentBody('x'.repeat(GITHUB_COMMENT_LIMIT + 10), undefined);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain("cut at GitHub's comment limit");
    expect(commentBody(undefined, undefined)).toContain('see the build log');
  });
});
