import type { Container, PodSpec, PodTemplateSpec, Probe, Toleration, Volume } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../meta/errors.js';
import { isPlainObject } from '../../meta/types.js';
import { dnsLabelField, oneOf, portNameErrors, portNumberErrors, supportedProtocols } from './fieldrules.js';
import { parseQuantity } from './quantity.js';

/**
 * Pod spec rules shared by pods and every kind that carries a pod template (StatefulSets):
 * SetDefaults_PodSpec/Container/Volume/Probe of core/v1 and the parts of ValidatePodSpec
 * kubemock enforces.
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** imagePullPolicy follows the tag: ":latest" or no tag pulls Always, anything else IfNotPresent. */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  const probe = p as Mutable<Probe>;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) {
    probe.httpGet.path ??= '/';
    probe.httpGet.scheme ??= 'HTTP';
  }
  if (probe.grpc) probe.grpc.service ??= '';
}

export function defaultContainer(c: Container, hostNetwork: boolean): void {
  const ctr = c as Mutable<Container>;
  ctr.terminationMessagePath ||= '/dev/termination-log';
  ctr.terminationMessagePolicy ||= 'File';
  ctr.imagePullPolicy ||= defaultPullPolicy(ctr.image);
  for (const port of ctr.ports ?? []) {
    port.protocol ||= 'TCP';
    if (hostNetwork && !port.hostPort) port.hostPort = port.containerPort;
  }
  for (const env of ctr.env ?? []) {
    if (env.valueFrom?.fieldRef) env.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  defaultProbe(ctr.livenessProbe);
  defaultProbe(ctr.readinessProbe);
  defaultProbe(ctr.startupProbe);
}

const volumeSourceKeys = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Volume): void {
  const vol = v as Mutable<Volume> & Record<string, unknown>;
  if (!volumeSourceKeys.some((k) => vol[k] !== undefined)) vol.emptyDir = {};
  if (vol.secret) vol.secret.defaultMode ??= 420;
  if (vol.configMap) vol.configMap.defaultMode ??= 420;
  if (vol.downwardAPI) vol.downwardAPI.defaultMode ??= 420;
  if (vol.projected) vol.projected.defaultMode ??= 420;
  if (vol.hostPath) vol.hostPath.type ??= '';
  if (vol.iscsi) vol.iscsi.iscsiInterface ??= 'default';
}

/** SetDefaults_PodSpec and the nested container and volume defaults. */
export function defaultPodSpec(s: PodSpec): void {
  const spec = s as Mutable<PodSpec>;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  spec.securityContext ??= {};
  const hostNetwork = !!spec.hostNetwork;
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.containers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c, hostNetwork);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

export function defaultPodTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec) defaultPodSpec(t.spec);
}

/** The tolerations the DefaultTolerationSeconds admission plugin adds to every pod. */
export function addDefaultTolerations(s: PodSpec): void {
  const spec = s as Mutable<PodSpec>;
  const tolerations: Toleration[] = [...(spec.tolerations ?? [])];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

/** GetPodQOS: Guaranteed when every container limits cpu and memory at its requests. */
export function qosClass(spec: PodSpec): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = (c.resources?.requests ?? {}) as Record<string, unknown>;
    const lim = (c.resources?.limits ?? {}) as Record<string, unknown>;
    for (const r of ['cpu', 'memory']) {
      const rq = parseQuantity(req[r] ?? lim[r]);
      const lm = parseQuantity(lim[r]);
      if ((rq ?? 0) > 0 || (lm ?? 0) > 0) any = true;
      if (lm === undefined || rq === undefined || rq !== lm) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const supportedPullPolicies = ['Always', 'IfNotPresent', 'Never'];
const supportedTerminationMessagePolicies = ['FallbackToLogsOnError', 'File'];
const supportedRestartPolicies = ['Always', 'Never', 'OnFailure'];
const supportedDnsPolicies = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

function validateContainer(c: Container, path: string, volumes: Set<string>): FieldError[] {
  const out: FieldError[] = [];
  if (!c.name) out.push({ type: 'Required', field: `${path}.name`, detail: '' });
  else out.push(...dnsLabelField(c.name, `${path}.name`));
  if (!c.image) out.push({ type: 'Required', field: `${path}.image`, detail: '' });
  if (c.imagePullPolicy) out.push(...oneOf(c.imagePullPolicy, supportedPullPolicies, `${path}.imagePullPolicy`));
  if (c.terminationMessagePolicy) out.push(...oneOf(c.terminationMessagePolicy, supportedTerminationMessagePolicies, `${path}.terminationMessagePolicy`));
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (p.name) {
      for (const d of portNameErrors(p.name)) out.push({ type: 'Invalid', field: `${pp}.name`, value: p.name, detail: d });
      if (portNames.has(p.name)) out.push({ type: 'Duplicate', field: `${pp}.name`, value: p.name });
      portNames.add(p.name);
    }
    if (!p.containerPort) out.push({ type: 'Required', field: `${pp}.containerPort`, detail: '' });
    else out.push(...portNumberErrors(p.containerPort, `${pp}.containerPort`));
    if (p.hostPort) out.push(...portNumberErrors(p.hostPort, `${pp}.hostPort`));
    if (p.protocol) out.push(...oneOf(p.protocol, supportedProtocols, `${pp}.protocol`));
  });
  (c.volumeMounts ?? []).forEach((m, i) => {
    const mp = `${path}.volumeMounts[${i}]`;
    if (!m.name) out.push({ type: 'Required', field: `${mp}.name`, detail: '' });
    else if (!volumes.has(m.name)) out.push({ type: 'NotFound', field: `${mp}.name`, value: m.name });
    if (!m.mountPath) out.push({ type: 'Required', field: `${mp}.mountPath`, detail: '' });
  });
  (c.env ?? []).forEach((e, i) => {
    if (!e.name) out.push({ type: 'Required', field: `${path}.env[${i}].name`, detail: '' });
  });
  return out;
}

