import { ConfigProblem } from './validate';
import { KNOWN_REGIONS } from './regions';

/** Config path of the pipeline settings, as problems name it. */
const ROOT = 'platform.pipeline';
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const CONNECTION_ARN =
  /^arn:aws(?:-[a-z]+)*:(codeconnections|codestar-connections):([a-z0-9-]+):(\d{12}):connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// git check-ref-format, as far as a branch name in config needs it
const BRANCH = /^(?!\/|.*\/\/|.*\/$|.*\.\.|.*\.lock$|.*@\{)[A-Za-z0-9._/-]{1,200}$/;
const HTTPS_URL = /^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/\S*)?$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

/**
 * Problems of `PLATFORM.pipeline`: the repository, the connection (well-formed, in the tooling
 * account, in a known region), the two branches (valid, different) and the SonarQube URL (empty,
 * or https). Every problem names its field, the value and what is allowed.
 */
export function validatePipeline(settings: unknown, toolingAccount: string): ConfigProblem[] {
  if (!isObj(settings)) {
    return [
      { path: ROOT, message: `${show(settings)} is not an object; give repository, connectionArn, devBranch, releaseBranch, sonarHostUrl` },
    ];
  }
  const problems: ConfigProblem[] = [];
  const report = (key: string, message: string) => problems.push({ path: `${ROOT}.${key}`, message });

  if (typeof settings.repository !== 'string' || !REPOSITORY.test(settings.repository)) {
    report('repository', `${show(settings.repository)} is not valid; use owner/name of the GitHub repository, e.g. example/saas-platform`);
  }
  const arn = settings.connectionArn;
  const match = typeof arn === 'string' ? CONNECTION_ARN.exec(arn) : null;
  if (!match) {
    report(
      'connectionArn',
      `${show(arn)} is not valid; use the ARN of a CodeConnections connection, arn:aws:codeconnections:<region>:<account>:connection/<id>`,
    );
  } else if (match[3] !== toolingAccount) {
    report(
      'connectionArn',
      `${show(arn)} is in account ${match[3]}; the pipelines run in the tooling account ${toolingAccount}, create the connection there`,
    );
  } else if (!KNOWN_REGIONS.includes(match[2])) {
    report('connectionArn', `${show(arn)} names region ${show(match[2])}, which is not an AWS region the platform knows`);
  }
  const branches: string[] = [];
  for (const key of ['devBranch', 'releaseBranch']) {
    const branch = settings[key];
    if (typeof branch !== 'string' || !BRANCH.test(branch)) {
      report(key, `${show(branch)} is not a valid branch name; use e.g. develop or main`);
    } else if (branches.includes(branch)) {
      report(
        key,
        `${show(branch)} is also devBranch; the release pipeline needs a branch of its own (a develop commit must not deploy production)`,
      );
    } else {
      branches.push(branch);
    }
  }
  const sonar = settings.sonarHostUrl;
  if (typeof sonar !== 'string' || (sonar !== '' && !HTTPS_URL.test(sonar))) {
    report('sonarHostUrl', `${show(sonar)} is not valid; use an https:// URL of the SonarQube server, or "" for no analysis`);
  }
  return problems;
}
