import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import type { FieldLabels } from '../../meta/fields.js';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../meta/errors.js';
import { fromLabelSelector, matches } from '../../meta/labels.js';
import { dns1123LabelErrors } from '../../meta/names.js';
import type { KubeObject } from '../../meta/types.js';
import { deepEqual } from '../equality.js';
import { validateLabels } from '../objectmeta.js';
import type { ResourceInfo, ServedVersion } from '../resource.js';
import { age, ageColumn, column, nameColumn } from '../table.js';
import { invalidPercentDetail, nonNegative, oneOf } from './fieldrules.js';
import { defaultPodTemplate, podSpecWarnings } from './podspec.js';
import { deepCopy } from '../../meta/deep-copy.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type StatefulSetObject = Mutable<StatefulSet> & KubeObject;

export interface StatefulSetOptions {
  deprecatedApis: boolean;
  maxUnavailableGate: boolean;
}

/** The Warning kube-apiserver attached to every request to a deprecated version (deprecation.WarningMessage). */
export const statefulSetDeprecations: Record<string, string> = {
  v1beta1: 'apps/v1beta1 StatefulSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 StatefulSet',
  v1beta2: 'apps/v1beta2 StatefulSet is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 StatefulSet',
};

/**
 * apps/v1beta1 and v1beta2 registered their own StatefulSet field labels (status.successful, which
 * no StatefulSet has, so it matches only the empty value); apps/v1 keeps to metadata.
 */
function betaFieldLabels(version: string): FieldLabels | undefined {
  if (version === 'v1') return undefined;
  return { names: ['metadata.name', 'metadata.namespace', 'status.successful'], unsupported: (label) => `field label not supported for apps${version}.StatefulSet: ${label}` };
}

function defaultClaimTemplates(spec: Mutable<StatefulSetSpec>): void {
  for (const t of (spec.volumeClaimTemplates ?? []) as Mutable<PersistentVolumeClaim>[]) {
    t.spec ??= {};
    t.spec.volumeMode ||= 'Filesystem';
    t.status = { ...(t.status ?? {}), phase: t.status?.phase || 'Pending' };
  }
}

/** SetDefaults_StatefulSet of apps/v1 and apps/v1beta2, or of apps/v1beta1 when version says so. */
export function defaultStatefulSet(set: StatefulSetObject, version: string, maxUnavailableGate: boolean): void {
  const spec = (set.spec ??= { selector: undefined as never, template: {}, serviceName: '' }) as Mutable<StatefulSetSpec>;
  const templateLabels = spec.template?.metadata?.labels;
  if (version === 'v1beta1' && templateLabels && Object.keys(templateLabels).length) {
    spec.selector ??= { matchLabels: { ...templateLabels } };
    if (!set.metadata.labels || !Object.keys(set.metadata.labels).length) set.metadata.labels = { ...templateLabels };
  }
  spec.podManagementPolicy ||= 'OrderedReady';
  // The apps conversion stamps claim templates with their TypeMeta (kubernetes/kubernetes#87583).
  for (const t of (spec.volumeClaimTemplates ?? []) as Mutable<NonNullable<StatefulSetSpec['volumeClaimTemplates']>[number]>[]) {
    t.apiVersion ??= 'v1';
    t.kind ??= 'PersistentVolumeClaim';
  }
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) {
    if (version === 'v1beta1') strategy.type = 'OnDelete';
    else {
      strategy.type = 'RollingUpdate';
      strategy.rollingUpdate ??= {};
    }
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) {
    strategy.rollingUpdate.partition ??= 0;
    if (maxUnavailableGate) strategy.rollingUpdate.maxUnavailable ??= 1;
  }
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.template ??= {};
  defaultPodTemplate(spec.template);
  defaultClaimTemplates(spec);
}

/** dropStatefulSetDisabledFields: maxUnavailable is kept only with the gate on or when already in use. */
function dropDisabledFields(set: StatefulSetObject, old: StatefulSetObject | undefined, gate: boolean): void {
  const ru = set.spec?.updateStrategy?.rollingUpdate;
  if (!ru || gate) return;
  if (old?.spec?.updateStrategy?.rollingUpdate?.maxUnavailable !== undefined) return;
  delete ru.maxUnavailable;
}

