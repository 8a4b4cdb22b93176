import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { isAlreadyExists, isNotFound } from '../meta/errors.js';
import type { KubeObject } from '../meta/types.js';
import { core } from './client.js';
import type { Controller, ControllerDeps } from './deps.js';
import { eventRecorder } from './events.js';
import {
  annBetaStorageClass, annBetaStorageProvisioner, annBindCompleted, annBoundByController, annProvisionedBy, annSelectedNode,
  annStorageProvisioner, claimClass, defaultClass, findMatchingVolume, hostPathProvisioner, requestedStorage,
  type RClaim, type RClass, type RVolume,
} from './persistentvolume-match.js';
import { runningController, WorkQueue, type Result } from './runtime.js';
import { deepCopy } from '../meta/deep-copy.js';

type ClaimObject = PersistentVolumeClaim & KubeObject;
type VolumeObject = PersistentVolume & KubeObject;

const claimRefKind = { kind: 'PersistentVolumeClaim', apiVersion: 'v1' };
const volumeRefKind = { kind: 'PersistentVolume', apiVersion: 'v1' };

/** Where a provisioned volume's data lives; refuses names that would leave the data directory. */
export function volumeDirectory(dataDir: string, pvName: string): string {
  const dir = resolve(dataDir, 'volumes', pvName);
  if (!dir.startsWith(resolve(dataDir) + sep)) throw new Error(`volume name ${pvName} escapes the data directory`);
  return dir;
}

/** The PV the hostpath provisioner creates for a claim (external-provisioner's shape, claimRef pre-set). */
export function provisionedVolume(claim: RClaim, cls: RClass, dataDir: string): VolumeObject {
  const name = `pvc-${claim.metadata.uid}`;
  return {
    metadata: { name, annotations: { [annProvisionedBy]: cls.provisioner } },
    spec: {
      accessModes: [...(claim.spec?.accessModes ?? [])],
      capacity: { storage: String(requestedStorage(claim)) },
      claimRef: {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim.metadata.name, namespace: claim.metadata.namespace,
        uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion,
      },
      hostPath: { path: join(dataDir, 'volumes', name), type: 'DirectoryOrCreate' },
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      ...(cls.mountOptions?.length ? { mountOptions: [...cls.mountOptions] } : {}),
    },
  };
}

/**
 * The PV controller (binding, retroactive default class, reclaim) together with the
 * kubemock.io/hostpath external provisioner, one queue keyed "claim/<ns>/<name>" or "volume/<name>".
 */
