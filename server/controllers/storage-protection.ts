import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { deepCopy } from '../meta/deep-copy.js';
import { isNotFound } from '../meta/errors.js';
import { pvcProtectionFinalizer, pvProtectionFinalizer } from '../meta/finalizers.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import { core, type GroupResourceName } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import { runningController, WorkQueue, type Result } from './runtime.js';

type ClaimObject = PersistentVolumeClaim & KubeObject;
type VolumeObject = PersistentVolume & KubeObject;
type PodObject = Pod & KubeObject;

/** The claims a pod names, as namespace/name keys. */
function claimKeys(pod: DeepReadonly<PodObject>): string[] {
  const ns = pod.metadata.namespace ?? '';
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [`${ns}/${v.persistentVolumeClaim.claimName}`] : []));
}

/**
 * kube-controller-manager's pvc-protection and pv-protection controllers: a claim being deleted
 * keeps its finalizer while a scheduled pod names it (however that pod is doing), a volume being
 * deleted keeps its finalizer while it is bound. Then the finalizer goes, and so does the object.
 */
export function startStorageProtectionController(deps: ControllerDeps): Controller {
  const { informers, clock, logger } = deps;
  const client = deps.client.as('kube-controller-manager');
  const claims = informers.for<ClaimObject>('', 'persistentvolumeclaims');
  const volumes = informers.for<VolumeObject>('', 'persistentvolumes');
  const pods = informers.for<PodObject>('', 'pods');

  const release = async (gr: GroupResourceName, obj: DeepReadonly<KubeObject>, finalizer: string): Promise<void> => {
    const next = deepCopy(obj) as KubeObject;
    next.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await client.update(gr, obj.metadata.namespace ?? '', next);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  const reconcileClaim = async (ns: string, name: string): Promise<void> => {
    const claim = claims.get(ns, name);
    if (!claim?.metadata.deletionTimestamp || !claim.metadata.finalizers?.includes(pvcProtectionFinalizer)) return;
    const used = pods.list(ns).some((p) => !!p.spec?.nodeName && claimKeys(p).includes(`${ns}/${name}`));
    if (!used) await release(core('persistentvolumeclaims'), claim, pvcProtectionFinalizer);
  };

  const reconcileVolume = async (name: string): Promise<void> => {
    const volume = volumes.get(undefined, name);
    if (!volume?.metadata.deletionTimestamp || !volume.metadata.finalizers?.includes(pvProtectionFinalizer)) return;
    if (volume.status?.phase !== 'Bound') await release(core('persistentvolumes'), volume, pvProtectionFinalizer);
  };

  // keys: "pvc ns/name" or "pv name"
  const reconcile = async (key: string): Promise<Result | void> => {
    if (!claims.hasSynced() || !pods.hasSynced() || !volumes.hasSynced()) return { requeueAfterMs: 100 };
    const [kind, id] = [key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1)];
    if (kind === 'pv') return reconcileVolume(id);
    const slash = id.indexOf('/');
    return reconcileClaim(id.slice(0, slash), id.slice(slash + 1));
  };

  const queue = new WorkQueue({ name: 'storage-protection', clock, logger, reconcile });
  const offs = [
    claims.onEvent((e) => queue.add(`pvc ${e.object.metadata.namespace}/${e.object.metadata.name}`)),
    volumes.onEvent((e) => queue.add(`pv ${e.object.metadata.name}`)),
    // a pod that goes (or changes) may free the claims it named
    pods.onEvent((e) => {
      for (const key of claimKeys(e.object)) queue.add(`pvc ${key}`);
    }),
  ];
  claims.start();
  volumes.start();
  pods.start();
  // objects already known to informers other controllers started raise no event for us
  for (const c of claims.list()) queue.add(`pvc ${c.metadata.namespace}/${c.metadata.name}`);
  for (const v of volumes.list()) queue.add(`pv ${v.metadata.name}`);
  return runningController('storage-protection', queue, offs);
}
