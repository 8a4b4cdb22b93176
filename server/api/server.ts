import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../meta/clock.js';
import { badRequest, internalError, isStatusError, methodNotAllowed, notFound, pathNotFound } from '../meta/errors.js';
import { healthRouter, type HealthCheck } from './health.js';
import type { Registry } from '../registry/generic.js';
import type { UserInfo } from '../registry/strategy.js';
import {
  aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, groupsOf, apiLayerSubresources,
  type ExtraSubresource,
} from './discovery.js';
import { negotiateDiscovery } from './negotiate.js';
import { parseResourcePath, type ResourceTarget } from './paths.js';
import { handleResource, isBuiltInSubresource, writeStatus, type RestDeps } from './rest.js';
import type { VersionInfo } from './version.js';

export interface ApiServerOptions {
  registry: Registry;
  clock: Clock;
  logger: Logger;
  version: VersionInfo;
  /** /openapi/v2 and /openapi/v3 documents. */
  openapi?: Router;
  /** Routers mounted before the API (admin endpoints under /kubemock/v1, auth). */
  extraRouters?: Router[];
  /** Streaming and action subresources keyed "pods/exec", "pods/log", ... */
  subresources?: Record<string, SubresourceHandler>;
  findDuplicateFields?: (json: string, parsed: unknown) => string[];
  bookmarkIntervalMs?: number;
  defaultWatchTimeoutSeconds?: number;
  /** Who makes a request; anonymous when not given. */
  userOf?: (req: IncomingMessage) => UserInfo;
  /** Checks beyond ping and log for /healthz, /livez and /readyz (the store is reachable, not shutting down). */
  healthChecks?: HealthCheck[];
}

/** A handler for a subresource the api layer does not implement itself (pods/log, exec, ...). */
export type SubresourceHandler = (req: Request, res: Response, target: ResourceTarget) => Promise<void> | void;

const aggregatedTypes = {
  'aggregated-v2': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'aggregated-v2beta1': 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
} as const;

function restDeps(opts: ApiServerOptions): RestDeps {
  return {
    registry: opts.registry, clock: opts.clock, findDuplicateFields: opts.findDuplicateFields,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000, defaultWatchTimeoutSeconds: opts.defaultWatchTimeoutSeconds ?? 1800,
    // the WatchList feature gate is on by default from kube-apiserver 1.32
    watchListByDefault: Number(opts.version.minor) >= 32,
    userOf: opts.userOf,
  };
}

/**
 * An error thrown while answering, as a Status. Anything not a StatusError is the server's fault
 * (500, logged), but for a path that does not decode and a client error raised by express itself.
 */
export function sendError(res: ServerResponse, err: unknown, logger: Logger, method: string | undefined, path: string): void {
  if (isStatusError(err)) {
    if (err.code >= 500) logger.error({ err, path }, 'request failed');
    return writeStatus(res, err);
  }
  // a path segment that does not decode (`%ff`) names nothing, as kube-apiserver's router finds
  if (err instanceof URIError) return writeStatus(res, notFound({ group: '', resource: '' }, path));
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return writeStatus(res, badRequest((err as Error).message));
  logger.error({ err, path, method }, 'unexpected error');
  writeStatus(res, internalError(err));
}

/**
 * The server's request listener. Requests for resources and their built-in subresources (nearly all
 * traffic) go straight to rest.ts: express's routing and the prototypes it swaps onto each request
 * and response cost more than a create (docs/performance.md). Everything else (discovery, version,
 * health, OpenAPI, admin endpoints, exec/log/attach/port-forward, binding) goes through express.
 */
/** WithCacheControl: what does not say otherwise (the hashed OpenAPI documents) is never cached. */
const noCache = 'no-cache, private';

export function createApiListener(opts: ApiServerOptions): RequestListener {
  const app = createApiApp(opts);
  const deps = restDeps(opts);
  return (req, res) => {
    const url = req.url ?? '/';
    const at = url.indexOf('?');
    let target: ResourceTarget | undefined;
    try {
      const parsed = parseResourcePath(opts.registry, at < 0 ? url : url.slice(0, at));
      if (parsed.type === 'resource' && isBuiltInSubresource(parsed.target)) target = parsed.target;
    } catch {
      // a path that does not decode: express answers it
    }
    if (!target) return void app(req, res);
    res.setHeader('Cache-Control', noCache);
    handleResource(req, res, target, deps).catch((err: unknown) => sendError(res, err, opts.logger, req.method, at < 0 ? url : url.slice(0, at)));
  };
}