export function startPersistentVolumeController(deps: ControllerDeps): Controller {
  const { informers, client, clock, logger, config } = deps;
  const claims = informers.for<ClaimObject>('', 'persistentvolumeclaims');
  const volumes = informers.for<VolumeObject>('', 'persistentvolumes');
  const classes = informers.for<StorageClass & KubeObject>('storage.k8s.io', 'storageclasses');
  const events = eventRecorder(client, clock, logger, 'persistentvolume-controller');
  const provisionerEvents = eventRecorder(client, clock, logger, `${hostPathProvisioner}_kubemock`);

  const claimKey = (ns: string | undefined, name: string | undefined): string => `claim/${ns}/${name}`;

  /** Writes the claim side of a binding: volumeName and annotations, then status Bound. */
  const bindClaim = async (claim: RClaim, pv: RVolume): Promise<void> => {
    let current = claim;
    const ann = current.metadata.annotations ?? {};
    if (current.spec?.volumeName !== pv.metadata.name || ann[annBindCompleted] !== 'yes') {
      const next = deepCopy(current) as ClaimObject;
      const setByUs = !next.spec?.volumeName;
      next.spec = { ...next.spec, volumeName: pv.metadata.name };
      next.metadata.annotations = { ...next.metadata.annotations, [annBindCompleted]: 'yes', ...(setByUs ? { [annBoundByController]: 'yes' } : {}) };
      current = await client.update(core('persistentvolumeclaims'), next.metadata.namespace!, next);
    }
    if (current.status?.phase !== 'Bound') {
      const next = deepCopy(current) as ClaimObject;
      next.status = { ...next.status, phase: 'Bound', accessModes: [...(pv.spec?.accessModes ?? [])], capacity: { ...(pv.spec?.capacity ?? {}) } };
      await client.updateStatus(core('persistentvolumeclaims'), next.metadata.namespace!, next);
    }
  };

  /** Writes the volume side: claimRef (marked bound-by-controller when we set it) and phase Bound. */
  const bindVolume = async (pv: RVolume, claim: RClaim): Promise<RVolume> => {
    let current = pv;
    const ref = current.spec?.claimRef;
    if (!ref || ref.uid !== claim.metadata.uid) {
      const next = deepCopy(current) as VolumeObject;
      next.spec = {
        ...next.spec,
        claimRef: {
          kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid,
          apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion,
        },
      };
      next.metadata.annotations = { ...next.metadata.annotations, [annBoundByController]: 'yes' };
      current = await client.update(core('persistentvolumes'), '', next);
    }
    if (current.status?.phase !== 'Bound') {
      const next = deepCopy(current) as VolumeObject;
      next.status = { ...next.status, phase: 'Bound' };
      current = await client.updateStatus(core('persistentvolumes'), '', next);
    }
    return current;
  };

  const provision = async (claim: RClaim, cls: RClass): Promise<void> => {
    const ann = claim.metadata.annotations ?? {};
    if (ann[annStorageProvisioner] !== cls.provisioner || ann[annBetaStorageProvisioner] !== cls.provisioner) {
      await client.mergePatch(core('persistentvolumeclaims'), claim.metadata.namespace!, claim.metadata.name!, {
        metadata: { annotations: { [annStorageProvisioner]: cls.provisioner, [annBetaStorageProvisioner]: cls.provisioner } },
      });
      events.event(claim, claimRefKind, 'Normal', 'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    }
    if (cls.provisioner !== hostPathProvisioner) return;
    const pv = provisionedVolume(claim, cls, config.dataDir);
    if (volumes.get(undefined, pv.metadata.name!)) return;
    const claimName = `${claim.metadata.namespace}/${claim.metadata.name}`;
    provisionerEvents.event(claim, claimRefKind, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claimName}"`);
    await mkdir(volumeDirectory(config.dataDir, pv.metadata.name!), { recursive: true });
    try {
      await client.create(core('persistentvolumes'), '', pv);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      return;
    }
    provisionerEvents.event(claim, claimRefKind, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`);
  };

  const syncUnboundClaim = async (claim: RClaim): Promise<Result | void> => {
    const cls = classes.get(undefined, claimClass(claim));
    const waitForConsumer = cls?.volumeBindingMode === 'WaitForFirstConsumer' && !claim.metadata.annotations?.[annSelectedNode];
    const pv = findMatchingVolume(claim, volumes.list());
    if (pv && !waitForConsumer) {
      const bound = await bindVolume(pv, claim);
      await bindClaim(claim, bound);
      return;
    }
    if (waitForConsumer) {
      events.event(claim, claimRefKind, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    if (!claimClass(claim)) {
      events.event(claim, claimRefKind, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    if (!cls) {
      events.event(claim, claimRefKind, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${claimClass(claim)}" not found`);
      return;
    }
    if (cls.provisioner === 'kubernetes.io/no-provisioner') return;
    await provision(claim, cls);
  };

  const syncClaim = async (namespace: string, name: string): Promise<Result | void> => {
    const claim = claims.get(namespace, name);
    if (!claim) return;
    // RetroactiveDefaultStorageClass: a claim created before any default class gets it now.
    if (claim.spec?.storageClassName === undefined && !claim.metadata.annotations?.[annBetaStorageClass] && !claim.spec?.volumeName) {
      const def = defaultClass(classes.list());
      if (def) {
        await client.mergePatch(core('persistentvolumeclaims'), namespace, name, { spec: { storageClassName: def.metadata.name } });
        return;
      }
    }
    if (!claim.spec?.volumeName) return syncUnboundClaim(claim);
    const pv = volumes.get(undefined, claim.spec.volumeName);
    if (!pv) {
      if (claim.status?.phase === 'Bound') {
        await client.mergePatch(core('persistentvolumeclaims'), namespace, name, { status: { phase: 'Lost' } }, 'status');
        events.event(claim, claimRefKind, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    const ref = pv.spec?.claimRef;
    if (ref && ref.uid && ref.uid !== claim.metadata.uid) {
      if (claim.status?.phase === 'Bound') {
        await client.mergePatch(core('persistentvolumeclaims'), namespace, name, { status: { phase: 'Lost' } }, 'status');
        events.event(claim, claimRefKind, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      }
      return;
    }
    const bound = await bindVolume(pv, claim);
    await bindClaim(claim, bound);
  };

  /** A claim that is gone (or replaced by a new one with the same name) releases its volume. */
  const claimIsGone = async (pv: RVolume): Promise<boolean> => {
    const ref = pv.spec!.claimRef!;
    const cached = claims.get(ref.namespace, ref.name!);
    if (cached && (!ref.uid || cached.metadata.uid === ref.uid)) return false;
    // The cache may lag behind a claim created a moment ago: ask the API before releasing.
    const live = await client.get<ClaimObject>(core('persistentvolumeclaims'), ref.namespace ?? '', ref.name!);
    return !live || (!!ref.uid && live.metadata.uid !== ref.uid);
  };

  const reclaim = async (pv: RVolume): Promise<void> => {
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy !== 'Delete') return;
    if (pv.metadata.annotations?.[annProvisionedBy] === hostPathProvisioner) {
      await rm(volumeDirectory(config.dataDir, pv.metadata.name!), { recursive: true, force: true });
    }
    try {
      await client.delete(core('persistentvolumes'), '', pv.metadata.name!);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  const setVolumePhase = async (pv: RVolume, phase: string): Promise<void> => {
    if (pv.status?.phase === phase) return;
    const next = deepCopy(pv) as VolumeObject;
    next.status = { ...next.status, phase };
    await client.updateStatus(core('persistentvolumes'), '', next);
  };

  const syncVolume = async (name: string): Promise<Result | void> => {
    const pv = volumes.get(undefined, name);
    // a volume being deleted is still synced: pv-protection holds it until it is no longer Bound
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref) return setVolumePhase(pv, 'Available');
    if (await claimIsGone(pv)) {
      if (!ref.uid) return setVolumePhase(pv, 'Available');
      if (pv.status?.phase !== 'Released') {
        await setVolumePhase(pv, 'Released');
        events.event(pv, volumeRefKind, 'Normal', 'VolumeReleased', `Volume ${name} released: claim ${ref.namespace}/${ref.name} was deleted`);
      }
      await reclaim(pv);
      return;
    }
    const claim = claims.get(ref.namespace, ref.name!);
    if (claim?.spec?.volumeName === name) return setVolumePhase(pv, 'Bound');
    // Pre-bound to a claim that has not caught up yet: the claim's sync finishes the binding.
    queue.add(claimKey(ref.namespace, ref.name));
  };

  const reconcile = async (key: string): Promise<Result | void> => {
    const [kind, a, b] = key.split('/');
    return kind === 'claim' ? syncClaim(a, b) : syncVolume(a);
  };

  const queue = new WorkQueue({ name: 'persistentvolume', clock, logger, reconcile });
  const offs = [
    claims.onEvent((e) => {
      queue.add(claimKey(e.object.metadata.namespace, e.object.metadata.name));
      if (e.object.spec?.volumeName) queue.add(`volume/${e.object.spec.volumeName}`);
      if (e.type === 'DELETED') {
        for (const pv of volumes.list()) if (pv.spec?.claimRef?.uid === e.object.metadata.uid) queue.add(`volume/${pv.metadata.name}`);
      }
    }),
    volumes.onEvent((e) => {
      if (e.type !== 'DELETED') queue.add(`volume/${e.object.metadata.name}`);
      const ref = e.object.spec?.claimRef;
      if (ref) queue.add(claimKey(ref.namespace, ref.name));
      // A volume that became available may fit a pending claim.
      if (!ref) for (const c of claims.list()) if (!c.spec?.volumeName) queue.add(claimKey(c.metadata.namespace, c.metadata.name));
    }),
    classes.onEvent(() => {
      for (const c of claims.list()) if (!c.spec?.volumeName) queue.add(claimKey(c.metadata.namespace, c.metadata.name));
    }),
  ];
  for (const i of [claims, volumes, classes]) i.start();
  for (const c of claims.list()) queue.add(claimKey(c.metadata.namespace, c.metadata.name));
  for (const v of volumes.list()) queue.add(`volume/${v.metadata.name}`);
  return runningController('persistentvolume', queue, offs);
}