function validateVolumes(volumes: Volume[] | undefined, path: string): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const vp = `${path}[${i}]`;
    if (!v.name) errors.push({ type: 'Required', field: `${vp}.name`, detail: '' });
    else {
      errors.push(...dnsLabelField(v.name, `${vp}.name`));
      if (names.has(v.name)) errors.push({ type: 'Duplicate', field: `${vp}.name`, value: v.name });
      names.add(v.name);
    }
    const sources = volumeSourceKeys.filter((k) => (v as unknown as Record<string, unknown>)[k] !== undefined);
    if (sources.length === 0) errors.push({ type: 'Required', field: vp, detail: 'must specify a volume type' });
    else if (sources.length > 1) errors.push({ type: 'Forbidden', field: `${vp}.${sources[1]}`, detail: `may not specify more than 1 volume type` });
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) {
      errors.push({ type: 'Required', field: `${vp}.persistentVolumeClaim.claimName`, detail: '' });
    }
  });
  return { errors, names };
}

/**
 * What an ephemeral container may not have, as validateFieldAllowList finds them: they are never
 * relied on for the pod's service, so nothing that ports, probes, hooks, resources or restarts would do.
 */
const ephemeralForbiddenFields = ['ports', 'resources', 'resizePolicy', 'restartPolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'] as const;

/** validateEphemeralContainers: container rules, names unique across every container, the target one of the others. */
function validateEphemeralContainers(spec: PodSpec, path: string, volumes: Set<string>, otherNames: Set<string>): FieldError[] {
  const out: FieldError[] = [];
  const names = new Set(otherNames);
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    const cp = `${path}[${i}]`;
    out.push(...validateContainer(c, cp, volumes));
    if (c.name && names.has(c.name)) out.push({ type: 'Duplicate', field: `${cp}.name`, value: c.name });
    if (c.name) names.add(c.name);
    if (c.targetContainerName && !otherNames.has(c.targetContainerName)) out.push({ type: 'NotFound', field: `${cp}.targetContainerName`, value: c.targetContainerName });
    const fields = c as unknown as Record<string, unknown>;
    for (const f of ephemeralForbiddenFields) {
      const value = fields[f];
      if (f === 'resources' ? !isZeroValue(value) : value !== undefined && value !== null) out.push({ type: 'Forbidden', field: `${cp}.${f}`, detail: 'cannot be set for an Ephemeral Container' });
    }
    (c.volumeMounts ?? []).forEach((m, j) => {
      for (const f of ['subPath', 'subPathExpr'] as const) {
        if (m[f]) out.push({ type: 'Forbidden', field: `${cp}.volumeMounts[${j}].${f}`, detail: 'cannot be set for an Ephemeral Container' });
      }
    });
  });
  return out;
}

/**
 * reflect's IsZero as validateFieldAllowList uses it: a pointer (probe, hook, restartPolicy) is set
 * when present at all; the resources struct only when something in it is.
 */
function isZeroValue(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every((x) => x === undefined || x === null || isZeroValue(x));
  return false;
}

/** ValidatePodSpec (the subset kubemock checks), with field paths under `path`. */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  if (!isPlainObject(spec)) return [{ type: 'Required', field: `${path}.containers`, detail: '' }];
  const { errors: out, names: volumes } = validateVolumes(spec.volumes, `${path}.volumes`);
  const containerNames = new Set<string>();
  const checkContainers = (list: Container[] | undefined, field: string): void => {
    (list ?? []).forEach((c, i) => {
      out.push(...validateContainer(c, `${path}.${field}[${i}]`, volumes));
      if (c.name && containerNames.has(c.name)) out.push({ type: 'Duplicate', field: `${path}.${field}[${i}].name`, value: c.name });
      if (c.name) containerNames.add(c.name);
    });
  };
  checkContainers(spec.initContainers, 'initContainers');
  if (!spec.containers?.length) out.push({ type: 'Required', field: `${path}.containers`, detail: '' });
  checkContainers(spec.containers, 'containers');
  out.push(...validateEphemeralContainers(spec, `${path}.ephemeralContainers`, volumes, containerNames));
  out.push(...oneOf(spec.restartPolicy, supportedRestartPolicies, `${path}.restartPolicy`));
  out.push(...oneOf(spec.dnsPolicy, supportedDnsPolicies, `${path}.dnsPolicy`));
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) {
    out.push({ type: 'Required', field: `${path}.dnsConfig`, detail: `must provide \`dnsConfig\` when \`dnsPolicy\` is None` });
  }
  if (spec.activeDeadlineSeconds !== undefined && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    out.push({ type: 'Invalid', field: `${path}.activeDeadlineSeconds`, value: spec.activeDeadlineSeconds, detail: 'must be between 1 and 2147483647, inclusive' });
  }
  if (spec.hostname) out.push(...dnsLabelField(spec.hostname, `${path}.hostname`));
  if (spec.subdomain) out.push(...dnsLabelField(spec.subdomain, `${path}.subdomain`));
  return out;
}

/** GetWarningsForPodTemplate's most common warnings, as kubectl users see them. */
export function podSpecWarnings(spec: PodSpec | undefined, path: string): string[] {
  const out: string[] = [];
  if (!spec) return out;
  if ((spec.terminationGracePeriodSeconds ?? 0) < 0) {
    out.push(`${path}.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1`);
  }
  return out;
}
