import { gateBuildVerdict, gateVariables, startGateCommand } from '../../cdk8s/release';
import { GATE_ANCESTORS, GATE_REVISION_VARIABLE, GATE_VARIABLES } from '../../lib/config/release-gate';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { servicesFor } from '../../lib/config/service-catalog';

/** What the release makes of a gate build as `batch-get-builds` reports it, and what it starts it with. */
describe('gate build verdict', () => {
  const revision = 'f'.repeat(40);

  test.each([
    ['no build yet', {}],
    ['a build without a status', { builds: [{ id: 'b:1' }] }],
    ['a running build', { builds: [{ id: 'b:1', buildStatus: 'IN_PROGRESS' }] }],
  ])('%s: running', (_name, output) => {
    expect(gateBuildVerdict(output)).toEqual({ verdict: 'running' });
  });

  test('a succeeded build passes at the revision it exported', () => {
    const output = {
      builds: [{ id: 'b:1', buildStatus: 'SUCCEEDED', exportedEnvironmentVariables: [{ name: GATE_REVISION_VARIABLE, value: revision }] }],
    };
    expect(gateBuildVerdict(output)).toEqual({ verdict: 'passed', revision });
  });

  test('a succeeded build that exported no revision fails (a changed buildspec must not pass silently)', () => {
    expect(gateBuildVerdict({ builds: [{ id: 'b:1', buildStatus: 'SUCCEEDED', logs: { deepLink: 'https://log' } }] })).toEqual({
      verdict: 'failed',
      reason: `release gate b:1 exported no ${GATE_REVISION_VARIABLE}; its log says why: https://log`,
    });
  });

  test.each([
    [
      'failed in a phase, with its message',
      {
        buildStatus: 'FAILED',
        phases: [
          { phaseType: 'INSTALL', phaseStatus: 'FAILED', contexts: [{ message: '' }, { message: 'curl: (22) 404' }] },
          { phaseType: 'BUILD', phaseStatus: 'IN_PROGRESS' },
        ],
        logs: { deepLink: 'https://log' },
      },
      'release gate b:1 FAILED in INSTALL: curl: (22) 404; its log says why: https://log',
    ],
    ['timed out, no phase known, no log', { buildStatus: 'TIMED_OUT' }, 'release gate b:1 TIMED_OUT; its log says why: no log'],
  ])('%s', (_name, build, reason) => {
    expect(gateBuildVerdict({ builds: [{ id: 'b:1', ...build }] })).toEqual({ verdict: 'failed', reason });
  });

  test('a build without an id is still named', () => {
    expect(gateBuildVerdict({ builds: [{ buildStatus: 'STOPPED' }] })).toEqual({
      verdict: 'failed',
      reason: 'release gate (unknown build) STOPPED; its log says why: no log',
    });
  });
});

describe('gate inputs', () => {
  test.each(ENVIRONMENTS.flatMap((e) => servicesFor(e.name).map((s) => [e.name, s.name, s] as const)))(
    '%s/%s: the workload kind follows the rollout strategy; at most GATE_ANCESTORS commits before',
    (_env, _name, service) => {
      const before = Array.from({ length: GATE_ANCESTORS + 5 }, (_, i) => String(i).padStart(40, '0'));
      const variables = gateVariables(service, 'c'.repeat(40), before);
      expect(variables[GATE_VARIABLES.workload]).toBe(service.rollout.strategy === 'rolling' ? 'deployment' : 'rollout');
      expect(variables[GATE_VARIABLES.before].split(' ')).toHaveLength(GATE_ANCESTORS);
      expect(Object.keys(variables).sort()).toEqual(Object.values(GATE_VARIABLES).sort());
    },
  );

  test('the override list is JSON the AWS CLI takes for a list parameter (a value with spaces stays one value)', () => {
    const [config] = ENVIRONMENTS;
    const [service] = servicesFor(config.name);
    const command = startGateCommand(config, service, 'c'.repeat(40), ['a'.repeat(40), 'b'.repeat(40)]);
    const overrides = JSON.parse(command[command.indexOf('--environment-variables-override') + 1]);
    expect(overrides.find((o: { name: string }) => o.name === GATE_VARIABLES.before)).toEqual({
      name: GATE_VARIABLES.before,
      value: `${'a'.repeat(40)} ${'b'.repeat(40)}`,
      type: 'PLAINTEXT',
    });
  });
});
