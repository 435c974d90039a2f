#!/usr/bin/env node
/**
 * Renders Mermaid to SVG without a browser (beautiful-mermaid: pure JavaScript layout, the same
 * output on every machine). Reads a JSON object `{ "<file>.svg": "<mermaid source>" }` on stdin and
 * writes `{ "<file>.svg": "<svg>" }` on stdout. A separate ES module because beautiful-mermaid is
 * ESM-only and the rest of the project runs as CommonJS (bin/docs.ts and its test spawn this).
 */
import { renderMermaidSVG } from 'beautiful-mermaid';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const sources = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = {};
// The renderer's stylesheet imports a web font; the committed SVGs stay self-contained (system fonts).
const withoutWebFonts = (svg) => svg.replace(/^\s*@import url\([^)]*\);\n/gm, '');
for (const [file, source] of Object.entries(sources)) out[file] = `${withoutWebFonts(renderMermaidSVG(source)).trimEnd()}\n`;
process.stdout.write(JSON.stringify(out));
