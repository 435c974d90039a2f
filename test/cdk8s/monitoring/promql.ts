/**
 * PromQL parsed with Prometheus's own grammar (@prometheus-io/lezer-promql, the parser of the
 * Prometheus web UI, pinned at the Prometheus minor the platform runs). Used by the tests only: every
 * expression the platform writes must parse without an error node, and the metric names it reads
 * are taken from the syntax tree (a `VectorSelector`'s `Identifier`), not guessed with a regex.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** What a parse found. */
export interface ParsedPromql {
  /** Positions and text around each syntax error (empty when the expression is valid). */
  readonly errors: string[];
  /** Metric names the expression selects. */
  readonly metrics: string[];
}

/** Parse one expression. */
export function parsePromql(expr: string): ParsedPromql {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(node.from, node.to));
    },
  });
  return { errors, metrics: [...new Set(metrics)] };
}
