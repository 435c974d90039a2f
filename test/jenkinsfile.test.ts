/**
 * The Jenkinsfile (for teams on Jenkins) calls the same npm scripts as the CodeBuild pipelines and
 * holds no logic of its own: every stage runs `npm ci`, `npm test` or `npm run <script>`, and each
 * script exists in package.json.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const jenkinsfile = fs.readFileSync(path.join(ROOT, 'Jenkinsfile'), 'utf8');
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts);

/** Each stage's name and the shell commands in its block, in order. */
function stages(text: string): { name: string; body: string; commands: string[] }[] {
  const found: { name: string; body: string; commands: string[] }[] = [];
  const header = /stage\('([^']+)'\)\s*\{/g;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    let depth = 1;
    let i = header.lastIndex;
    for (; i < text.length && depth > 0; i++) depth += text[i] === '{' ? 1 : text[i] === '}' ? -1 : 0;
    const body = text.slice(header.lastIndex, i - 1);
    found.push({ name: m[1], body, commands: [...body.matchAll(/\bsh\s+'([^']*)'/g)].map((c) => c[1]) });
  }
  return found;
}

describe('Jenkinsfile', () => {
  const all = stages(jenkinsfile);

  test('has the stages Checkout, Build, Test, Dockerize, Deploy, in that order', () => {
    expect(all.map((s) => s.name)).toEqual(['Checkout', 'Build', 'Test', 'Dockerize', 'Deploy']);
  });

  test('Checkout checks out the commit Jenkins builds', () => {
    expect(all[0].body).toMatch(/checkout scm/);
  });

  test.each(['Build', 'Test', 'Dockerize', 'Deploy'])('%s runs only npm scripts that exist', (name) => {
    const stage = all.find((s) => s.name === name)!;
    expect(stage.commands.length).toBeGreaterThan(0);
    for (const command of stage.commands) {
      const npm = /^npm (ci|test|run (\S+))(\s|$)/.exec(command);
      expect([command, npm !== null]).toEqual([command, true]);
      const script = npm![2];
      if (script === undefined) continue;
      expect([command, scripts.includes(script)]).toEqual([command, true]);
    }
  });

  test('Test runs the same command as the pipeline synth step (with the coverage gate)', () => {
    expect(all.find((s) => s.name === 'Test')!.commands).toEqual(['npm test']);
  });

  test('Dockerize and Deploy run the delivery scripts the CodeBuild projects run, for the service of the run', () => {
    expect(all.find((s) => s.name === 'Dockerize')!.commands).toEqual([
      'npm run image -- --service "$SERVICE" --commit "$GIT_COMMIT" --execute',
    ]);
    expect(all.find((s) => s.name === 'Deploy')!.commands).toContain(
      'npm run release -- --env "$ENVIRONMENT" --service "$SERVICE" --commit "$GIT_COMMIT" --push --wait',
    );
  });
});
