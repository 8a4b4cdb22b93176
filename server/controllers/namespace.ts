import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../meta/clock.js';
import { isNotFound } from '../meta/errors.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { Informer } from '../store/informer.js';
import { core, type GroupResourceName } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import { runningController, WorkQueue, type Result } from './runtime.js';
import { deepCopy } from '../meta/deep-copy.js';

type NamespaceObject = Namespace & KubeObject;

/** Namespaced resources whose objects go with their namespace, in the order they are deleted. */
export const namespacedContent: GroupResourceName[] = [
  { group: 'apps', resource: 'statefulsets' },
  { group: 'apps', resource: 'controllerrevisions' },
  core('pods'),
  core('services'),
  core('endpoints'),
  { group: 'discovery.k8s.io', resource: 'endpointslices' },
  core('persistentvolumeclaims'),
  core('configmaps'),
  core('secrets'),
  core('serviceaccounts'),
  core('events'),
  { group: 'events.k8s.io', resource: 'events' },
];

const systemNamespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
const recheckMs = 1000;

function condition(type: string, status: string, reason: string, message: string, now: number): NamespaceCondition {
  return { type, status, reason, message, lastTransitionTime: rfc3339(now) };
}

/**
 * The namespace controller: a namespace being deleted shows phase Terminating, its content is
 * deleted (pods gracefully, through their kubelets), and once nothing is left the `kubernetes`
 * finalizer is removed so the namespace goes. Content left behind by a namespace that is already
 * gone is deleted too.
 */
export function startNamespaceController(deps: ControllerDeps): Controller {
  const { informers, client, clock, logger } = deps;
  const namespaces = informers.for<NamespaceObject>('', 'namespaces');
  const content: { gr: GroupResourceName; informer: Informer }[] = [];
  for (const gr of namespacedContent) {
    try {
      content.push({ gr, informer: informers.for(gr.group, gr.resource) });
    } catch {
      // A resource this server does not serve (yet) has no content to delete.
    }
  }

  const remaining = (ns: string): { gr: GroupResourceName; obj: DeepReadonly<KubeObject> }[] =>
    content.flatMap(({ gr, informer }) => informer.list(ns).map((obj) => ({ gr, obj })));

  const deleteContent = async (ns: string): Promise<number> => {
    const left = remaining(ns);
    for (const { gr, obj } of left) {
      if (obj.metadata.deletionTimestamp) continue;
      try {
        await client.delete(gr, ns, obj.metadata.name!, { propagationPolicy: 'Background' });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return left.length;
  };

  const markTerminating = async (ns: DeepReadonly<NamespaceObject>, left: number, now: number): Promise<void> => {
    const want = left
      ? condition('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${left} objects`, now)
      : condition('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed', now);
    const prior = ns.status?.conditions?.find((c) => c.type === want.type);
    if (ns.status?.phase === 'Terminating' && prior?.status === want.status && prior.message === want.message) return;
    const next = deepCopy(ns) as NamespaceObject;
    next.status = {
      phase: 'Terminating',
      conditions: [...(ns.status?.conditions ?? []).filter((c) => c.type !== want.type).map((c) => deepCopy(c) as NamespaceCondition), want],
    };
    await client.updateStatus(core('namespaces'), '', next);
  };

  const finalize = async (ns: DeepReadonly<NamespaceObject>): Promise<void> => {
    if (!(ns.spec?.finalizers ?? []).includes('kubernetes')) return;
    const next = deepCopy(ns) as NamespaceObject;
    next.spec = { ...next.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes') };
    await client.finalize(core('namespaces'), next);
  };

  const reconcile = async (name: string): Promise<Result | void> => {
    const ns = namespaces.get(undefined, name);
    if (ns && !ns.metadata.deletionTimestamp) return;
    if (!namespaces.hasSynced()) return { requeueAfterMs: 100 };
    if (!ns && systemNamespaces.has(name)) return;
    const left = await deleteContent(name);
    if (ns) {
      await markTerminating(ns, left, clock.now());
      if (!left) await finalize(ns);
    }
    if (left) return { requeueAfterMs: recheckMs };
  };

  const queue = new WorkQueue({ name: 'namespace', clock, logger, reconcile });
  const offs = [
    namespaces.onEvent((e) => queue.add(e.object.metadata.name!)),
    ...content.map(({ informer }) => informer.onEvent((e) => {
      const ns = e.object.metadata.namespace;
      if (!ns) return;
      const owner = namespaces.get(undefined, ns);
      if (!owner || owner.metadata.deletionTimestamp) queue.add(ns);
    })),
  ];
  namespaces.start();
  for (const c of content) c.informer.start();
  return runningController('namespace', queue, offs);
}
