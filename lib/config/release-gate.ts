/**
 * The release gate: the cluster-side health checks of a release, run INSIDE the environment (a
 * CodeBuild project in the environment's VPC, reaching the cluster's private API endpoint), started
 * by the release step in the tooling account through the environment's deploy role. Both sides
 * call this file: the Cluster stack builds the project from `gateBuildCommands`, the release
 * (`cdk8s/release.ts`, `bin/release.ts`) starts it with `GATE_VARIABLES` and reads
 * `GATE_REVISION_VARIABLE` back. Pure, no imports beyond `lib/config`.
 */
import { PLATFORM } from './platform';

/** The variables the release sets on a gate build (environment overrides of `aws codebuild start-build`). */
export const GATE_VARIABLES = {
  /** The service whose Argo CD Application and rollout the gate watches. */
  service: 'GATE_SERVICE',
  /** The service's namespace (where its Rollout or Deployment is). */
  namespace: 'GATE_NAMESPACE',
  /** `rollout` (Argo Rollouts: canary, blue-green) or `deployment` (rolling). */
  workload: 'GATE_WORKLOAD',
  /** The GitOps commit of the release: the Application must be Synced and Healthy at it or a later one. */
  commit: 'GATE_COMMIT',
  /** The commits before it on the GitOps branch, newest first, space-separated (`GATE_ANCESTORS` of them). */
  before: 'GATE_BEFORE',
  /** How long to wait for the Application, in seconds (`DELIVERY.syncTimeoutSeconds`). */
  syncTimeout: 'GATE_SYNC_TIMEOUT_SECONDS',
  /** How long the rollout may take, in seconds (derived from the catalog entry). */
  rolloutTimeout: 'GATE_ROLLOUT_TIMEOUT_SECONDS',
} as const;

/** One of the gate's input variables. */
export type GateVariable = (typeof GATE_VARIABLES)[keyof typeof GATE_VARIABLES];

/**
 * The variable a passed gate exports (CodeBuild `exported-variables`, read back from
 * `batch-get-builds`): the GitOps revision the Application was Synced and Healthy at. The release
 * checks in Git that it is the commit or a later one, so a gate never passes on an older state.
 */
export const GATE_REVISION_VARIABLE = 'GATE_REVISION';

/**
 * How many commits before the release's commit the release hands the gate (`GATE_BEFORE`): a
 * revision among them is older (the gate waits); any other revision is the commit or a later one.
 * Argo CD further behind than this makes the release's own Git check fail the gate (never pass it).
 */
export const GATE_ANCESTORS = 100;

/** Time a gate build needs besides its waits: queueing, provisioning in the VPC, installing kubectl (seconds). */
export const GATE_SETUP_SECONDS = 600;

/** Seconds between two reads of the Application, and between two polls of the gate build by the release. */
export const GATE_POLL_SECONDS = 15;

