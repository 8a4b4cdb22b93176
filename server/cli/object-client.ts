import type { ObjectClient } from '../controllers/client.js';
import { isNotFound } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import type { Registry } from '../registry/generic.js';
import { deepCopy } from '../meta/deep-copy.js';
import { withoutManagedFields } from '../registry/patch/managed-fields.js';
import type { JsonObject } from '../registry/patch/json-value.js';

/** Connects controllers to the registry: in-process writes through the full API pipeline. */
export function registryObjectClient(registry: Registry, manager = 'kube-controller-manager'): ObjectClient {
  const rc = () => ({ fieldManager: manager, fieldValidation: 'Ignore' as const, warnings: [] });
  return {
    async get<T extends KubeObject>(gr: { group: string; resource: string }, namespace: string, name: string) {
      try {
        // Stored objects are shared: callers get their own copy to change.
        return deepCopy(await registry.get(registry.ref(gr.group, gr.resource), namespace, name)) as T;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async create<T extends KubeObject>(gr: { group: string; resource: string }, namespace: string, obj: T) {
      return (await registry.create(registry.ref(gr.group, gr.resource), namespace, obj, rc())) as T;
    },
    async update<T extends KubeObject>(gr: { group: string; resource: string }, namespace: string, obj: T) {
      return (await registry.update(registry.ref(gr.group, gr.resource), namespace, obj.metadata.name!, unmanaged(obj), rc())) as T;
    },
    async updateStatus<T extends KubeObject>(gr: { group: string; resource: string }, namespace: string, obj: T) {
      return (await registry.update(registry.ref(gr.group, gr.resource), namespace, obj.metadata.name!, unmanaged(obj), rc(), 'status')) as T;
    },
    async finalize<T extends KubeObject>(gr: { group: string; resource: string }, obj: T) {
      return (await registry.update(registry.ref(gr.group, gr.resource), '', obj.metadata.name!, unmanaged(obj), rc(), 'finalize')) as T;
    },
    async mergePatch<T extends KubeObject>(gr: { group: string; resource: string }, namespace: string, name: string, patch: unknown, subresource?: 'status') {
      const ref = registry.ref(gr.group, gr.resource);
      return (await registry.patch(ref, namespace, name, 'application/merge-patch+json', patch, rc(), subresource)).object as T;
    },
    async delete(gr, namespace, name, options) {
      await registry.delete(registry.ref(gr.group, gr.resource), namespace, name, options ?? {}, rc());
    },
    as: (other) => registryObjectClient(registry, other),
  };
}

/**
 * kube-controller-manager's informers drop managedFields (its trim transform) and the kubelet patches
 * status alone, so their writes carry none and the server keeps the stored ones; sending them back
 * would only make the server decode, copy and compare them.
 */
function unmanaged<T extends KubeObject>(obj: T): T {
  return withoutManagedFields(obj as unknown as JsonObject) as unknown as T;
}
