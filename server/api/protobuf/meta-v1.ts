/**
 * Field tables for the apimachinery messages the kinds we decode embed
 * (k8s.io/apimachinery pkg/runtime, pkg/apis/meta/v1 generated.proto), written from reading those files.
 */
import { message, msg, nullable, repeated } from './schema.js';

/** runtime.TypeMeta inside the envelope (not the JSON TypeMeta of an object). */
export const typeMeta = message('k8s.io.apimachinery.pkg.runtime.TypeMeta', [
  [1, 'apiVersion', 'string'],
  [2, 'kind', 'string'],
]);

/** runtime.Unknown: the envelope every protobuf body travels in after the 4-byte magic. */
export const unknown = message('k8s.io.apimachinery.pkg.runtime.Unknown', [
  [1, 'typeMeta', msg(typeMeta)],
  [2, 'raw', 'bytes'],
  [3, 'contentEncoding', 'string'],
  [4, 'contentType', 'string'],
]);

export const ownerReference = message('k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference', [
  [5, 'apiVersion', 'string'],
  [1, 'kind', 'string'],
  [3, 'name', 'string'],
  [4, 'uid', 'string'],
  [6, 'controller', 'bool', nullable],
  [7, 'blockOwnerDeletion', 'bool', nullable],
]);

export const managedFieldsEntry = message('k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', [
  [1, 'manager', 'string'],
  [2, 'operation', 'string'],
  [3, 'apiVersion', 'string'],
  [4, 'time', 'time', nullable],
  [6, 'fieldsType', 'string'],
  [7, 'fieldsV1', 'fieldsV1', nullable],
  [8, 'subresource', 'string'],
]);

export const objectMeta = message('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta', [
  [1, 'name', 'string'],
  [2, 'generateName', 'string'],
  [3, 'namespace', 'string'],
  [4, 'selfLink', 'string'],
  [5, 'uid', 'string'],
  [6, 'resourceVersion', 'string'],
  [7, 'generation', 'int64'],
  [8, 'creationTimestamp', 'time'],
  [9, 'deletionTimestamp', 'time', nullable],
  [10, 'deletionGracePeriodSeconds', 'int64', nullable],
  [11, 'labels', { map: 'string' }],
  [12, 'annotations', { map: 'string' }],
  [13, 'ownerReferences', msg(ownerReference), repeated],
  [14, 'finalizers', 'string', repeated],
  [17, 'managedFields', msg(managedFieldsEntry), repeated],
]);

export const condition = message('k8s.io.apimachinery.pkg.apis.meta.v1.Condition', [
  [1, 'type', 'string'],
  [2, 'status', 'string'],
  [3, 'observedGeneration', 'int64'],
  [4, 'lastTransitionTime', 'time'],
  [5, 'reason', 'string'],
  [6, 'message', 'string'],
]);

export const preconditions = message('k8s.io.apimachinery.pkg.apis.meta.v1.Preconditions', [
  [1, 'uid', 'string', nullable],
  [2, 'resourceVersion', 'string', nullable],
]);

/** The body of typed-client deletes (kubectl drain deletes pods with one). */
export const deleteOptions = message('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', [
  [1, 'gracePeriodSeconds', 'int64', nullable],
  [2, 'preconditions', msg(preconditions), nullable],
  [3, 'orphanDependents', 'bool', nullable],
  [4, 'propagationPolicy', 'string', nullable],
  [5, 'dryRun', 'string', repeated],
  [6, 'ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', nullable],
]);

/** The requirement of a LabelSelector, and of the reviews' field and label selector attributes (one shape). */
export const selectorRequirement = (name: string) => message(`k8s.io.apimachinery.pkg.apis.meta.v1.${name}`, [
  [1, 'key', 'string'],
  [2, 'operator', 'string'],
  [3, 'values', 'string', repeated],
]);

export const labelSelector = message('k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector', [
  [1, 'matchLabels', { map: 'string' }],
  [2, 'matchExpressions', msg(selectorRequirement('LabelSelectorRequirement')), repeated],
]);
