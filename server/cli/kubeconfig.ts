import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token?: string;
  caData?: string;
  name?: string;
}

/**
 * A kubeconfig for both kubectl and @kubernetes/client-node: client-node 1.4 refuses plain http
 * unless the cluster says insecure-skip-tls-verify, which kubectl accepts without complaint.
 */
export function kubeconfigYaml(opts: KubeconfigOptions): string {
  const name = opts.name ?? 'kubemock';
  const cluster: Record<string, unknown> = { server: opts.server };
  if (opts.caData) cluster['certificate-authority-data'] = opts.caData;
  // Only plain http needs the flag; an https server without a CA of ours is verified against the system roots.
  else if (!opts.server.startsWith('https:')) cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: opts.token ? { token: opts.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export async function writeKubeconfig(file: string, opts: KubeconfigOptions): Promise<void> {
  await writeFile(file, kubeconfigYaml(opts), { mode: 0o600 });
}
