#!/usr/bin/env node
/**
 * Runs TypeDoc with typedoc-plugin-markdown over the entry points given as JSON on stdin
 * (`{ "entryPoints": [...], "tsconfig": "...", "out": "<scratch folder>" }`), writes the Markdown pages
 * into `out`, and prints `[{ "name": <module>, "constructs": [{ "name", "summary" }] }]` on stdout.
 * A separate ES module because TypeDoc 0.28 is ESM-only and the rest of the project runs as CommonJS
 * (bin/docs-modules.ts spawns this).
 */
import { Application, ReflectionKind } from 'typedoc';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { entryPoints, tsconfig, out } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const app = await Application.bootstrapWithPlugins({
  entryPoints,
  tsconfig,
  compilerOptions: { types: ['node'] },
  plugin: ['typedoc-plugin-markdown'],
  out,
  readme: 'none',
  skipErrorChecking: true,
  excludePrivate: true,
  excludeProtected: true,
  excludeExternals: true,
  disableSources: true,
  logLevel: 'Error',
  // typedoc-plugin-markdown's options
  router: 'module',
  hidePageHeader: true,
  hideBreadcrumbs: true,
  parametersFormat: 'table',
  interfacePropertiesFormat: 'table',
  classPropertiesFormat: 'table',
  typeDeclarationFormat: 'table',
  enumMembersFormat: 'table',
  propertyMembersFormat: 'table',
  validation: { notExported: false, invalidLink: false, rewrittenLink: false },
});
const project = await app.convert();
if (!project) {
  process.stderr.write('TypeDoc could not convert the constructs (run `npx tsc --noEmit` for the errors)\n');
  process.exit(1);
}
await app.generateOutputs(project);

/** The first paragraph of a reflection's JSDoc summary, on one line. */
const summaryOf = (reflection) =>
  (reflection.comment?.summary ?? [])
    .map((part) => part.text)
    .join('')
    .split(/\n\s*\n/)[0]
    .replace(/\s+/g, ' ')
    .trim();

const modules = (project.children ?? []).map((m) => ({
  name: m.name,
  constructs: (m.children ?? []).filter((c) => c.kind === ReflectionKind.Class).map((c) => ({ name: c.name, summary: summaryOf(c) })),
}));
process.stdout.write(JSON.stringify(modules));
