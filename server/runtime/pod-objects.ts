/**
 * The API objects a container's environment and volumes are built from (ConfigMaps, Secrets), read
 * from informers when the runtime has them, and the pod field paths of the downward API.
 */
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly, KubeObject } from '../meta/types.js';
import type { InformerFactory } from '../store/informer.js';

/** A service account token for a pod's projected volume, or undefined when its account does not exist. */
export type PodTokenSource = (pod: DeepReadonly<Pod>, audience: string | undefined, expirationSeconds: number) => string | undefined;

export interface ObjectLookup {
  configMap(namespace: string, name: string): DeepReadonly<ConfigMap> | undefined;
  secret(namespace: string, name: string): DeepReadonly<Secret> | undefined;
  serviceAccountToken: PodTokenSource;
}

export const noObjects: ObjectLookup = { configMap: () => undefined, secret: () => undefined, serviceAccountToken: () => undefined };

export function informerLookup(informers: InformerFactory, serviceAccountToken: PodTokenSource = noObjects.serviceAccountToken): ObjectLookup {
  const cms = informers.for<ConfigMap & KubeObject>('', 'configmaps').start();
  const secrets = informers.for<Secret & KubeObject>('', 'secrets').start();
  return {
    configMap: (ns, name) => cms.get(ns, name),
    secret: (ns, name) => secrets.get(ns, name),
    serviceAccountToken,
  };
}

/** A ConfigMap's or Secret's keys as bytes. */
export function configMapData(cm: DeepReadonly<ConfigMap>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

export function secretData(s: DeepReadonly<Secret>): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries(s.stringData ?? {})) out.set(k, Buffer.from(v));
  return out;
}

/** The value of a downward-API fieldPath (`metadata.labels['app']`, `status.podIP`, ...). */
export function podFieldValue(pod: DeepReadonly<Pod>, fieldPath: string, podIP: string): string | undefined {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[labelOrAnnotation[2]] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name;
    case 'metadata.namespace':
      return pod.metadata?.namespace;
    case 'metadata.uid':
      return pod.metadata?.uid;
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.podIP':
      return podIP;
    case 'status.podIPs':
      return podIP;
    default:
      return undefined;
  }
}

/** The downward API's file format for label/annotation maps: key="value" lines, sorted. */
function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}
