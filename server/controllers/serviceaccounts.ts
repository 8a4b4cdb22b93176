import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import { core } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import { runningController, WorkQueue, type Result } from './runtime.js';

type NamespaceObject = Namespace & KubeObject;
type ServiceAccountObject = ServiceAccount & KubeObject;

/** kube-controller-manager's --service-account default: every namespace gets one "default" account. */
const ensured = ['default'];

/**
 * The service account controller: every active namespace has a `default` ServiceAccount, made
 * again if it is deleted, so `kubectl get serviceaccounts` and pods' serviceAccountName find it.
 * A terminating namespace gets none (its content is on the way out).
 */
export function startServiceAccountsController(deps: ControllerDeps): Controller {
  const { informers, clock, logger } = deps;
  const client = deps.client.as('kube-controller-manager');
  const namespaces = informers.for<NamespaceObject>('', 'namespaces');
  const accounts = informers.for<ServiceAccountObject>('', 'serviceaccounts');

  const reconcile = async (ns: string): Promise<Result | void> => {
    if (!namespaces.hasSynced() || !accounts.hasSynced()) return { requeueAfterMs: 100 };
    const namespace = namespaces.get(undefined, ns);
    if (!namespace || namespace.metadata.deletionTimestamp) return;
    for (const name of ensured) {
      if (accounts.get(ns, name)) continue;
      try {
        await client.create(core('serviceaccounts'), ns, { metadata: { name, namespace: ns } } as ServiceAccountObject);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  };

  const queue = new WorkQueue({ name: 'serviceaccount', clock, logger, reconcile });
  const offs = [
    namespaces.onEvent((e) => queue.add(e.object.metadata.name!)),
    accounts.onEvent((e) => {
      if (e.type === 'DELETED' && ensured.includes(e.object.metadata.name!)) queue.add(e.object.metadata.namespace!);
    }),
  ];
  namespaces.start();
  accounts.start();
  for (const n of namespaces.list()) queue.add(n.metadata.name!);
  return runningController('serviceaccount', queue, offs);
}
