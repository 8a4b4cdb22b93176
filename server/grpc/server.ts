import { Server, ServerCredentials, type MethodDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Registry } from '../registry/generic.js';
import { HealthService } from './gen/grpc/health/v1/health.js';
import { ServerReflectionService } from './gen/grpc/reflection/v1/reflection.js';
import { kindServices } from './gen/kinds.js';
import { HealthStatus } from './health.js';
import { kindServiceImplementation } from './kind-service.js';
import { reflectionImplementation, reflectionV1AlphaService } from './reflection.js';

export interface GrpcServerOptions {
  registry: Registry;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger?: Logger;
  /** How often a watch that asked for bookmarks gets one when idle (kube sends about one a minute). */
  bookmarkIntervalMs?: number;
}

export interface RunningGrpcServer {
  port: number;
  /** Fully-qualified names of the services served, kubemock's first. */
  services: string[];
  health: HealthStatus;
  stop(): Promise<void>;
}

const packagePrefix = 'kubemock.v1.';

/**
 * The gRPC twin of the REST API over the same Registry (one store: what either protocol writes,
 * the other reads and watches), plus grpc.health.v1 and server reflection (v1 and v1alpha).
 */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<RunningGrpcServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = new Server();
  const deps = { registry: opts.registry, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000 };
  const kindNames = kindServices.map((row) => `${packagePrefix}${row.serviceName}`);
  for (const row of kindServices) server.addService(withEncodingCache(row.service), kindServiceImplementation(row, deps));
  const services = [...kindNames, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection'];
  const health = new HealthStatus(services);
  server.addService(HealthService, health.implementation());
  const reflection = reflectionImplementation(() => services);
  server.addService(ServerReflectionService, reflection);
  server.addService(reflectionV1AlphaService, reflection);

  const bindHost = host.includes(':') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${bindHost}:${opts.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  opts.logger?.debug({ grpc: `${bindHost}:${port}` }, 'grpc listening');

  let stopped: Promise<void> | undefined;
  return {
    port,
    services,
    health,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        health.shutdown();
        health.endWatches();
        // open watches never end by themselves: a graceful shutdown would wait for them forever
        server.forceShutdown();
        resolve();
      });
      return stopped;
    },
  };
}

/**
 * Get answers with the proto form of a stored object, cached by identity (kind-service.ts), so its
 * bytes can be cached the same way: encoding was a third of a Get's time on the server. Other methods
 * answer with fresh messages, which a cache would only hold on to.
 */
function withEncodingCache(def: ServiceDefinition): ServiceDefinition {
  const get = def.get as MethodDefinition<unknown, unknown> | undefined;
  if (!get) return def;
  const encoded = new WeakMap<object, Buffer>();
  const serialize = get.responseSerialize;
  const cachedSerialize = (value: unknown): Buffer => {
    if (typeof value !== 'object' || value === null) return serialize(value);
    let bytes = encoded.get(value);
    if (!bytes) {
      bytes = serialize(value);
      encoded.set(value, bytes);
    }
    return bytes;
  };
  return { ...def, get: { ...get, responseSerialize: cachedSerialize } };
}