function validateMaxUnavailable(value: number | string, path: string): FieldError[] {
  if (typeof value === 'string') {
    if (!/^[0-9]+%$/.test(value)) {
      return [{ type: 'Invalid', field: path, value, detail: invalidPercentDetail }];
    }
    const pct = Number(value.slice(0, -1));
    if (pct === 0) return [{ type: 'Invalid', field: path, value, detail: 'cannot be 0' }];
    if (pct > 100) return [{ type: 'Invalid', field: path, value, detail: 'must not be greater than 100%' }];
    return [];
  }
  if (value < 0) return nonNegative(value, path);
  if (value === 0) return [{ type: 'Invalid', field: path, value, detail: 'cannot be 0' }];
  return [];
}

/** ValidateStatefulSetSpec (1.32). The template's pod spec is deliberately not validated, as upstream. */
export function validateStatefulSetSpec(spec: StatefulSetSpec | undefined): FieldError[] {
  const out: FieldError[] = [];
  const s = spec ?? ({} as StatefulSetSpec);
  const pmp = s.podManagementPolicy ?? '';
  if (!pmp) out.push({ type: 'Required', field: 'spec.podManagementPolicy', detail: '' });
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    out.push({ type: 'Invalid', field: 'spec.podManagementPolicy', value: pmp, detail: `must be 'OrderedReady' or 'Parallel'` });
  }
  const strategy = s.updateStrategy ?? {};
  switch (strategy.type ?? '') {
    case '':
      out.push({ type: 'Required', field: 'spec.updateStrategy', detail: '' });
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate) out.push({ type: 'Invalid', field: 'spec.updateStrategy.rollingUpdate', value: strategy.rollingUpdate, detail: `only allowed for updateStrategy 'RollingUpdate'` });
      break;
    case 'RollingUpdate':
      if (strategy.rollingUpdate) {
        out.push(...nonNegative(strategy.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
        const mu = strategy.rollingUpdate.maxUnavailable;
        if (mu !== undefined) out.push(...validateMaxUnavailable(mu, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      }
      break;
    default:
      out.push({ type: 'Invalid', field: 'spec.updateStrategy', value: strategy, detail: `must be 'RollingUpdate' or 'OnDelete'` });
  }
  const retention = s.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    out.push(...oneOf(retention.whenDeleted ?? '', ['Delete', 'Retain'], 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted').map(asNotSupported));
    out.push(...oneOf(retention.whenScaled ?? '', ['Delete', 'Retain'], 'spec.persistentVolumeClaimRetentionPolicy.whenScaled').map(asNotSupported));
  }
  out.push(...nonNegative(s.replicas, 'spec.replicas'));
  out.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  if (s.ordinals) out.push(...nonNegative(s.ordinals.start, 'spec.ordinals.start'));
  let selectorOk = true;
  if (!s.selector) {
    out.push({ type: 'Required', field: 'spec.selector', detail: '' });
    selectorOk = false;
  } else {
    const { errors } = fromLabelSelector(s.selector, 'spec.selector');
    out.push(...errors, ...validateLabels(s.selector.matchLabels, 'spec.selector.matchLabels'));
    if (Object.keys(s.selector.matchLabels ?? {}).length + (s.selector.matchExpressions?.length ?? 0) === 0) {
      out.push({ type: 'Invalid', field: 'spec.selector', value: s.selector, detail: 'empty selector is invalid for statefulset' });
      selectorOk = false;
    }
    if (errors.length) selectorOk = false;
  }
  const templateLabels = s.template?.metadata?.labels;
  if (selectorOk && s.selector && !matches(fromLabelSelector(s.selector).selector, templateLabels)) {
    out.push({ type: 'Invalid', field: 'spec.template.metadata.labels', value: templateLabels ?? {}, detail: '`selector` does not match template `labels`' });
  }
  out.push(...validateLabels(templateLabels, 'spec.template.labels'));
  const restart = s.template?.spec?.restartPolicy ?? '';
  if (restart !== 'Always') out.push({ type: 'NotSupported', field: 'spec.template.spec.restartPolicy', value: restart, supported: ['Always'] });
  if (s.template?.spec?.activeDeadlineSeconds !== undefined) {
    out.push({ type: 'Forbidden', field: 'spec.template.spec.activeDeadlineSeconds', detail: 'activeDeadlineSeconds in StatefulSet is not Supported' });
  }
  return out;
}

function asNotSupported(e: FieldError): FieldError {
  return e.type === 'Required' ? { type: 'NotSupported', field: e.field, value: '', supported: ['Delete', 'Retain'] } : e;
}

const immutableSpecMessage = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSetUpdate(set: StatefulSetObject, old: StatefulSetObject): FieldError[] {
  const out = validateStatefulSetSpec(set.spec);
  const clone = deepCopy(set.spec ?? {}) as Mutable<StatefulSetSpec>;
  const prev = old.spec ?? ({} as StatefulSetSpec);
  clone.replicas = prev.replicas;
  clone.template = prev.template;
  clone.updateStrategy = prev.updateStrategy;
  clone.minReadySeconds = prev.minReadySeconds;
  clone.ordinals = prev.ordinals;
  clone.persistentVolumeClaimRetentionPolicy = prev.persistentVolumeClaimRetentionPolicy;
  if (!deepEqual(clone, prev)) out.push({ type: 'Forbidden', field: 'spec', detail: immutableSpecMessage });
  return out;
}

export function validateStatefulSetStatus(set: StatefulSetObject, old?: StatefulSetObject): FieldError[] {
  const st = set.status ?? ({} as NonNullable<StatefulSetObject['status']>);
  const out: FieldError[] = [];
  for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'] as const) {
    out.push(...nonNegative(st[f], `status.${f}`));
  }
  const replicas = st.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    if ((st[f] ?? 0) > replicas) out.push({ type: 'Invalid', field: `status.${f}`, value: st[f], detail: msg });
  }
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) {
    out.push({ type: 'Invalid', field: 'status.availableReplicas', value: st.availableReplicas, detail: 'cannot be greater than status.readyReplicas' });
  }
  const before = old?.status?.collisionCount;
  if (before !== undefined && (st.collisionCount === undefined || st.collisionCount < before)) {
    out.push({ type: 'Invalid', field: 'status.collisionCount', value: st.collisionCount ?? 0, detail: 'cannot be decremented' });
  }
  return out;
}

