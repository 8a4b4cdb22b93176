import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import { alreadyExists, badRequest, conflict, expired, forbidden, invalid, notFound, unauthorized } from '../meta/errors.js';
import { decodeStatusDetails, grpcCodeOf, toServiceError } from './status.js';

const pods = { group: '', resource: 'pods' };

test('Kubernetes reasons map to the documented gRPC codes', () => {
  const cases: [ReturnType<typeof notFound>, GrpcCode][] = [
    [notFound(pods, 'a'), GrpcCode.NOT_FOUND],
    [alreadyExists(pods, 'a'), GrpcCode.ALREADY_EXISTS],
    [conflict(pods, 'a'), GrpcCode.ABORTED],
    [invalid({ group: 'apps', kind: 'StatefulSet' }, 'a', [{ type: 'Required', field: 'spec.selector' }]), GrpcCode.INVALID_ARGUMENT],
    [badRequest('bad'), GrpcCode.INVALID_ARGUMENT],
    [forbidden({ group: '', resource: 'namespaces' }, 'x', 'being terminated'), GrpcCode.FAILED_PRECONDITION],
    [unauthorized(), GrpcCode.UNAUTHENTICATED],
    [expired('too old resource version: 1 (5)'), GrpcCode.OUT_OF_RANGE],
  ];
  for (const [err, code] of cases) assert.equal(grpcCodeOf(err.status), code, err.reason);
});

test('the Kubernetes Status travels in grpc-status-details-bin and decodes back whole', () => {
  const err = invalid({ group: 'apps', kind: 'StatefulSet' }, 'web', [{ type: 'Required', field: 'spec.selector' }, { type: 'Invalid', field: 'spec.replicas', value: -1, detail: 'must be >= 0' }]);
  const sent = toServiceError(err);
  assert.equal(sent.code, GrpcCode.INVALID_ARGUMENT);
  assert.equal(sent.details, err.status.message);
  const back = decodeStatusDetails(sent.metadata);
  assert.deepEqual(back, err.status);
  assert.equal(back?.reason, 'Invalid');
  assert.equal(back?.code, 422);
  assert.deepEqual(back?.details?.causes?.map((c) => c.field), ['spec.selector', 'spec.replicas']);
  assert.equal(back?.message, err.status.message);
});

test('errors that are not Kubernetes errors are INTERNAL, and metadata without details decodes to undefined', () => {
  const sent = toServiceError(new Error('boom'));
  assert.equal(sent.code, GrpcCode.INTERNAL);
  assert.equal(decodeStatusDetails(sent.metadata)?.reason, 'InternalError');
  assert.equal(decodeStatusDetails(new Metadata()), undefined);
});