/** Name of an environment's gate project (in the environment's account), e.g. `saas-platform-prod-release-gate`. */
export function gateProjectName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-release-gate`;
}

/**
 * Role the gate project runs as, e.g. `saas-platform-prod-release-gate`: `eks:DescribeCluster`,
 * and in the cluster the read-only `RELEASE_KUBERNETES_GROUP` through its access entry.
 */
export function gateRoleName(environmentName: string): string {
  return `${PLATFORM.application}-${environmentName}-release-gate`;
}

/** The gate build's time limit for one service, in whole minutes (`--timeout-in-minutes-override`, 5..2160). */
export function gateTimeoutMinutes(syncTimeoutSeconds: number, rolloutTimeoutSeconds: number): number {
  return Math.min(2160, Math.max(5, Math.ceil((syncTimeoutSeconds + rolloutTimeoutSeconds + GATE_SETUP_SECONDS) / 60)));
}

/** File the gate writes the revision it passed at to, in the build's directory (exported by the next command). */
export const GATE_REVISION_FILE = 'gate-revision';

/**
 * The Application verdict as a jq program over `kubectl get application -o json` (with `$commit`
 * and `$before`, the latter padded with spaces): one line `<verdict> <revision> <reason>`, separated by the unit separator (U+001F, so an empty revision stays a field).
 * `healthy` when Synced and Healthy at the commit or a later one; `failed` when the sync of such a
 * revision failed (a PreSync migration, a refused manifest) or the app is Degraded there; else `waiting`.
 */
export const APPLICATION_VERDICT_JQ = [
  'def after($r): $r != "" and ($r == $commit or ($before | contains(" " + $r + " ") | not));',
  '(.status // {}) as $s | ($s.sync.revision // "") as $synced | ($s.operationState // {}) as $op',
  '| ($op.syncResult.revision // $op.operation.sync.revision // "") as $oprev',
  '| if ($op.phase == "Failed" or $op.phase == "Error") and after($oprev)',
  '  then "failed\\u001f\\($oprev)\\u001fsync of \\($oprev) \\($op.phase | ascii_downcase): \\($op.message // "no message")"',
  '  elif (after($synced) | not) then "waiting\\u001f\\($synced)\\u001fsynced at \\(if $synced == "" then "nothing yet" else $synced end)"',
  '  elif $s.health.status == "Degraded" then "failed\\u001f\\($synced)\\u001fDegraded at \\($synced): \\($s.health.message // "no message")"',
  '  elif $s.sync.status == "Synced" and $s.health.status == "Healthy" then "healthy\\u001f\\($synced)\\u001fSynced and Healthy at \\($synced)"',
  '  else "waiting\\u001f\\($synced)\\u001f\\($s.sync.status // "Unknown") and \\($s.health.status // "Unknown") at \\($synced)" end',
].join('\n');

/** Where the gate finds its cluster. */
export interface GateTarget {
  readonly clusterName: string;
  readonly region: string;
  /** Namespace of the Argo CD Applications. @default argocd */
  readonly argoCdNamespace?: string;
}

/**
 * The build-phase commands of the gate (bash): a kubeconfig for the cluster as the gate's own role
 * (the private endpoint: the build runs in the environment's VPC), the Application gate, then
 * `kubectl argo rollouts status` (a Deployment: `kubectl rollout status`) with the service's timeout.
 * The first command runs in a subshell (its `exit` fails the build, not the shell) and writes the
 * revision it passed at; the second exports it as `GATE_REVISION_VARIABLE`.
 */
export function gateBuildCommands(target: GateTarget): string[] {
  const v = GATE_VARIABLES;
  const ns = target.argoCdNamespace ?? 'argocd';
  const kubectl = 'kubectl --context gate';
  const ref = (name: string) => `\${${name}}`;
  const fail = (reason: string) => `{ echo "gate failed: ${reason}"; exit 1; }`;
  const script = [
    '(',
    'set -uo pipefail',
    `aws eks update-kubeconfig --name ${target.clusterName} --region ${target.region} --alias gate > /dev/null || ${fail('cluster access')}`,
    `deadline=$((SECONDS + ${v.syncTimeout})); last=""; revision=""`,
    'while true; do',
    `  if app=$(${kubectl} --namespace ${ns} get application "${ref(v.service)}" --output json 2>&1); then`,
    `    IFS=$'\\x1f' read -r verdict revision last < <(jq -r --arg commit "${ref(v.commit)}" --arg before " ${ref(v.before)} " '${APPLICATION_VERDICT_JQ.replace(/'/g, "'\\''")}' <<< "$app")`,
    `    [ "$verdict" = failed ] && ${fail(`Argo CD Application ${ref(v.service)}: $last`)}`,
    '    [ "$verdict" = healthy ] && break',
    '  else last=$app; fi',
    `  [ "$SECONDS" -ge "$deadline" ] && ${fail(`Argo CD Application ${ref(v.service)} not Synced and Healthy after ${ref(v.syncTimeout)}s ($last)`)}`,
    `  sleep ${GATE_POLL_SECONDS}`,
    'done',
    `echo "gate: Argo CD Application ${ref(v.service)}: $last"`,
    `if [ "${ref(v.workload)}" = deployment ]; then`,
    `  ${kubectl} --namespace "${ref(v.namespace)}" rollout status "deployment/${ref(v.service)}" --timeout "${ref(v.rolloutTimeout)}s" || ${fail(`rollout of ${ref(v.service)}`)}`,
    'else',
    `  ${kubectl} --namespace "${ref(v.namespace)}" argo rollouts status "${ref(v.service)}" --timeout "${ref(v.rolloutTimeout)}s" || ${fail(`rollout of ${ref(v.service)}`)}`,
    'fi',
    `echo "gate: rollout of ${ref(v.service)} complete"`,
    `printf '%s' "$revision" > ${GATE_REVISION_FILE}`,
    ')',
  ].join('\n');
  return [script, `export ${GATE_REVISION_VARIABLE}="$(cat ${GATE_REVISION_FILE})"`];
}
