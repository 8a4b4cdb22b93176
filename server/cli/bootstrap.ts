import { isAlreadyExists } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';

/** What a fresh cluster holds: the system namespaces and the default StorageClass `standard`. */
const bootstrap: { group: string; resource: string; namespace: string; object: KubeObject }[] = [
  ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ({
    group: '', resource: 'namespaces', namespace: '', object: { metadata: { name } },
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
  },
];

/** The first address of the service range, which real clusters give the `kubernetes` Service. */
function firstServiceIP(cidr: string): string {
  const [ip] = cidr.split('/');
  const parts = ip.split('.').map(Number);
  parts[3] += 1;
  return parts.join('.');
}

function kubernetesService(serviceCidr: string): { group: string; resource: string; namespace: string; object: KubeObject } {
  return {
    group: '',
    resource: 'services',
    namespace: 'default',
    object: {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: firstServiceIP(serviceCidr), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP' },
    },
  };
}

export async function bootstrapObjects(registry: Registry, serviceCidr: string): Promise<void> {
  for (const b of [...bootstrap, kubernetesService(serviceCidr)]) {
    if (!registry.resources.some((r) => r.group === b.group && r.resource === b.resource)) continue;
    const ref = registry.ref(b.group, b.resource);
    // What a previous run (--data-dir) or another instance (--etcd-endpoints) created stays: creating it
    // again can fail on a side effect (the kubernetes Service's IP is taken, by itself) before AlreadyExists.
    const exists = async (): Promise<boolean> => !!(await registry.storage.get(registry.key(ref, b.namespace, b.object.metadata.name!)));
    if (await exists()) continue;
    try {
      await registry.create(ref, b.namespace, structuredClone(b.object));
    } catch (e) {
      if (!isAlreadyExists(e) && !(await exists())) throw e;
    }
  }
}
