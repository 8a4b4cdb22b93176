/**
 * The review kinds kubectl auth can-i and kubectl auth whoami create: answered from the request and
 * never stored, as kube's review REST storages do. kubemock has no RBAC: every request it serves is
 * allowed, so it answers as kube-apiserver with --authorization-mode=AlwaysAllow does.
 */
import type { SelfSubjectReview } from 'kubernetes-types/authentication/v1.js';
import type { SelfSubjectAccessReview, SelfSubjectRulesReview } from 'kubernetes-types/authorization/v1.js';
import { rfc3339 } from '../../meta/clock.js';
import { badRequest, invalid, type FieldError } from '../../meta/errors.js';
import type { KubeObject } from '../../meta/types.js';
import type { ResourceInfo } from '../resource.js';
import type { Strategy } from '../strategy.js';
import { age, ageColumn, nameColumn } from '../table.js';

type Review<T> = T & KubeObject;

/** Never shown (a review is never listed), but every kind has a table. */
const reviewTable = { columns: [nameColumn, ageColumn], cells: (o: KubeObject, now: number) => [o.metadata.name, age(o, now)] };

/**
 * Kube serializes the empty ObjectMeta of an answer with its zero creation time, as null
 * (ObjectMeta omits it only from 1.34).
 */
const emptyMeta = { creationTimestamp: null as unknown as string };

function createOnly<T extends KubeObject>(group: string, versions: string[], resource: string, kind: string, answerCreate: Strategy<T>['answerCreate']): ResourceInfo<T> {
  return {
    group,
    versions: versions.map((name) => ({ name })),
    resource,
    singular: resource.replace(/s$/, ''),
    kind,
    namespaced: false,
    verbs: ['create'],
    strategy: { table: reviewTable, answerCreate },
  };
}

/** ValidateSelfSubjectAccessReview: empty metadata, and exactly one kind of attributes. */
function accessReviewErrors(review: Review<SelfSubjectAccessReview>): FieldError[] {
  const errors: FieldError[] = [];
  const { resourceAttributes, nonResourceAttributes } = review.spec ?? {};
  if (resourceAttributes && nonResourceAttributes) {
    errors.push({ type: 'Invalid', field: 'spec.nonResourceAttributes', value: nonResourceAttributes, detail: 'cannot be specified in combination with resourceAttributes' });
  }
  if (!resourceAttributes && !nonResourceAttributes) {
    errors.push({ type: 'Invalid', field: 'spec.resourceAttributes', value: 'null', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  }
  const { managedFields: _ignored, ...meta } = review.metadata;
  // Semantic.DeepEqual with an empty ObjectMeta: a zero (null) creation time is empty too
  const set = Object.entries(meta).filter(([k, v]) => !(k === 'creationTimestamp' && v === null));
  if (set.length) errors.push({ type: 'Invalid', field: 'metadata', value: meta, detail: 'must be empty' });
  return errors;
}

export function selfSubjectAccessReviews(): ResourceInfo<Review<SelfSubjectAccessReview>> {
  return createOnly('authorization.k8s.io', ['v1'], 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', (review) => {
    const errors = accessReviewErrors(review);
    if (errors.length) throw invalid({ group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' }, '', errors);
    return { ...review, metadata: emptyMeta, status: { allowed: true } };
  });
}

/** AlwaysAllow's RulesFor: every verb on everything, in any namespace. */
export function selfSubjectRulesReviews(): ResourceInfo<Review<SelfSubjectRulesReview>> {
  return createOnly('authorization.k8s.io', ['v1'], 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', (review) => {
    if (!review.spec?.namespace) throw badRequest('no namespace on request');
    return {
      metadata: emptyMeta,
      spec: {},
      status: {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      },
    };
  });
}

/** SelfSubjectReview went GA (authentication.k8s.io/v1) in 1.28; 1.27 served it as v1beta1. */
export function selfSubjectReviews(kubernetesMinor: number): ResourceInfo<Review<SelfSubjectReview>> {
  return createOnly('authentication.k8s.io', [kubernetesMinor < 28 ? 'v1beta1' : 'v1'], 'selfsubjectreviews', 'SelfSubjectReview', (_review, { user, now }) => ({
    metadata: { creationTimestamp: rfc3339(now) },
    status: { userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), ...(user.groups.length ? { groups: user.groups } : {}) } },
  }));
}
