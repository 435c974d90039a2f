/**
 * THE file a platform engineer edits after cloning: accounts, domain, owners, alert channels.
 *
 * Account IDs below are placeholders (`1111...`, `2222...`): replace them with yours. Nothing
 * else in the repository names an account. Synth works offline with the placeholders.
 */
export const PLATFORM = {
  /** Slug used in resource names and the `Application` tag. */
  application: 'saas-platform',
  /** Team that owns the platform (the `Owner` tag). */
  owner: 'platform-team@example.com',
  /** Cost center the bill goes to (the `CostCenter` tag). */
  costCenter: 'CC-1042',
  /** Apex domain; each environment gets a zone below it (prod gets the apex). */
  apexDomain: 'example.com',
  /**
   * AWS accounts, one per environment, the tooling account that runs the pipeline, and the account
   * that administers IAM Identity Center (the organization's management account, or the account
   * delegated to administer Identity Center).
   */
  accounts: {
    tooling: '000000000000',
    dev: '111111111111',
    staging: '222222222222',
    prod: '333333333333',
    management: '444444444444',
  },
  /**
   * The organization's IAM Identity Center instance (Settings page of the Identity Center console,
   * or `aws sso-admin list-instances`): placeholders, replace them with yours. `region` is where the
   * instance lives; the roles it makes in each account carry it in their path.
   */
  identityCenter: {
    instanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000',
    identityStoreId: 'd-0000000000',
    region: 'eu-west-1',
  },
  /** Home region of the workloads; prod's disaster-recovery region. */
  region: 'eu-west-1',
  drRegion: 'eu-central-1',
  /** CIDRs (office, VPN) allowed to reach the clusters' public API endpoints; empty = private endpoints only. */
  adminCidrs: ['203.0.113.0/24'],
  /**
   * The only role that may delete a bucket or suspend its versioning. Each environment's Access
   * stack creates it; only sessions of the break-glass permission set may assume it.
   */
  breakGlassRoleName: 'BreakGlassAdmin',
  /**
   * Git repository Argo CD syncs every environment from (the release step commits the rendered
   * manifests to `environments/<env>` there). A placeholder: replace it with yours.
   */
  gitopsRepoUrl: 'https://github.com/example/saas-platform-gitops.git',
  /** The delivery pipelines in the tooling account (docs/cicd/pipeline-overview.md). */
  pipeline: {
    /** This repository on GitHub, `owner/name`. */
    repository: 'example/saas-platform',
    /**
     * ARN of the AWS CodeConnections connection to GitHub, in the tooling account: create it once
     * (console: Developer Tools > Settings > Connections), finish the GitHub handshake, paste its ARN
     * here. A placeholder: replace it with yours.
     */
    connectionArn: 'arn:aws:codeconnections:eu-west-1:000000000000:connection/00000000-0000-0000-0000-000000000000',
    /** Commits to this branch deploy the development environments. */
    devBranch: 'develop',
    /** Commits to this branch deploy staging, then, after a manual approval, production. */
    releaseBranch: 'main',
    /** SonarQube (or SonarCloud) server the synth step sends its analysis to; empty: no analysis. */
    sonarHostUrl: '',
  },
  /** Where alerts go, by severity (`info` is for dashboards only: no recipients). */
  alertEmails: {
    critical: ['oncall@example.com'],
    warning: ['platform-team@example.com'],
    info: [],
  },
  /**
   * Chat channels of the alerts (AWS Chatbot). Placeholders: authorize your Slack workspace (and/or
   * configure your Teams team) once in the Chatbot console, then put the IDs here; remove the
   * application you do not use. See docs/observability.md#chat-channels.
   */
  chat: {
    slack: { workspaceId: 'T00000000AA', channels: { critical: 'C00000000AA', warning: 'C00000000BB' } },
  },
  /** Who is texted when neither PagerDuty tier acknowledges a critical alert (E.164; placeholders from the fictional 555-01xx range). */
  dutyManagerPhones: ['+15555550100'],
} as const;
