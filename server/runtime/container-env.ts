/**
 * A container's environment as the kubelet builds it: a base (PATH, HOSTNAME, HOME), envFrom, then env
 * in order with `$(VAR)` references to earlier variables expanded and valueFrom resolved. A missing
 * ConfigMap/Secret key leaves the variable out (the real kubelet refuses to start unless optional; we
 * keep the container running and say so in its log).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { DeepReadonly } from '../meta/types.js';
import { configMapData, podFieldValue, secretData, type ObjectLookup } from './pod-objects.js';

export interface EnvResult {
  env: Record<string, string>;
  problems: string[];
}

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Kubernetes' $(VAR) expansion: `$$` escapes, unknown references stay as written. */
export function expandReferences(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && name in env ? env[name] : m;
  });
}

export function containerEnv(pod: DeepReadonly<Pod>, c: DeepReadonly<Container>, hostname: string, podIP: string, objects: ObjectLookup): EnvResult {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { PATH: defaultPath, HOSTNAME: hostname, HOME: '/root' };
  const problems: string[] = [];
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Map<string, Buffer> | undefined;
    if (from.configMapRef?.name) {
      const cm = objects.configMap(ns, from.configMapRef.name);
      if (cm) data = configMapData(cm);
      else if (!from.configMapRef.optional) problems.push(`configmap "${from.configMapRef.name}" not found`);
    } else if (from.secretRef?.name) {
      const s = objects.secret(ns, from.secretRef.name);
      if (s) data = secretData(s);
      else if (!from.secretRef.optional) problems.push(`secret "${from.secretRef.name}" not found`);
    }
    for (const [k, v] of data ?? []) env[prefix + k] = v.toString('utf8');
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env[e.name] = expandReferences(e.value ?? '', env);
      continue;
    }
    const value = valueFrom(pod, c, e.valueFrom, podIP, objects, ns, problems);
    if (value !== undefined) env[e.name] = value;
  }
  return { env, problems };
}

type ValueFrom = NonNullable<NonNullable<DeepReadonly<Container>['env']>[number]['valueFrom']>;

function valueFrom(pod: DeepReadonly<Pod>, c: DeepReadonly<Container>, from: ValueFrom, podIP: string, objects: ObjectLookup, ns: string, problems: string[]): string | undefined {
  if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath, podIP) ?? '';
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = objects.configMap(ns, ref.name ?? '');
    const v = cm ? configMapData(cm).get(ref.key) : undefined;
    if (v === undefined && !ref.optional) problems.push(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
    return v?.toString('utf8');
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const s = objects.secret(ns, ref.name ?? '');
    const v = s ? secretData(s).get(ref.key) : undefined;
    if (v === undefined && !ref.optional) problems.push(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
    return v?.toString('utf8');
  }
  if (from.resourceFieldRef) {
    const res = from.resourceFieldRef.resource;
    const [kind, name] = res.split('.');
    const q = (kind === 'limits' ? c.resources?.limits : c.resources?.requests)?.[name];
    return q === undefined ? '0' : String(q);
  }
  return undefined;
}
