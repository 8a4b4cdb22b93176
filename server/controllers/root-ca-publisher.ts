import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import { core } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import { deepEqual } from '../registry/equality.js';
import { runningController, WorkQueue, type Result } from './runtime.js';

type NamespaceObject = Namespace & KubeObject;
type ConfigMapObject = ConfigMap & KubeObject;

export const rootCAConfigMap = 'kube-root-ca.crt';
const descriptionAnnotation = 'kubernetes.io/description';
const description = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * The root CA certificate publisher: every active namespace has a `kube-root-ca.crt` ConfigMap holding
 * the cluster's CA bundle under `ca.crt`, put back as it was if it is changed or deleted. Pods' service
 * account volumes project it. The bundle may arrive after start (it is made in the background), and
 * nothing is published until it has.
 */
export function startRootCAPublisher(deps: ControllerDeps, rootCA: Promise<string>): Controller {
  const { informers, clock, logger } = deps;
  const client = deps.client.as('kube-controller-manager');
  const namespaces = informers.for<NamespaceObject>('', 'namespaces');
  const configMaps = informers.for<ConfigMapObject>('', 'configmaps');
  let bundle: string | undefined;

  const reconcile = async (ns: string): Promise<Result | void> => {
    if (bundle === undefined) return;
    if (!namespaces.hasSynced() || !configMaps.hasSynced()) return { requeueAfterMs: 100 };
    const namespace = namespaces.get(undefined, ns);
    // a terminating namespace refuses creates, and its content is on the way out
    if (!namespace || namespace.metadata.deletionTimestamp) return;
    const data = { 'ca.crt': bundle };
    const current = configMaps.get(ns, rootCAConfigMap);
    if (!current) {
      try {
        await client.create(core('configmaps'), ns, { metadata: { name: rootCAConfigMap, namespace: ns, annotations: { [descriptionAnnotation]: description } }, data } as ConfigMapObject);
      } catch (e) {
        if (!isAlreadyExists(e) && !isNotFound(e)) throw e;
      }
      return;
    }
    if (deepEqual(current.data, data) && current.metadata.annotations?.[descriptionAnnotation]) return;
    await client.update(core('configmaps'), ns, {
      ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [descriptionAnnotation]: description } }, data,
    } as ConfigMapObject);
  };

  const queue = new WorkQueue({ name: 'root-ca-cert-publisher', clock, logger, reconcile });
  const all = (): void => {
    for (const n of namespaces.list()) queue.add(n.metadata.name!);
  };
  const offs = [
    namespaces.onEvent((e) => queue.add(e.object.metadata.name!)),
    configMaps.onEvent((e) => {
      if (e.object.metadata.name === rootCAConfigMap && e.type !== 'ADDED') queue.add(e.object.metadata.namespace!);
    }),
  ];
  namespaces.start();
  configMaps.start();
  rootCA.then((pem) => {
    bundle = pem;
    all();
  }, (err: unknown) => logger.warn({ err }, 'no cluster CA: kube-root-ca.crt ConfigMaps are not published'));
  return runningController('root-ca-cert-publisher', queue, offs);
}
