import type { KubeObject } from '../meta/types.js';

export interface GroupResourceName {
  group: string;
  resource: string;
}

export interface ClientDeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * How controllers write: the same registry pipeline kubectl's writes go through (defaults,
 * validation, status rules), declared here so that controllers do not depend on the registry.
 * Objects are in the resource's preferred version; errors are StatusErrors.
 */
export interface ObjectClient {
  get<T extends KubeObject>(gr: GroupResourceName, namespace: string, name: string): Promise<T | undefined>;
  create<T extends KubeObject>(gr: GroupResourceName, namespace: string, obj: T): Promise<T>;
  /** Conditional on obj.metadata.resourceVersion when set. */
  update<T extends KubeObject>(gr: GroupResourceName, namespace: string, obj: T): Promise<T>;
  updateStatus<T extends KubeObject>(gr: GroupResourceName, namespace: string, obj: T): Promise<T>;
  /** PUT to the finalize subresource: only spec.finalizers changes (Namespaces). */
  finalize<T extends KubeObject>(gr: GroupResourceName, obj: T): Promise<T>;
  /** A JSON merge patch (RFC 7386). */
  mergePatch<T extends KubeObject>(gr: GroupResourceName, namespace: string, name: string, patch: unknown, subresource?: 'status'): Promise<T>;
  delete(gr: GroupResourceName, namespace: string, name: string, options?: ClientDeleteOptions): Promise<void>;
  /** The same client writing as another field manager, as each kube component has its own (kubelet, kube-scheduler). */
  as(manager: string): ObjectClient;
}

export const core = (resource: string): GroupResourceName => ({ group: '', resource });
export const apps = (resource: string): GroupResourceName => ({ group: 'apps', resource });
