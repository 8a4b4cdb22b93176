/**
 * A pod's volumes as host directories: a PVC is its PV's directory (from the kubelet's volumePaths),
 * emptyDir lives under the pod's data directory, configMap/secret/downwardAPI/projected volumes are
 * written out as files (and are always read-only, as in Kubernetes), hostPath is a directory of the
 * simulated node (as kind's nodes are containers, not the host).
 */
import { mkdir, writeFile } from 'node:fs/promises';
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

async function writeKeys(dir: string, data: Map<string, Buffer>, items: Items): Promise<void> {
  await mkdir(dir, { recursive: true });
  const pairs: [string, Buffer | undefined][] = items?.length ? items.map((i) => [i.path, data.get(i.key)]) : [...data.entries()];
  for (const [path, bytes] of pairs) {
    if (!bytes) continue;
    const file = join(dir, posix.normalize(`/${path}`));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
}

function downwardData(pod: DeepReadonly<Pod>, podIP: string, items: readonly { path: string; fieldRef?: { fieldPath: string } }[] | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const i of items ?? []) {
    if (i.fieldRef) out.set(i.path, Buffer.from(podFieldValue(pod, i.fieldRef.fieldPath, podIP) ?? ''));
  }
  return out;
}

async function materialise(v: DeepReadonly<Volume>, pod: DeepReadonly<Pod>, podIP: string, objects: ObjectLookup, dir: string): Promise<void> {
  const ns = pod.metadata?.namespace ?? 'default';
  if (v.configMap) {
    const cm = objects.configMap(ns, v.configMap.name ?? '');
    await writeKeys(dir, cm ? configMapData(cm) : new Map(), v.configMap.items);
  } else if (v.secret) {
    const s = objects.secret(ns, v.secret.secretName ?? '');
    await writeKeys(dir, s ? secretData(s) : new Map(), v.secret.items);
  } else if (v.downwardAPI) {
    await writeKeys(dir, downwardData(pod, podIP, v.downwardAPI.items), undefined);
  } else if (v.projected) {
    await mkdir(dir, { recursive: true });
    for (const src of v.projected.sources ?? []) {
      if (src.configMap) {
        const cm = objects.configMap(ns, src.configMap.name ?? '');
        await writeKeys(dir, cm ? configMapData(cm) : new Map(), src.configMap.items);
      } else if (src.secret) {
        const s = objects.secret(ns, src.secret.name ?? '');
        await writeKeys(dir, s ? secretData(s) : new Map(), src.secret.items);
      } else if (src.downwardAPI) {
        await writeKeys(dir, downwardData(pod, podIP, src.downwardAPI.items), undefined);
      } else if (src.serviceAccountToken) {
        const projection = src.serviceAccountToken;
        // without an account there is nothing to issue: a real kubelet would not start the pod at all
        const token = objects.serviceAccountToken(pod, projection.audience, projection.expirationSeconds ?? 3600) ?? '';
        await writeKeys(dir, new Map([[projection.path, Buffer.from(token)]]), undefined);
      }
    }
  }
}

export interface PodVolumes {
  sources: Map<string, VolumeSource>;
  /** Creates the directories and writes the files, once; each container's file system calls it on first use. */
  create(): Promise<void>;
}

/**
 * Where each of the pod's volumes lives on the host, and how to create it. Nothing touches the disk
 * until create(): most simulated pods are never exec'd into, and a deep mkdir can take milliseconds.
 */
export function podVolumes(pod: DeepReadonly<Pod>, podIP: string, volumePaths: Readonly<Record<string, string>>, dirs: PodDirs, objects: ObjectLookup): PodVolumes {
  const sources = new Map<string, VolumeSource>();
  const steps: (() => Promise<unknown>)[] = [];
  const directory = (path: string) => () => mkdir(path, { recursive: true });
  for (const v of pod.spec?.volumes ?? []) {
    const own = join(dirs.podDir, 'volumes', v.name);
    if (v.persistentVolumeClaim) {
      const path = volumePaths[v.name] ?? own;
      steps.push(directory(path));
      sources.set(v.name, { hostPath: path, alwaysReadOnly: false });
    } else if (v.hostPath) {
      const path = join(dirs.nodeDir, 'hostpath', posix.normalize(`/${v.hostPath.path}`));
      if (v.hostPath.type !== 'File' && v.hostPath.type !== 'FileOrCreate') steps.push(directory(path));
      sources.set(v.name, { hostPath: path, alwaysReadOnly: false });
    } else if (v.configMap || v.secret || v.downwardAPI || v.projected) {
      steps.push(() => materialise(v, pod, podIP, objects, own));
      sources.set(v.name, { hostPath: own, alwaysReadOnly: true });
    } else {
      // emptyDir, and any source we do not model, is a directory that lives as long as the pod
      steps.push(directory(own));
      sources.set(v.name, { hostPath: own, alwaysReadOnly: false });
    }
  }
  let created: Promise<void> | undefined;
  const create = async (): Promise<void> => {
    for (const step of steps) await step();
  };
  return { sources, create: () => (created ??= create()) };
}

/** The container's mounts onto those directories (subPath honoured; a writable subPath is created with the file system). */
export function containerMounts(c: DeepReadonly<Container>, volumes: Map<string, VolumeSource>): FsMount[] {
  const mounts: FsMount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) continue;
    let hostPath = v.hostPath;
    let createHostPath = false;
    if (m.subPath) {
      hostPath = join(hostPath, posix.normalize(`/${m.subPath}`));
      createHostPath = !v.alwaysReadOnly;
    }
    mounts.push({ mountPath: m.mountPath, hostPath, readOnly: v.alwaysReadOnly || !!m.readOnly, ...(createHostPath ? { createHostPath } : {}) });
  }
  return mounts;
}