/**
 * Every other path ends at kube-apiserver's last handler, Go's http.NotFound: plain text, not a Status
 * (an unserved group too: the aggregator and the CRD handler pass it on to it).
 */
function pageNotFound(res: Response): void {
  res.status(404).setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.send('404 page not found\n');
}

/** The HTTP face of the registry: discovery, version, health, and every resource path. */
export function createApiApp(opts: ApiServerOptions): express.Express {
  const { registry, logger } = opts;
  const deps = restDeps(opts);
  const subresources = opts.subresources ?? {};
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  const extras: ExtraSubresource[] = Object.keys(opts.subresources ?? {}).length ? apiLayerSubresources.filter((e) => opts.subresources?.[`${e.resource}/${e.subresource}`]) : [];
  const groups = groupsOf(registry.resources);
  // kube-apiserver's router (go-restful) owns /api/... and /apis/<served group>/...; its 404 is a Status
  const goRestfulServes = (path: string): boolean => path.startsWith('/api/') || groups.some((g) => g.group && path.startsWith(`/apis/${g.group}/`));

  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', noCache);
    next();
  });
  // First, so resource requests (nearly all traffic) skip matching every route below.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const parsed = parseResourcePath(registry, req.path);
    const fail = (): void => (goRestfulServes(req.path) ? writeStatus(res, pathNotFound()) : pageNotFound(res));
    switch (parsed.type) {
      case 'notFound':
        // /api/ and /apis/ are the discovery documents (below), as kube's director serves them
        if (/^\/apis?\/./.test(req.path)) return fail();
        return next();
      case 'group': {
        const g = groups.find((x) => x.group === parsed.group);
        if (!g) return fail();
        return void res.json(apiGroupDoc(g));
      }
      case 'groupVersion': {
        const g = groups.find((x) => x.group === parsed.group);
        const v = g?.versions.find((x) => x.version === parsed.version);
        if (!v) return fail();
        return void res.json(apiResourceList(parsed.group, parsed.version, v.resources, extras));
      }
      case 'resource': {
        const { target } = parsed;
        if (isBuiltInSubresource(target)) return void handleResource(req, res, target, deps).catch(next);
        const handler = subresources[`${target.ref.info.resource}/${target.subresource}`];
        if (!handler || !target.name) return fail();
        Promise.resolve(handler(req, res, target)).catch(next);
        return;
      }
    }
  });

  app.get('/version', (_req, res) => {
    res.json(opts.version);
  });
  app.use(healthRouter(opts.healthChecks ?? []));
  for (const r of opts.extraRouters ?? []) app.use(r);
  if (opts.openapi) app.use(opts.openapi);

  app.get('/api', (req, res) => {
    const fmt = negotiateDiscovery(req.get('accept'));
    if (fmt === 'legacy') return void res.json(apiVersions(req.get('host') ?? ''));
    res.type(aggregatedTypes[fmt]).send(JSON.stringify(aggregatedDiscovery(groups.filter((g) => g.group === ''), fmt === 'aggregated-v2' ? 'v2' : 'v2beta1', extras)));
  });
  // go-restful owns /api: a method its discovery route does not take is its 405, as a Status
  app.all(['/api', '/api/'], (_req, res) => writeStatus(res, methodNotAllowed()));
  app.get('/apis', (req, res) => {
    const fmt = negotiateDiscovery(req.get('accept'));
    if (fmt === 'legacy') return void res.json(apiGroupList(groups));
    res.type(aggregatedTypes[fmt]).send(JSON.stringify(aggregatedDiscovery(groups.filter((g) => g.group !== ''), fmt === 'aggregated-v2' ? 'v2' : 'v2beta1', extras)));
  });

  app.use((_req: Request, res: Response) => pageNotFound(res));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => sendError(res, err, logger, req.method, req.path));
  return app;
}
