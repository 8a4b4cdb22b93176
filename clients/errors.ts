import type { components } from './generated/kubemock.js';

export type Status = components['schemas']['io.k8s.apimachinery.pkg.apis.meta.v1.Status'];

/** True for a body that is a Kubernetes Status (the shape every API error carries). */
export function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/**
 * An API call that did not succeed. The server's Status is kept whole, so callers can branch on
 * `reason` (NotFound, AlreadyExists, Conflict, Invalid, ...) and read `details.causes` for field errors.
 */
export class KubemockApiError extends Error {
  readonly status: Status;
  /** The HTTP status code (also in status.code). */
  readonly code: number;
  readonly reason: string | undefined;

  constructor(status: Status, httpCode?: number) {
    super(status.message ?? `kubemock API error ${httpCode ?? status.code ?? ''}`.trim());
    this.name = 'KubemockApiError';
    this.status = status;
    this.code = httpCode ?? status.code ?? 0;
    this.reason = status.reason;
  }

  /** Builds the error from a response body; a body that is not a Status (a bare 401, a proxy's HTML) is wrapped in one. */
  static fromBody(httpCode: number, body: unknown, statusText = ''): KubemockApiError {
    if (isStatus(body)) return new KubemockApiError(body, httpCode);
    const message = typeof body === 'string' && body ? body : statusText || `HTTP ${httpCode}`;
    return new KubemockApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: httpCode, message }, httpCode);
  }
}
