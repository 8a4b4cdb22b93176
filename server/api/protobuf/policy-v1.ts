/**
 * Field tables for policy/v1 bodies kubectl sends as protobuf: the Eviction of kubectl drain and the
 * PodDisruptionBudget of kubectl create pdb (k8s.io/api policy/v1 generated.proto). A new budget's
 * status is all zeros on the wire and decodes to nothing.
 */
import { deleteOptions, labelSelector, objectMeta } from './meta-v1.js';
import { message, msg, nullable } from './schema.js';

/** policy/v1 (and v1beta1) Eviction, which kubectl drain posts to pods/<name>/eviction. */
export const eviction = message('k8s.io.api.policy.v1.Eviction', [
  [1, 'metadata', msg(objectMeta)],
  [2, 'deleteOptions', msg(deleteOptions), nullable],
]);

export const podDisruptionBudget = message('k8s.io.api.policy.v1.PodDisruptionBudget', [
  [1, 'metadata', msg(objectMeta)],
  [2, 'spec', msg(message('k8s.io.api.policy.v1.PodDisruptionBudgetSpec', [
    [1, 'minAvailable', 'intOrString', nullable],
    [2, 'selector', msg(labelSelector), nullable],
    [3, 'maxUnavailable', 'intOrString', nullable],
    [4, 'unhealthyPodEvictionPolicy', 'string', nullable],
  ]))],
  [3, 'status', msg(message('k8s.io.api.policy.v1.PodDisruptionBudgetStatus', [
    [1, 'observedGeneration', 'int64'],
    [3, 'disruptionsAllowed', 'int32'],
    [4, 'currentHealthy', 'int32'],
    [5, 'desiredHealthy', 'int32'],
    [6, 'expectedPods', 'int32'],
  ]))],
]);
