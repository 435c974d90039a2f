import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** Name of the platform's StorageClass (the cluster default). */
export const STORAGE_CLASS_NAME = 'gp3';

/**
 * The provisioner of the EBS CSI driver, the EKS add-on the Cluster stack installs (`aws-ebs-csi-driver`,
 * with its own Pod Identity role and the AWS-managed driver policy): `ebs.csi.aws.com`. Volumes are
 * encrypted with the account's default EBS key, which that policy may use (a customer key would need
 * a grant to the driver's role).
 */
export const EBS_CSI_PROVISIONER = 'ebs.csi.aws.com';

/** Props of `EbsStorageClass`. */
export interface EbsStorageClassProps {
  /**
   * What happens to a volume when its claim is deleted: `Retain` keeps the EBS volume (outside
   * development, like every stateful resource), `Delete` removes it.
   */
  readonly reclaimPolicy: 'Retain' | 'Delete';
}

/**
 * The cluster's default StorageClass: EBS gp3, encrypted with the account's EBS key, bound when the
 * pod is scheduled (so the volume is made in the pod's zone), expandable. EKS creates no gp3 class;
 * Prometheus and Alertmanager claim their volumes from it.
 */
export class EbsStorageClass extends ApiObject {
  constructor(scope: Construct, id: string, props: EbsStorageClassProps) {
    super(scope, id, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: STORAGE_CLASS_NAME, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: EBS_CSI_PROVISIONER,
      parameters: { type: 'gp3', encrypted: 'true' },
      reclaimPolicy: props.reclaimPolicy,
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
  }
}
