import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { filledPages, markdownFiles, renderDiagrams, ROOT } from '../../bin/docs';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { clusterName, databaseEndpointParameterName } from '../../lib/config/naming';
import { ALARM_IDS, runbookAnchor } from '../../lib/config/observability';
import { SERVICE_CATALOG } from '../../lib/config/service-catalog';
import { contractValues, stackGraph, trafficFlow } from '../../lib/docs/architecture';
import { alarmsPage, servicesPage, thresholdsOf } from '../../lib/docs/catalogues';
import { environmentsPage, runbookVariables } from '../../lib/docs/environments';
import { iamPage, readableId, render, statementSummary, trustSummary } from '../../lib/docs/iam';
import { GENERATED_MARKER } from '../../lib/docs/markdown';
import { DocsInput } from '../../lib/docs/model';
import { generatedPages } from '../../lib/docs/pages';
import { committedReference, MODULES_DIR, MODULES_PAGE, modulesReference, referenceInputsHash } from '../../bin/docs-modules';
import { world } from '../contracts/world';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('generated docs (run `npm run docs` when one of these fails)', () => {
  let input: DocsInput;
  beforeAll(() => {
    const w = world();
    input = { ...w, manifests: w.manifests as DocsInput['manifests'], catalog: SERVICE_CATALOG };
  });

  test('every generated page is committed and up to date', () => {
    // GIVEN the platform as synthesized now WHEN the pages are generated THEN the committed files are the same
    for (const page of generatedPages(input))
      expect({ page: page.path, content: read(page.path) }).toEqual({ page: page.path, content: page.content });
  });

  test('every generated block of a hand-written page is up to date', () => {
    const pages = filledPages(input);
    expect(pages.map((p) => p.path)).toEqual(expect.arrayContaining(['docs/architecture.md', 'docs/runbooks.md']));
    for (const p of pages) expect({ page: p.path, content: p.current }).toEqual({ page: p.path, content: p.filled });
  });

  test('the construct reference (TypeDoc) is committed and up to date', () => {
    // GIVEN the JSDoc of the constructs as it is now WHEN TypeDoc regenerates the reference THEN the committed pages are the same, none missing, none extra
    const fresh = modulesReference();
    const committed = committedReference();
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [file, content] of fresh) expect({ file, content: committed.get(file) }).toEqual({ file, content });
    expect(fresh.get(MODULES_PAGE)).toContain('[lib/constructs/alarm-facade](modules/lib/constructs/alarm-facade.md)');
  }, 180_000);

  describe('the reference is reused while what it is made from is unchanged', () => {
    // GIVEN a small project: a module file, a file it imports, the tsconfig and the lock file
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-inputs-'));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write('lib/constructs/queue.ts', "import type { Size } from '../config/types';\n/** A queue. */ export class Queue { size?: Size }");
    write('lib/config/types.ts', "export * from './units';\nexport interface Size { readonly gib: number }");
    write('lib/config/units.ts', 'export type Gib = number;');
    fs.mkdirSync(path.join(root, 'cdk8s', 'constructs'), { recursive: true });
    write('tsconfig.json', '{}');
    write('package-lock.json', '{"packages": {"node_modules/typedoc": {"version": "0.28.20"}}}');
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    test.each([
      ['a module file', 'lib/constructs/queue.ts', '/** Two queues. */ export class Queue {}'],
      ['a file a module imports', 'lib/config/types.ts', "export * from './units';\nexport interface Size { readonly mib: number }"],
      ['a file that file re-exports', 'lib/config/units.ts', 'export type Mib = number;'],
      ['a new file', 'cdk8s/constructs/job.ts', 'export class Job {}'],
      ['the generator', 'bin/typedoc-modules.mjs', 'export {}'],
      ['the tsconfig', 'tsconfig.json', '{"compilerOptions": {}}'],
      ['a locked version', 'package-lock.json', '{"packages": {"node_modules/typedoc": {"version": "0.28.21"}}}'],
    ])('changing %s makes a new reference', (_what, file, text) => {
      const before = referenceInputsHash(root);
      const previous = fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), 'utf8') : undefined;
      write(file, text);
      expect(referenceInputsHash(root)).not.toBe(before);
      if (previous === undefined) fs.rmSync(path.join(root, file));
      else write(file, previous);
      expect(referenceInputsHash(root)).toBe(before);
    });

    test('files no module reaches (stacks, the app, tests, docs, dependencies) leave it as it is', () => {
      const before = referenceInputsHash(root);
      write('test/queue.test.ts', 'test("x", () => undefined);');
      write('docs/modules.md', '# changed');
      write('lib/node_modules/x/index.ts', 'export {}');
      write('lib/stacks/queue-stack.ts', "import { Queue } from '../constructs/queue';");
      write('lib/config/unused.ts', 'export const unused = 1;');
      write('bin/app.ts', "import '../lib/stacks/queue-stack';");
      expect(referenceInputsHash(root)).toBe(before);
    });

    test('a reference made from the same inputs is returned without running TypeDoc', () => {
      // GIVEN a reference kept under the hash of these inputs (TypeDoc could not even run on this project)
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-cache-'));
      fs.writeFileSync(path.join(cache, `${referenceInputsHash(root)}.json`), JSON.stringify([[MODULES_PAGE, '# kept']]));
      // THEN it is what the generator returns
      expect([...modulesReference(root, cache)]).toEqual([[MODULES_PAGE, '# kept']]);
      fs.rmSync(cache, { recursive: true, force: true });
    });
  });

  test('the SVG diagrams are the rendering of the current Mermaid sources', () => {
    for (const [file, svg] of renderDiagrams(input)) expect({ file, svg: read(file) }).toEqual({ file, svg });
  });

  test('no page says it is generated unless the generator still makes it (a renamed page leaves no stale copy)', () => {
    // GIVEN every docs page that carries the generated header
    const generated = new Set([...generatedPages(input).map((p) => p.path), MODULES_PAGE]);
    const stale = markdownFiles()
      .filter((f) => read(f).startsWith(GENERATED_MARKER))
      .filter((f) => !generated.has(f) && !f.startsWith(`${MODULES_DIR}/`));
    // THEN each of them is one the generator writes
    expect(stale).toEqual([]);
  });

  test('the comparison table has one column per environment and the values from config', () => {
    const page = environmentsPage(ENVIRONMENTS);
    expect(page).toContain(`|  | ${ENVIRONMENTS.map((e) => `**${e.name}**`).join(' | ')} |`);
    expect(page).toContain(`| NAT gateways | ${ENVIRONMENTS.map((e) => e.network.natGateways).join(' | ')} |`);
    for (const e of ENVIRONMENTS) expect(page).toContain(`[${e.name}](${e.name}.md)`);
  });

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    'the %s page names what its commands need, from config and the templates',
    (_, config) => {
      const variables = Object.fromEntries(runbookVariables(input, config).map((v) => [v.name, v.value]));
      expect(variables.CLUSTER).toBe(clusterName(config.name));
      expect(variables.PROXY_ENDPOINT_PARAM).toBe(databaseEndpointParameterName(config.name, 'proxy'));
      // the instance is named by the deploy: the page looks it up by the logical ID the Data stack gives it
      const data = input.stacks.find((s) => s.path === `${config.stageName}/Data`)!;
      const instance = Object.entries(data.template.Resources).find(
        ([, r]) => r.Type === 'AWS::RDS::DBInstance' && r.Properties?.SourceDBInstanceIdentifier === undefined,
      )![0];
      expect(variables.DB_INSTANCE).toContain(`--stack-name ${data.stackName} --logical-resource-id ${instance}`);
      expect(read(`docs/environments/${config.name}.md`)).toContain(`export CLUSTER=${clusterName(config.name)}`);
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    'the %s stack graph has every stack of the stage and every dependency',
    (_, config) => {
      const graph = stackGraph(input, config.stageName);
      const stacks = input.stacks.filter((s) => s.path.startsWith(`${config.stageName}/`));
      for (const s of stacks) {
        expect(graph).toContain(`${s.path.replace(/[^A-Za-z0-9]/g, '_')}[`);
        for (const d of s.dependencies)
          expect(graph).toContain(`${d.replace(/[^A-Za-z0-9]/g, '_')} --> ${s.path.replace(/[^A-Za-z0-9]/g, '_')}`);
      }
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))(
    'the %s traffic flow goes CloudFront -> WAF -> ALB -> services -> RDS Proxy -> RDS',
    (_, config) => {
      const flow = trafficFlow(input, config.name);
      expect(flow).toMatch(/users --> wafcf --> cf/);
      expect(flow).toMatch(/cf -- "API, https:\/\/api-origin\.[^"]+" --> alb/);
      for (const s of SERVICE_CATALOG.services.filter((x) => x.ingress))
        expect(flow).toContain(`alb -- "${s.ingress!.pathPrefix}" --> svc_${s.name.replace(/-/g, '_')}`);
      for (const s of SERVICE_CATALOG.services.filter((x) => x.database))
        expect(flow).toContain(`svc_${s.name.replace(/-/g, '_')} --> proxy`);
      expect(flow).toContain('proxy --> db');
      // every node is defined before the first edge (a renderer labels a node where it first meets it)
      const lines = flow.split('\n').slice(1);
      const firstEdge = lines.findIndex((l) => /\s(--|-\.)/.test(l));
      expect(lines.slice(firstEdge).every((l) => /\s(--|-\.)/.test(l))).toBe(true);
    },
  );

  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('the %s contract table joins the names both sides use', (_, config) => {
    const values = contractValues(input, config.name);
    const byValue = new Map(values.map((v) => [v.value, v]));
    expect(byValue.get(clusterName(config.name))?.aws).toBe('Cluster: AWS::EKS::Cluster (Name)');
    expect(byValue.get(databaseEndpointParameterName(config.name, 'proxy'))?.kubernetes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ExternalSecret apps\/web-api-runtime: spec\.data\[\d\]\.remoteRef\.key$/)]),
    );
    for (const s of SERVICE_CATALOG.services.filter((x) => x.database || (x.aws ?? []).length > 0))
      expect(byValue.get(`apps/${s.name}`)?.kubernetes).toEqual([`ServiceAccount apps/${s.name}`]);
  });

  test('the alarm catalogue has one row per alarm id with its thresholds per environment and a runbook link', () => {
    const page = alarmsPage(ENVIRONMENTS);
    for (const id of ALARM_IDS) expect(page).toContain(`| [${id}](runbooks.md#${id}) |`);
    const row = page.split('\n').find((l) => l.startsWith('| `rds-cpu` |'))!;
    for (const e of ENVIRONMENTS) expect(row).toContain(`| ${thresholdsOf(e, 'rds-cpu')} |`);
    expect(thresholdsOf(ENVIRONMENTS[0], 'no-such-alarm')).toBe('none');
    expect(runbookAnchor('rds-cpu')).toBe('docs/runbooks.md#rds-cpu');
  });

  test('the service catalogue has every service, what it uses, its size per environment and every secret', () => {
    const page = servicesPage(SERVICE_CATALOG, ENVIRONMENTS);
    for (const s of SERVICE_CATALOG.services) expect(page.split('\n').filter((l) => l.startsWith(`| \`${s.name}\` |`))).toHaveLength(3);
    for (const name of Object.keys(SERVICE_CATALOG.secrets)) expect(page).toContain(`| \`${name}\` |`);
  });

  test('the IAM summary renders trust, statements and intrinsics', () => {
    expect(readableId('DatabaseProxyIAMRoleB5B4B6E0')).toBe('DatabaseProxyIAMRole');
    expect(render({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket83908E77' }, '/*']] })).toBe(
      'arn:${AWS::Partition}:s3:::<Bucket>/*',
    );
    expect(render({ 'Fn::GetAtt': ['Queue4A7E3555', 'Arn'] })).toBe('<Queue>.Arn');
    expect(
      statementSummary({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ).toBe('**Deny** everything but iam:* on `*` when Bool aws:SecureTransport');
    expect(
      trustSummary({ Statement: [{ Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }),
    ).toBe('`pods.eks.amazonaws.com` (sts:AssumeRole, sts:TagSession)');
  });

  test.each(ENVIRONMENTS.map((e) => [e.stageName] as const))('the %s IAM summary has every role of every stack', (stage) => {
    const page = iamPage(input, stage);
    for (const s of input.stacks.filter((x) => x.path.startsWith(`${stage}/`)))
      for (const [id, r] of Object.entries(s.template.Resources).filter(([, x]) => x.Type === 'AWS::IAM::Role'))
        expect(page).toContain(`| \`${typeof r.Properties?.RoleName === 'string' ? r.Properties.RoleName : readableId(id)}\` |`);
  });
});
