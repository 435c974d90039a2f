/**
 * The pod killer's logic, free of AWS: which pods to delete, the EKS bearer token, and a minimal
 * Kubernetes API client (list and delete pods) over HTTPS with the cluster's CA.
 *
 * The token is what `aws eks get-token` makes: a presigned STS `GetCallerIdentity` URL, signed with
 * the header `x-k8s-aws-id: <cluster name>`, base64url-encoded without padding and prefixed with
 * `k8s-aws-v1.` (kubernetes-sigs/aws-iam-authenticator: pkg/token/token.go).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, Hash, Hmac } from 'crypto';
import * as http from 'http';
import * as https from 'https';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);

/** SHA-256 (HMAC-SHA-256 with a secret) in the shape the signer takes, on Node's crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** A pod as the list call returns it (the fields the killer reads). */
export interface Pod {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly deletionTimestamp?: string };
  readonly status?: { readonly phase?: string };
}

/**
 * The pods to delete: ceil(share × count) of those not already terminating, never all of them (at
 * most count − 1, so the service keeps a pod), none when the service has fewer than two.
 */
export function podsToDelete(pods: readonly Pod[], share: number): Pod[] {
  if (!(share > 0 && share <= 1)) throw new Error(`share ${share} is not allowed; use a number above 0 and at most 1`);
  const live = pods.filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const count = Math.min(Math.ceil(share * live.length), live.length - 1);
  return count > 0 ? live.slice(0, count) : [];
}

/** Credentials the token is signed with (the function's role, from its environment). */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Seconds a token's presigned URL is valid (what `aws eks get-token` uses; EKS accepts up to 15 minutes). */
export const TOKEN_EXPIRY_SECONDS = 60;

/** An EKS bearer token for `clusterName`, signed for the regional STS endpoint of `region`. */
export async function eksToken(clusterName: string, region: string, credentials: Credentials, now = new Date()): Promise<string> {
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: Sha256 });
  const hostname = `sts.${region}.amazonaws.com`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname, 'x-k8s-aws-id': clusterName },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    },
    { expiresIn: TOKEN_EXPIRY_SECONDS, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

/** How the client reaches the API server. */
export interface KubeConnection {
  /** `https://...` (the cluster's endpoint); `http://` only for tests against a local server. */
  readonly endpoint: string;
  /** PEM of the cluster's certificate authority. */
  readonly ca?: string;
  readonly token: string;
}

/** A Kubernetes API call that did not answer 2xx. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

async function call(connection: KubeConnection, method: 'GET' | 'DELETE', path: string): Promise<unknown> {
  const url = new URL(path, connection.endpoint);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method,
        ca: connection.ca,
        headers: { authorization: `Bearer ${connection.token}`, accept: 'application/json' },
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status < 200 || status > 299) {
            // The API's Status message (never the token: it is only in the request).
            let message = body.slice(0, 300);
            try {
              message = (JSON.parse(body) as { message?: string }).message ?? message;
            } catch {
              /* not JSON: keep the text */
            }
            reject(new KubeApiError(status, `${method} ${url.pathname} answered ${status}: ${message}`));
            return;
          }
          try {
            resolve(body ? JSON.parse(body) : {});
          } catch {
            reject(new KubeApiError(status, `${method} ${url.pathname} answered ${status} with a body that is not JSON`));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${url.pathname} timed out`)));
    request.on('error', reject);
    request.end();
  });
}

/** The pods of `namespace` matching the label selector query (`k=v,...`). */
export async function listPods(connection: KubeConnection, namespace: string, labelSelector: string): Promise<Pod[]> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(labelSelector)}`;
  const list = (await call(connection, 'GET', path)) as { items?: Pod[] };
  return list.items ?? [];
}

/** Deletes one pod (graceful: its termination grace period and the PDB-free delete path, like `kubectl delete pod`). */
export async function deletePod(connection: KubeConnection, namespace: string, name: string): Promise<void> {
  await call(connection, 'DELETE', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
}
