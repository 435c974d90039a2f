/** CloudFormation's limit on a template uploaded through S3, in bytes. */
export const TEMPLATE_SIZE_LIMIT_BYTES = 1_000_000;
/** Share of the limit above which synth warns. */
export const TEMPLATE_SIZE_WARN_RATIO = 0.8;

/** A size finding for one template. */
export interface TemplateSizeFinding {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/**
 * PLAT-SIZE1: a template stays below CloudFormation's 1 MB limit (warning above 80%).
 *
 * Past the limit the deploy fails in the pipeline, long after review; the warning leaves time to
 * split the stack.
 */
export function templateSize(stackPath: string, sizeBytes: number): TemplateSizeFinding | undefined {
  const kb = (n: number) => `${Math.round(n / 1000)} kB`;
  if (sizeBytes > TEMPLATE_SIZE_LIMIT_BYTES) {
    return {
      severity: 'error',
      message: `${stackPath} template is ${kb(sizeBytes)}, above CloudFormation's ${kb(TEMPLATE_SIZE_LIMIT_BYTES)} limit; split the stack`,
    };
  }
  if (sizeBytes > TEMPLATE_SIZE_LIMIT_BYTES * TEMPLATE_SIZE_WARN_RATIO) {
    return {
      severity: 'warning',
      message: `${stackPath} template is ${kb(sizeBytes)}, above ${TEMPLATE_SIZE_WARN_RATIO * 100}% of CloudFormation's ${kb(TEMPLATE_SIZE_LIMIT_BYTES)} limit; plan a split`,
    };
  }
  return undefined;
}
