/**
 * The names a pod sees for itself (kubelet's GeneratePodHostNameAndDomain and the /etc/hosts it
 * writes): `hostname` prints spec.hostname or the pod name cut to 63 characters; with a subdomain,
 * `hostname -f` prints `<hostname>.<subdomain>.<ns>.svc.<zone>`, the name DNS answers for it.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface PodHostnames {
  /** What `hostname` prints. */
  hostname: string;
  /** What `hostname -f` prints. */
  fqdn: string;
}

const maxHostnameLength = 63;

export function podHostnames(pod: Pick<Pod, 'metadata' | 'spec'>, zone = 'cluster.local'): PodHostnames {
  const name = pod.metadata?.name ?? '';
  const short = (pod.spec?.hostname || name).slice(0, maxHostnameLength).replace(/[-.]+$/, '');
  const subdomain = pod.spec?.subdomain;
  const fqdn = subdomain ? `${short}.${subdomain}.${pod.metadata?.namespace ?? 'default'}.svc.${zone}` : short;
  // setHostnameAsFQDN makes the kernel hostname itself the FQDN
  return { hostname: pod.spec?.setHostnameAsFQDN && subdomain ? fqdn : short, fqdn };
}
