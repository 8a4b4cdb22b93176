import { isAlreadyExists } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';
import { deepCopy } from '../meta/deep-copy.js';

/** manager: who writes it on a real cluster, as its managedFields show. */
type BootstrapObject = { group: string; resource: string; namespace: string; object: KubeObject; manager: string };

/** What a fresh cluster holds: the system namespaces and the default StorageClass `standard`. */
const bootstrap: BootstrapObject[] = [
  ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ({
    group: '', resource: 'namespaces', namespace: '', object: { metadata: { name } }, manager: 'kube-apiserver',
  })),
  {
    group: 'storage.k8s.io',
    resource: 'storageclasses',
    namespace: '',
    object: {
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubemock.io/hostpath',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
    },
    // a cluster's installer puts it there with kubectl
    manager: 'kubectl-create',
  },
];

/** The n-th address of the service range (kubeadm: .1 for kubernetes, .10 for kube-dns). */
function serviceIP(cidr: string, n: number): string {
  const [ip] = cidr.split('/');
  const parts = ip.split('.').map(Number);
  parts[3] += n;
  return parts.join('.');
}

/** The ClusterIP of kube-dns, the nameserver in every pod's resolv.conf. */
export function kubeDnsIP(serviceCidr: string): string {
  return serviceIP(serviceCidr, 10);
}

function kubernetesService(serviceCidr: string): BootstrapObject {
  return {
    group: '',
    resource: 'services',
    namespace: 'default',
    manager: 'kube-apiserver',
    object: {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: serviceIP(serviceCidr, 1), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP' },
    },
  };
}

/** kube-dns as kubeadm installs it, so `nslookup` names its server and the address resolves back. */
function kubeDnsService(serviceCidr: string): BootstrapObject {
  return {
    group: '',
    resource: 'services',
    namespace: 'kube-system',
    manager: 'kubeadm',
    object: {
      metadata: { name: 'kube-dns', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
      spec: {
        clusterIP: kubeDnsIP(serviceCidr), selector: { 'k8s-app': 'kube-dns' }, sessionAffinity: 'None', type: 'ClusterIP',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
  };
}

export async function bootstrapObjects(registry: Registry, serviceCidr: string, opts: { dns?: boolean } = {}): Promise<void> {
  const services = [kubernetesService(serviceCidr), ...(opts.dns ? [kubeDnsService(serviceCidr)] : [])];
  for (const b of [...bootstrap, ...services]) {
    if (!registry.resources.some((r) => r.group === b.group && r.resource === b.resource)) continue;
    const ref = registry.ref(b.group, b.resource);
    // What a previous run (--data-dir) or another instance (--etcd-endpoints) created stays: creating it
    // again can fail on a side effect (the kubernetes Service's IP is taken, by itself) before AlreadyExists.
    const exists = async (): Promise<boolean> => !!(await registry.storage.get(registry.key(ref, b.namespace, b.object.metadata.name!)));
    if (await exists()) continue;
    try {
      await registry.create(ref, b.namespace, deepCopy(b.object), { fieldManager: b.manager });
    } catch (e) {
      if (!isAlreadyExists(e) && !(await exists())) throw e;
    }
  }
}