function warnings(set: StatefulSetObject): string[] {
  const out = podSpecWarnings(set.spec?.template?.spec, 'spec.template.spec');
  if ((set.spec?.revisionHistoryLimit ?? 0) < 0) {
    out.push('spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended');
  }
  return out;
}

export function statefulsets(opts: StatefulSetOptions): ResourceInfo<StatefulSetObject> {
  const versions: ServedVersion[] = [{ name: 'v1' }];
  if (opts.deprecatedApis) {
    versions.push({ name: 'v1beta2', deprecationWarning: statefulSetDeprecations.v1beta2 });
    versions.push({ name: 'v1beta1', deprecationWarning: statefulSetDeprecations.v1beta1 });
  }
  const gate = opts.maxUnavailableGate;
  return {
    group: 'apps',
    versions,
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    statusSubresource: true,
    // The scale handler formats the LabelSelector object at spec.selector as a selector string.
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' },
    strategy: {
      hasStatus: true,
      tracksGeneration: true,
      fieldLabels: betaFieldLabels,
      validateName: dns1123LabelErrors,
      defaults: (set, version) => defaultStatefulSet(set, version, gate),
      prepareForCreate(set) {
        // replicas and availableReplicas have no omitempty: a new set shows them as 0.
        set.status = { replicas: 0, availableReplicas: 0 } as StatefulSetObject['status'];
        dropDisabledFields(set, undefined, gate);
      },
      prepareForUpdate(set, old, ctx) {
        defaultStatefulSet(set, ctx.version, gate);
        dropDisabledFields(set, old, gate);
        // The generic pipeline judged the spec before defaulting; judge it again on the defaulted form.
        if (old.metadata.generation) {
          (set.metadata as KubeObject['metadata']).generation = deepEqual(set.spec, old.spec) ? old.metadata.generation : old.metadata.generation + 1;
        }
      },
      validate: (set) => validateStatefulSetSpec(set.spec),
      validateUpdate: validateStatefulSetUpdate,
      warnings,
      validateStatusUpdate: (set, old) => validateStatefulSetStatus(set, old),
      defaultGarbageCollectionPolicy: (version) => (version === 'v1' ? 'Background' : 'Orphan'),
      table: {
        columns: [
          nameColumn,
          column('Ready', 'string', 'Number of the pod with ready state'),
          ageColumn,
          column('Containers', 'string', 'Names of each container in the template.', { priority: 1 }),
          column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 }),
        ],
        cells: (set, now) => {
          const containers = set.spec?.template?.spec?.containers ?? [];
          return [
            set.metadata.name,
            `${set.status?.readyReplicas ?? 0}/${set.spec?.replicas ?? 0}`,
            age(set, now),
            containers.map((c) => c.name).join(','),
            containers.map((c) => c.image ?? '').join(','),
          ];
        },
      },
    },
  };
}
