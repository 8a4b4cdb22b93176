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

export async function bootstrapObjects(registry: Registry): Promise<void> {
  for (const b of bootstrap) {
    if (!registry.resources.some((r) => r.group === b.group && r.resource === b.resource)) continue;
    try {
      await registry.create(registry.ref(b.group, b.resource), b.namespace, structuredClone(b.object));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}
