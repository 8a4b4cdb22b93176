/**
 * A pod's volumes as host directories: a PVC is its PV's directory (from the kubelet's volumePaths),
 * emptyDir lives under the pod's data directory, configMap/secret/downwardAPI/projected volumes are
 * written out as files (and are always read-only, as in Kubernetes), hostPath is a directory of the
 * simulated node (as kind's nodes are containers, not the host).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly } from '../meta/types.js';
import type { FsMount } from './container-fs.js';
import { configMapData, podFieldValue, secretData, type ObjectLookup } from './pod-objects.js';

export interface PodDirs {
  /** The pod's own directory (emptyDir and materialised volumes, container roots). */
  podDir: string;
  /** The simulated node's directory (hostPath volumes). */
  nodeDir: string;
}

export interface VolumeSource {
  hostPath: string;
  /** configMap, secret, downwardAPI and projected volumes are read-only whatever the mount says. */
  alwaysReadOnly: boolean;
}

type Items = readonly { key: string; path: string }[] | undefined;

function writeKeys(dir: string, data: Map<string, Buffer>, items: Items): void {
  mkdirSync(dir, { recursive: true });
  const pairs: [string, Buffer | undefined][] = items?.length ? items.map((i) => [i.path, data.get(i.key)]) : [...data.entries()];
  for (const [path, bytes] of pairs) {
    if (!bytes) continue;
    const file = join(dir, posix.normalize(`/${path}`));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
}

function downwardData(pod: DeepReadonly<Pod>, podIP: string, items: readonly { path: string; fieldRef?: { fieldPath: string } }[] | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const i of items ?? []) {
    if (i.fieldRef) out.set(i.path, Buffer.from(podFieldValue(pod, i.fieldRef.fieldPath, podIP) ?? ''));
  }
  return out;
}

function materialise(v: DeepReadonly<Volume>, pod: DeepReadonly<Pod>, podIP: string, objects: ObjectLookup, dir: string): void {
  const ns = pod.metadata?.namespace ?? 'default';
  if (v.configMap) {
    const cm = objects.configMap(ns, v.configMap.name ?? '');
    writeKeys(dir, cm ? configMapData(cm) : new Map(), v.configMap.items);
  } else if (v.secret) {
    const s = objects.secret(ns, v.secret.secretName ?? '');
    writeKeys(dir, s ? secretData(s) : new Map(), v.secret.items);
  } else if (v.downwardAPI) {
    writeKeys(dir, downwardData(pod, podIP, v.downwardAPI.items), undefined);
  } else if (v.projected) {
    mkdirSync(dir, { recursive: true });
    for (const src of v.projected.sources ?? []) {
      if (src.configMap) {
        const cm = objects.configMap(ns, src.configMap.name ?? '');
        writeKeys(dir, cm ? configMapData(cm) : new Map(), src.configMap.items);
      } else if (src.secret) {
        const s = objects.secret(ns, src.secret.name ?? '');
        writeKeys(dir, s ? secretData(s) : new Map(), src.secret.items);
      } else if (src.downwardAPI) {
        writeKeys(dir, downwardData(pod, podIP, src.downwardAPI.items), undefined);
      } else if (src.serviceAccountToken) {
        writeKeys(dir, new Map([[src.serviceAccountToken.path, Buffer.from('kubemock-simulated-token')]]), undefined);
      }
    }
  }
}

/** Host directories for each of the pod's volumes, created as needed. */
export function podVolumes(pod: DeepReadonly<Pod>, podIP: string, volumePaths: Readonly<Record<string, string>>, dirs: PodDirs, objects: ObjectLookup): Map<string, VolumeSource> {
  const out = new Map<string, VolumeSource>();
  for (const v of pod.spec?.volumes ?? []) {
    const own = join(dirs.podDir, 'volumes', v.name);
    if (v.persistentVolumeClaim) {
      const path = volumePaths[v.name] ?? own;
      mkdirSync(path, { recursive: true });
      out.set(v.name, { hostPath: path, alwaysReadOnly: false });
    } else if (v.hostPath) {
      const path = join(dirs.nodeDir, 'hostpath', posix.normalize(`/${v.hostPath.path}`));
      if (v.hostPath.type !== 'File' && v.hostPath.type !== 'FileOrCreate') mkdirSync(path, { recursive: true });
      out.set(v.name, { hostPath: path, alwaysReadOnly: false });
    } else if (v.configMap || v.secret || v.downwardAPI || v.projected) {
      materialise(v, pod, podIP, objects, own);
      out.set(v.name, { hostPath: own, alwaysReadOnly: true });
    } else {
      // emptyDir, and any source we do not model, is a directory that lives as long as the pod
      mkdirSync(own, { recursive: true });
      out.set(v.name, { hostPath: own, alwaysReadOnly: false });
    }
  }
  return out;
}

/** The container's mounts onto those directories (subPath honoured). */
export function containerMounts(c: DeepReadonly<Container>, volumes: Map<string, VolumeSource>): FsMount[] {
  const mounts: FsMount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) continue;
    let hostPath = v.hostPath;
    if (m.subPath) {
      hostPath = join(hostPath, posix.normalize(`/${m.subPath}`));
      if (!v.alwaysReadOnly) mkdirSync(hostPath, { recursive: true });
    }
    mounts.push({ mountPath: m.mountPath, hostPath, readOnly: v.alwaysReadOnly || !!m.readOnly });
  }
  return mounts;
}
