import type { ConfigProblem } from './validate';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Problems of `domain.delegatedFrom` across the environments: the parent must be another
 * environment of the same configuration whose zone is a proper suffix of this zone, and the zone
 * must be one the Dns stack creates (an imported zone's name servers are not known at synth).
 * Environments whose name is malformed, and zones `isZoneName` rejects, are skipped (their own
 * checks report them).
 */
export function delegationProblems(environments: readonly unknown[], isZoneName: (name: unknown) => boolean): ConfigProblem[] {
  const envs = environments.filter(isObj);
  const names = envs.map((e) => e.name).filter((n): n is string => typeof n === 'string');
  const zoneOf = new Map(
    envs.filter((e) => typeof e.name === 'string' && isObj(e.domain)).map((e) => [e.name as string, (e.domain as Obj).zoneName]),
  );
  const problems: ConfigProblem[] = [];
  for (const env of envs) {
    if (typeof env.name !== 'string' || !isObj(env.domain) || env.domain.delegatedFrom === undefined) continue;
    const path = `${env.name}.domain.delegatedFrom`;
    const report = (message: string) => problems.push({ path, message });
    const parent = env.domain.delegatedFrom;
    const zone = env.domain.zoneName;
    if (typeof parent !== 'string') {
      report(`${JSON.stringify(parent)} is not an environment name; use one of ${names.join(', ')}`);
      continue;
    }
    if (parent === env.name) {
      report(`"${parent}" is this environment; name the environment whose zone is the parent of ${String(zone)}`);
      continue;
    }
    if (!zoneOf.has(parent)) {
      report(
        `"${parent}" is not an environment of this configuration; use one of ${names.join(', ')}, or remove delegatedFrom if the registrar delegates ${String(zone)}`,
      );
      continue;
    }
    const parentZone = zoneOf.get(parent);
    if (isZoneName(zone) && isZoneName(parentZone) && !String(zone).endsWith(`.${String(parentZone)}`)) {
      report(`"${parent}" has the zone ${parentZone}, which is not a parent of ${zone}; name the environment whose zone ${zone} ends with`);
    }
    if (isObj(env.edge) && env.edge.hostedZoneId !== undefined) {
      report(
        'is set together with edge.hostedZoneId; the name servers of an imported zone are not known at synth, so delegate it where it was created, or let the Dns stack create the zone',
      );
    }
  }
  return problems;
}
