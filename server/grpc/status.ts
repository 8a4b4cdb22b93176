import { Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import { internalError, isStatusError, type StatusError } from '../meta/errors.js';
import type { Status } from '../meta/types.js';
import { ConversionError, fromProto, toProto } from './convert.js';
import { Any } from './gen/google/protobuf/any.js';
import { Status as RpcStatus } from './gen/google/rpc/status.js';
import { Status as KubeStatusMessage } from './gen/kubemock/v1/types.js';

/**
 * Kubernetes errors on the gRPC wire. The code follows the Status reason; the whole Kubernetes
 * Status travels in the standard `grpc-status-details-bin` trailer as a google.rpc.Status whose
 * one detail is a google.protobuf.Any of kubemock.v1.Status:
 *
 *   NotFound 404                          NOT_FOUND
 *   AlreadyExists 409                     ALREADY_EXISTS
 *   Conflict 409 (resourceVersion, apply) ABORTED            retry after a re-read, as gRPC means it
 *   Invalid 422, BadRequest 400           INVALID_ARGUMENT   the field causes are in details.causes
 *   UnsupportedMediaType 415, 406         INVALID_ARGUMENT
 *   Forbidden 403                         FAILED_PRECONDITION kubemock has no authorization: its 403s are
 *                                                            state checks (a terminating namespace)
 *   Unauthorized 401                      UNAUTHENTICATED
 *   Expired / Gone 410                    OUT_OF_RANGE       the resourceVersion fell out of the watch
 *                                                            window; relist, then watch from the list
 *   MethodNotAllowed 405                  UNIMPLEMENTED
 *   TooManyRequests 429, 413              RESOURCE_EXHAUSTED
 *   Timeout 504                           DEADLINE_EXCEEDED
 *   ServiceUnavailable 503                UNAVAILABLE
 *   anything else                         INTERNAL
 */
export const kubeStatusTypeUrl = 'type.googleapis.com/kubemock.v1.Status';
export const statusDetailsKey = 'grpc-status-details-bin';

export function grpcCodeOf(status: Status & { code: number }): GrpcCode {
  switch (status.reason) {
    case 'NotFound':
      return GrpcCode.NOT_FOUND;
    case 'AlreadyExists':
      return GrpcCode.ALREADY_EXISTS;
    case 'Conflict':
      return GrpcCode.ABORTED;
    case 'Invalid':
    case 'BadRequest':
    case 'UnsupportedMediaType':
    case 'NotAcceptable':
      return GrpcCode.INVALID_ARGUMENT;
    case 'Forbidden':
      return GrpcCode.FAILED_PRECONDITION;
    case 'Unauthorized':
      return GrpcCode.UNAUTHENTICATED;
    case 'Expired':
    case 'Gone':
      return GrpcCode.OUT_OF_RANGE;
    case 'MethodNotAllowed':
      return GrpcCode.UNIMPLEMENTED;
    case 'TooManyRequests':
    case 'RequestEntityTooLarge':
      return GrpcCode.RESOURCE_EXHAUSTED;
    case 'Timeout':
      return GrpcCode.DEADLINE_EXCEEDED;
    case 'ServiceUnavailable':
      return GrpcCode.UNAVAILABLE;
  }
  switch (status.code) {
    case 400:
    case 422:
      return GrpcCode.INVALID_ARGUMENT;
    case 404:
      return GrpcCode.NOT_FOUND;
    case 409:
      return GrpcCode.ABORTED;
    default:
      return GrpcCode.INTERNAL;
  }
}

/** Any thrown value as the error grpc-js sends: code, message and the Kubernetes Status trailer. */
export function toServiceError(e: unknown): Partial<ServiceError> {
  const err: StatusError = isStatusError(e) ? e : internalError(e instanceof ConversionError ? `stored object does not fit its schema: ${e.message}` : e);
  const code = grpcCodeOf(err.status);
  const metadata = new Metadata();
  metadata.set(statusDetailsKey, Buffer.from(encodeStatusDetails(code, err.status)));
  return { code, details: err.status.message ?? err.status.reason ?? 'error', metadata };
}

export function encodeStatusDetails(code: GrpcCode, status: Status): Uint8Array {
  const kube = KubeStatusMessage.encode(toProto('kubemock.v1.Status', status) as unknown as KubeStatusMessage).finish();
  return RpcStatus.encode({ code, message: status.message ?? '', details: [Any.fromPartial({ typeUrl: kubeStatusTypeUrl, value: kube })] }).finish();
}

/** The Kubernetes Status in an error's trailer, or undefined when it carries none. */
export function decodeStatusDetails(metadata: Metadata | undefined): Status | undefined {
  const raw = metadata?.get(statusDetailsKey)[0];
  if (!raw || typeof raw === 'string') return undefined;
  const rpc = RpcStatus.decode(raw);
  const detail = rpc.details.find((d) => d.typeUrl === kubeStatusTypeUrl);
  if (!detail) return undefined;
  return fromProto('kubemock.v1.Status', KubeStatusMessage.decode(detail.value)) as Status;
}
