/**
 * Field tables for the reviews kubectl auth can-i and kubectl auth whoami, and the TokenRequest
 * kubectl create token, send as protobuf
 * (k8s.io/api authorization/v1 and authentication/v1 generated.proto), written from reading those files.
 * A request carries the zero status gogo writes for a non-pointer struct; it decodes to nothing.
 */
import { objectMeta, selectorRequirement } from './meta-v1.js';
import { message, msg, nullable, repeated } from './schema.js';

const meta = msg(objectMeta);

const selectorAttributes = (name: string, req: string) => message(`k8s.io.api.authorization.v1.${name}`, [
  [1, 'rawSelector', 'string'],
  [2, 'requirements', msg(selectorRequirement(req)), repeated],
]);

const resourceAttributes = message('k8s.io.api.authorization.v1.ResourceAttributes', [
  [1, 'namespace', 'string'],
  [2, 'verb', 'string'],
  [3, 'group', 'string'],
  [4, 'version', 'string'],
  [5, 'resource', 'string'],
  [6, 'subresource', 'string'],
  [7, 'name', 'string'],
  [8, 'fieldSelector', msg(selectorAttributes('FieldSelectorAttributes', 'FieldSelectorRequirement')), nullable],
  [9, 'labelSelector', msg(selectorAttributes('LabelSelectorAttributes', 'LabelSelectorRequirement')), nullable],
]);

const accessReviewStatus = message('k8s.io.api.authorization.v1.SubjectAccessReviewStatus', [
  [1, 'allowed', 'bool'],
  [2, 'reason', 'string'],
  [3, 'evaluationError', 'string'],
  [4, 'denied', 'bool'],
]);

export const selfSubjectAccessReview = message('k8s.io.api.authorization.v1.SelfSubjectAccessReview', [
  [1, 'metadata', meta],
  [2, 'spec', msg(message('k8s.io.api.authorization.v1.SelfSubjectAccessReviewSpec', [
    [1, 'resourceAttributes', msg(resourceAttributes), nullable],
    [2, 'nonResourceAttributes', msg(message('k8s.io.api.authorization.v1.NonResourceAttributes', [[1, 'path', 'string'], [2, 'verb', 'string']])), nullable],
  ]))],
  [3, 'status', msg(accessReviewStatus)],
]);

export const selfSubjectRulesReview = message('k8s.io.api.authorization.v1.SelfSubjectRulesReview', [
  [1, 'metadata', meta],
  [2, 'spec', msg(message('k8s.io.api.authorization.v1.SelfSubjectRulesReviewSpec', [[1, 'namespace', 'string']]))],
  [3, 'status', msg(message('k8s.io.api.authorization.v1.SubjectRulesReviewStatus', [
    [3, 'incomplete', 'bool'],
    [4, 'evaluationError', 'string'],
  ]))],
]);

/** The same message in authentication/v1 and v1beta1. */
export const selfSubjectReview = message('k8s.io.api.authentication.v1.SelfSubjectReview', [
  [1, 'metadata', meta],
  [2, 'status', msg(message('k8s.io.api.authentication.v1.SelfSubjectReviewStatus', [
    [1, 'userInfo', msg(message('k8s.io.api.authentication.v1.UserInfo', [
      [1, 'username', 'string'],
      [2, 'uid', 'string'],
      [3, 'groups', 'string', repeated],
    ]))],
  ]))],
]);

export const tokenRequest = message('k8s.io.api.authentication.v1.TokenRequest', [
  [1, 'metadata', meta],
  [2, 'spec', msg(message('k8s.io.api.authentication.v1.TokenRequestSpec', [
    [1, 'audiences', 'string', repeated],
    [3, 'boundObjectRef', msg(message('k8s.io.api.authentication.v1.BoundObjectReference', [
      [1, 'kind', 'string'],
      [2, 'apiVersion', 'string'],
      [3, 'name', 'string'],
      [4, 'uid', 'string'],
    ])), nullable],
    [4, 'expirationSeconds', 'int64', nullable],
  ]))],
  [3, 'status', msg(message('k8s.io.api.authentication.v1.TokenRequestStatus', [
    [1, 'token', 'string'],
    [2, 'expirationTimestamp', 'time'],
  ]))],
]);
