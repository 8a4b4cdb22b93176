import type { ServerUnaryCall, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import { status as GrpcCode } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus as Serving, type HealthCheckRequest, type HealthCheckResponse, type HealthServer } from './gen/grpc/health/v1/health.js';

/**
 * grpc.health.v1.Health: "" is the whole server, and every registered service has its own entry.
 * Check answers NOT_FOUND for unknown services (as the protocol asks); Watch sends the current
 * status, then each change, and SERVICE_UNKNOWN for services it does not know yet.
 */
export class HealthStatus {
  private readonly statuses = new Map<string, Serving>();
  private readonly watchers = new Set<{ service: string; send(s: Serving): void }>();

  constructor(services: string[]) {
    this.statuses.set('', Serving.SERVING);
    for (const s of services) this.statuses.set(s, Serving.SERVING);
  }

  set(service: string, status: Serving): void {
    this.statuses.set(service, status);
    for (const w of this.watchers) if (w.service === service) w.send(status);
  }

  /** Marks everything NOT_SERVING, for a server that is shutting down. */
  shutdown(): void {
    for (const s of [...this.statuses.keys()]) this.set(s, Serving.NOT_SERVING);
  }

  get(service: string): Serving | undefined {
    return this.statuses.get(service);
  }

  implementation(): HealthServer {
    return {
      check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
        const s = this.statuses.get(call.request.service);
        if (s === undefined) callback({ code: GrpcCode.NOT_FOUND, details: `unknown service ${call.request.service}` });
        else callback(null, { status: s });
      },
      watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
        let last: Serving | undefined;
        const watcher = {
          service: call.request.service,
          send: (s: Serving) => {
            if (s === last) return;
            last = s;
            call.write({ status: s });
          },
        };
        watcher.send(this.statuses.get(watcher.service) ?? Serving.SERVICE_UNKNOWN);
        this.watchers.add(watcher);
        const stop = (): void => {
          this.watchers.delete(watcher);
        };
        call.on('cancelled', stop);
        call.on('close', stop);
      },
    };
  }

  /** Ends every Watch stream (grpc-js waits for open streams on a graceful shutdown). */
  endWatches(): void {
    this.watchers.clear();
  }
}
