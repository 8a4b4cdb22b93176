import type { ContainerStatus, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { fieldLabelNotSupported, type FieldLabels } from '../../meta/fields.js';
import type { FieldError } from '../../meta/errors.js';
import { randomSuffix } from '../../meta/names.js';
import type { KubeObject } from '../../meta/types.js';
import { deepEqual } from '../equality.js';
import { resetObjectMetaForStatus } from '../objectmeta.js';
import type { ResourceInfo, UpdateSubresource } from '../resource.js';
import type { DeleteOptionsLike } from '../strategy.js';
import { age, ageColumn, column, nameColumn, sinceTimestamp } from '../table.js';
import { oneOf } from './fieldrules.js';
import { addDefaultTolerations, defaultPodSpec, podSpecWarnings, qosClass, validatePodSpec } from './podspec.js';
import { deepCopy } from '../../meta/deep-copy.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type PodObject = Mutable<Pod> & KubeObject;

/** SetDefaults_Pod: the pod-only defaults on top of the pod spec ones. */
export function defaultPod(pod: PodObject): void {
  const spec = (pod.spec ??= { containers: [] }) as Mutable<PodSpec>;
  defaultPodSpec(spec);
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (!limits) continue;
    const requests: Record<string, unknown> = { ...(c.resources?.requests ?? {}) };
    for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
    (c.resources as Record<string, unknown>).requests = requests;
  }
}

const tokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add on create. */
function admitPod(pod: PodObject): void {
  const spec = pod.spec as Mutable<PodSpec>;
  spec.serviceAccountName ||= spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.priority === undefined && !spec.priorityClassName) spec.priority = 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  addDefaultTolerations(spec);
  if (spec.automountServiceAccountToken === false) return;
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  if (containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === tokenMountPath))) return;
  const volumeName = `kube-api-access-${randomSuffix()}`;
  spec.volumes = [...(spec.volumes ?? []), {
    name: volumeName,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  }];
  for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: tokenMountPath }];
}

/** Admission-set fields a full replace (kubectl replace, PUT from a manifest) leaves out are kept. */
function keepAdmittedFields(pod: PodObject, old: PodObject): void {
  const spec = pod.spec as Mutable<PodSpec> | undefined;
  const prev = old.spec;
  if (!spec || !prev) return;
  spec.serviceAccountName ??= prev.serviceAccountName;
  spec.serviceAccount ??= prev.serviceAccount;
  spec.priority ??= prev.priority;
  spec.preemptionPolicy ??= prev.preemptionPolicy;
  spec.enableServiceLinks ??= prev.enableServiceLinks;
  spec.tolerations ??= prev.tolerations;
  spec.nodeName ??= prev.nodeName;
}

const updatableFieldsMessage = 'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** A compact stand-in for the cmp.Diff kube-apiserver appends: one line per changed field of a Go struct. */
function structDiff(goType: string, old: Record<string, unknown>, now: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(now)])].sort()) {
    if (deepEqual(old[k], now[k])) continue;
    lines.push(`- \t${k}: ${JSON.stringify(old[k] ?? null)},`, `+ \t${k}: ${JSON.stringify(now[k] ?? null)},`);
  }
  return `  ${goType}{\n${lines.join('\n')}\n  }\n`;
}

/** ValidatePodUpdate: everything but images, activeDeadlineSeconds, added tolerations and a negative grace period is fixed. */
export function validatePodSpecUpdate(spec: PodSpec, old: PodSpec): FieldError[] {
  const munged = deepCopy(spec) as Mutable<PodSpec>;
  const copyImages = (now: PodSpec['containers'] | undefined, prev: PodSpec['containers'] | undefined): void => {
    if (!now || !prev || now.length !== prev.length) return;
    now.forEach((c, i) => (c.image = prev[i].image));
  };
  copyImages(munged.containers, old.containers);
  copyImages(munged.initContainers, old.initContainers);
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  const prevTolerations = old.tolerations ?? [];
  if (prevTolerations.every((t) => (munged.tolerations ?? []).some((n) => deepEqual(n, t)))) munged.tolerations = old.tolerations;
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  if (deepEqual(munged, old)) return [];
  return [{ type: 'Forbidden', field: 'spec', detail: `${updatableFieldsMessage}\n${structDiff('core.PodSpec', old as unknown as Record<string, unknown>, munged as unknown as Record<string, unknown>)}` }];
}

/** ValidatePodEphemeralContainersUpdate, part 2: ephemeral containers are only ever added. */
function validateEphemeralContainerChanges(pod: PodObject, old: PodObject): FieldError[] {
  const now = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  const out: FieldError[] = [];
  for (const prev of old.spec?.ephemeralContainers ?? []) {
    const c = now.get(prev.name);
    if (!c) {
      out.push({ type: 'Forbidden', field: 'spec.ephemeralContainers', detail: `existing ephemeral containers "${prev.name}" may not be removed\n` });
    } else if (!deepEqual(c, prev)) {
      const diff = structDiff('core.EphemeralContainer', prev as unknown as Record<string, unknown>, c as unknown as Record<string, unknown>);
      out.push({ type: 'Forbidden', field: `spec.ephemeralContainers[${prev.name}]`, detail: `existing ephemeral containers "${prev.name}" may not be changed\n${diff}` });
    }
  }
  return out;
}

const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

/**
 * pods/ephemeralcontainers (podEphemeralContainersStrategy): a write changes spec.ephemeralContainers
 * and nothing else; kubectl debug adds its container through it.
 */
