import { ENVIRONMENTS } from '../../lib/config/environments';
import { world } from '../contracts/world';

/**
 * The tripwire: every template of each environment's stage, as the shared synth made them
 * (test/contracts/world.ts). Fine-grained assertions live in the stack and stage specs; a change
 * here that no spec explains is read in the diff, then `npm run test:update`.
 */
describe('SaasEnvironmentStage', () => {
  test.each(ENVIRONMENTS.map((c) => [c.name, c.stageName]))('%s: templates snapshot (tripwire)', (_name, stageName) => {
    const templates = Object.fromEntries(
      world()
        .stacks.filter((s) => s.path.startsWith(`${stageName}/`))
        .map((s) => [s.path.slice(stageName.length + 1), s.template]),
    );
    // Bundled Lambda code is hashed from its output, whose source map names the sources relative to
    // the output folder: a temporary folder in tests. `cdk synth` (cdk.out in the checkout) is stable.
    expect(JSON.parse(JSON.stringify(templates).replace(/[0-9a-f]{64}\.zip/g, '<bundled-asset>.zip'))).toMatchSnapshot();
  });
});
