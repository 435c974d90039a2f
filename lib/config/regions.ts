import { EKS_ADDON_VERSIONS } from './eks-addons';

/**
 * AWS commercial regions the platform can deploy to. Kept as data so that a typo in a region
 * is caught offline, before CDK tries to resolve it.
 */
export const KNOWN_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'ca-west-1',
  'mx-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ap-east-1',
  'ap-east-2',
  'me-south-1',
  'me-central-1',
  'il-central-1',
  'af-south-1',
];

/** Kubernetes minor versions the platform supports: those with a row of pinned EKS add-on versions. */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = Object.keys(EKS_ADDON_VERSIONS);

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