const ephemeralContainersSubresource: UpdateSubresource<PodObject> = {
  goName: 'EphemeralContainers',
  prepareForUpdate(pod, old) {
    const ephemeral = pod.spec?.ephemeralContainers;
    const spec: Mutable<PodSpec> = { ...old.spec!, ephemeralContainers: ephemeral };
    if (!ephemeral?.length) delete spec.ephemeralContainers;
    pod.spec = spec;
    if (old.status === undefined) delete pod.status;
    else pod.status = old.status;
    resetObjectMetaForStatus(pod.metadata, old.metadata);
  },
  validateUpdate(pod, old) {
    if (old.metadata.annotations?.[mirrorPodAnnotation] !== undefined) {
      return [{ type: 'Forbidden', field: '', detail: 'static pods do not support ephemeral containers' }];
    }
    return [...validatePodSpec(pod.spec, 'spec'), ...validateEphemeralContainerChanges(pod, old)];
  },
};

/** ValidatePodCreate: ephemeral containers come only through their subresource. */
function validatePodCreate(pod: PodObject): FieldError[] {
  const out = validatePodSpec(pod.spec, 'spec');
  if (pod.spec?.ephemeralContainers?.length) out.push({ type: 'Forbidden', field: 'spec.ephemeralContainers', detail: 'cannot be set on create' });
  return out;
}

const podPhases = ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'];

function validatePodStatus(pod: PodObject): FieldError[] {
  const out: FieldError[] = [];
  if (pod.status?.phase) out.push(...oneOf(pod.status.phase, podPhases, 'status.phase'));
  return out;
}

/** CheckGracefulDelete: unscheduled or finished pods go at once; negative periods become 1. */
export /** The Pod field-label conversion core/v1 registers (spec.host, the v1 alias of spec.nodeName, aside). */
const podFieldLabels: FieldLabels = {
  names: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  unsupported: fieldLabelNotSupported,
};

function podGracePeriod(pod: PodObject, options: DeleteOptionsLike): number {
  let period = options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  if (!pod.spec?.nodeName) period = 0;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') period = 0;
  if (period < 0) period = 1;
  return period;
}

function isRestartableInit(pod: PodObject, name: string): boolean {
  return (pod.spec?.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === 'Always');
}

function conditionTrue(pod: PodObject, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function lastTerminated(cs: ContainerStatus): number {
  const t = cs.lastState?.terminated?.finishedAt;
  return t ? Date.parse(t) : 0;
}

/** printPod's READY, STATUS and RESTARTS cells (kubectl 1.32). */
export function podSummary(pod: PodObject, now: number): { ready: string; status: string; restarts: string } {
  const status = pod.status ?? {};
  let total = pod.spec?.containers?.length ?? 0;
  total += (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let reason: string = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';
  const initCount = pod.spec?.initContainers?.length ?? 0;
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, lastTerminated(c));
    const sidecar = isRestartableInit(pod, c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, lastTerminated(c));
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    initializing = true;
    break;
  }
  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const list = status.containerStatuses ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const c = list[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, lastTerminated(c));
      const term = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }
  const phase = status.phase;
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  const restartText = restarts !== 0 && lastRestart > 0
    ? `${restarts} (${sinceTimestamp(new Date(lastRestart).toISOString(), now)} ago)`
    : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

function readinessGates(pod: PodObject): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (!gates.length) return '<none>';
  const met = gates.filter((g) => conditionTrue(pod, g.conditionType)).length;
  return `${met}/${gates.length}`;
}

export function pods(): ResourceInfo<PodObject> {
  return {
    group: '',
    versions: [{ name: 'v1' }],
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    statusSubresource: true,
    updateSubresources: { ephemeralcontainers: ephemeralContainersSubresource },
    strategy: {
      returnDeletedObject: true,
      hasStatus: true,
      defaults: defaultPod,
      prepareForCreate(pod) {
        admitPod(pod);
        pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec!) };
      },
      prepareForUpdate(pod, old) {
        defaultPod(pod);
        keepAdmittedFields(pod, old);
      },
      validate: validatePodCreate,
      validateUpdate: (pod, old) => [
        ...validatePodSpec(pod.spec, 'spec'),
        ...(pod.spec && old.spec ? validatePodSpecUpdate(pod.spec, old.spec) : []),
      ],
      warnings: (pod) => podSpecWarnings(pod.spec, 'spec'),
      prepareForStatusUpdate(pod, old) {
        // Old kubelets corrupted owner references through /status, breaking garbage collection.
        if (old.metadata.ownerReferences) pod.metadata.ownerReferences = old.metadata.ownerReferences;
        else delete pod.metadata.ownerReferences;
        // qosClass is fixed at admission; a kubelet that rejected the pod may send it back empty.
        if (!pod.status?.qosClass && old.status?.qosClass) pod.status = { ...pod.status, qosClass: old.status.qosClass };
      },
      validateStatusUpdate: (pod) => validatePodStatus(pod),
      gracePeriodSeconds: podGracePeriod,
      selectableFields: (pod) => ({
        'spec.nodeName': pod.spec?.nodeName ?? '',
        'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
        'spec.schedulerName': pod.spec?.schedulerName ?? '',
        'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
        'spec.hostNetwork': String(!!pod.spec?.hostNetwork),
        'status.phase': pod.status?.phase ?? '',
        'status.podIP': pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? '',
        'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
      }),
      fieldLabels: () => podFieldLabels,
      table: {
        columns: [
          nameColumn,
          column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
          column('Status', 'string', 'The aggregate status of the containers in this pod.'),
          column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
          ageColumn,
          column('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { priority: 1 }),
          column('Node', 'string', 'nodeName indicates in which node this pod is scheduled.', { priority: 1 }),
          column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', { priority: 1 }),
          column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
        ],
        cells: (pod, now) => {
          const s = podSummary(pod, now);
          return [
            pod.metadata.name, s.ready, s.status, s.restarts, age(pod, now),
            pod.status?.podIP || '<none>', pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGates(pod),
          ];
        },
      },
    },
  };
}
