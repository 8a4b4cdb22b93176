import type { Status, StatusCause } from './types.js';

/** Identifies a resource in messages the way kube-apiserver does: "pods", "statefulsets.apps". */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export type FieldErrorType = 'Invalid' | 'Required' | 'NotSupported' | 'Forbidden' | 'Duplicate' | 'TooLong' | 'TooMany' | 'TypeInvalid' | 'NotFound';

/** A validation failure on one field; validators return these as data and never throw. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
  supported?: string[];
}

const causeReason: Record<FieldErrorType, string> = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  TypeInvalid: 'FieldValueTypeInvalid',
  NotFound: 'FieldValueNotFound',
};

/** A []string as Go's %#v prints it: []string{"a", "b"}. */
export function goStringSlice(list: readonly string[]): string {
  return `[]string{${list.map((x) => JSON.stringify(x)).join(', ')}}`;
}

/** A value Go prints through its String() method: as it is, unquoted (a metav1.Time, a Quantity). */
export class GoText {
  constructor(readonly text: string) {}
}

function goValue(v: unknown): string {
  if (v instanceof GoText) return v.text;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return 'null';
  // %#v of a []string; other values have no Go type here, so JSON stands in for it
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return goStringSlice(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The text after "field: ", worded as apimachinery's field.Error.ErrorBody(). */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'Required':
      return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'Forbidden':
      return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'TooLong':
      return e.detail ? `Too long: ${e.detail}` : 'Too long';
    case 'TooMany':
      return e.detail ? `Too many: ${e.detail}` : 'Too many';
    case 'NotSupported': {
      const base = `Unsupported value: ${goValue(e.value)}`;
      return e.supported?.length ? `${base}: supported values: ${e.supported.map((s) => JSON.stringify(s)).join(', ')}` : base;
    }
    case 'Duplicate':
      return `Duplicate value: ${goValue(e.value)}`;
    case 'NotFound':
      return `Not found: ${goValue(e.value)}`;
    case 'TypeInvalid':
    case 'Invalid': {
      const label = e.type === 'Invalid' ? 'Invalid value' : 'Invalid value';
      const withValue = e.value === undefined ? label : `${label}: ${goValue(e.value)}`;
      return e.detail ? `${withValue}: ${e.detail}` : withValue;
    }
  }
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** An error that carries the whole Kubernetes Status; only the wire layers turn it into bytes. */
export class StatusError extends Error {
  readonly status: Status & { code: number };
  constructor(status: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'> & { code: number }) {
    super(status.message ?? status.reason ?? 'error');
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status };
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}

export function isNotFound(e: unknown): boolean {
  return isStatusError(e) && e.reason === 'NotFound';
}

export function isConflict(e: unknown): boolean {
  return isStatusError(e) && e.code === 409;
}

export function isAlreadyExists(e: unknown): boolean {
  return isStatusError(e) && e.reason === 'AlreadyExists';
}

/**
 * A path under /api or /apis nothing is served at: go-restful's 404, which kube-apiserver's service
 * error handler turns into NewGenericServerResponse's Status (empty details, no causes). Not
 * "<resource> not found": the object may well exist.
 */
export function pathNotFound(): StatusError {
  return new StatusError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource', details: {} });
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError({
    code: 404,
    reason: 'NotFound',
    message: `${qualifiedResource(gr)} "${name}" not found`,
    details: { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource },
  });
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError({
    code: 409,
    reason: 'AlreadyExists',
    message: `${qualifiedResource(gr)} "${name}" already exists`,
    details: { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource },
  });
}

export function conflict(gr: GroupResource, name: string, detail = 'the object has been modified; please apply your changes to the latest version and try again'): StatusError {
  return new StatusError({
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${detail}`,
    details: { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource },
  });
}

export function invalid(groupKind: { group: string; kind: string }, name: string, errors: FieldError[]): StatusError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: causeReason[e.type], message: fieldErrorBody(e), field: e.field }));
  const qualifiedKind = groupKind.group ? `${groupKind.kind}.${groupKind.group}` : groupKind.kind;
  const list = errors.map(fieldErrorString);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError({
    code: 422,
    reason: 'Invalid',
    message: `${qualifiedKind} "${name}" is invalid: ${summary}`,
    details: { name, ...(groupKind.group ? { group: groupKind.group } : {}), kind: groupKind.kind, causes },
  });
}

export function badRequest(message: string, causes?: StatusCause[]): StatusError {
  return new StatusError({ code: 400, reason: 'BadRequest', message, ...(causes ? { details: { causes } } : {}) });
}

export function expired(message: string): StatusError {
  return new StatusError({ code: 410, reason: 'Expired', message });
}

export function gone(message: string): StatusError {
  return new StatusError({ code: 410, reason: 'Gone', message });
}

export function methodNotAllowed(): StatusError {
  return new StatusError({ code: 405, reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource', details: {} });
}

export function unsupportedMediaType(contentType: string, accepted: string[]): StatusError {
  return new StatusError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] },
  });
}

export function notAcceptable(accepted: string[]): StatusError {
  return new StatusError({ code: 406, reason: 'NotAcceptable', message: `only the following media types are accepted: ${accepted.join(', ')}` });
}

export function entityTooLarge(limitBytes: number): StatusError {
  return new StatusError({ code: 413, reason: 'RequestEntityTooLarge', message: `Request entity too large: limit is ${limitBytes}` });
}

export function forbidden(gr: GroupResource, name: string, reason: string): StatusError {
  const what = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return new StatusError({ code: 403, reason: 'Forbidden', message: `${what} is forbidden: ${reason}`, details: { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource } });
}

export function unauthorized(): StatusError {
  return new StatusError({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
}

export function internalError(err: unknown): StatusError {
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError({ code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}`, details: { causes: [{ message }] } });
}

export function serviceUnavailable(message: string): StatusError {
  return new StatusError({ code: 503, reason: 'ServiceUnavailable', message });
}

/** NewTimeoutError. */
export function timeout(message: string): StatusError {
  return new StatusError({ code: 504, reason: 'Timeout', message: `Timeout: ${message}` });
}

export function tooManyRequests(message: string): StatusError {
  return new StatusError({ code: 429, reason: 'TooManyRequests', message });
}
