import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../meta/clock.js';
import { badRequest, internalError, isStatusError, notFound, StatusError } from '../meta/errors.js';
import type { Registry } from '../registry/generic.js';
import {
  aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, groupsOf, podStreamingSubresources,
  type ExtraSubresource,
} from './discovery.js';
import { negotiateDiscovery } from './negotiate.js';
import { parseResourcePath } from './paths.js';
import { handleResource, type SubresourceHandler } from './rest.js';
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
  findDuplicateFields?: (json: string) => string[];
  bookmarkIntervalMs?: number;
  defaultWatchTimeoutSeconds?: number;
  /** Health checks beyond "the process answers" (e.g. the store is reachable). */
  readiness?: () => boolean;
}

const aggregatedTypes = {
  'aggregated-v2': 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'aggregated-v2beta1': 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
} as const;

export function sendStatus(res: Response, err: StatusError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(err.code).type('application/json').send(JSON.stringify(err.status));
}

/** The HTTP face of the registry: discovery, version, health, and every resource path. */
export function createApiApp(opts: ApiServerOptions): express.Express {
  const { registry, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  const extras: ExtraSubresource[] = Object.keys(opts.subresources ?? {}).length ? podStreamingSubresources.filter((e) => opts.subresources?.[`${e.resource}/${e.subresource}`]) : [];
  const groups = groupsOf(registry.resources);

  const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
  const defaultWatchTimeoutSeconds = opts.defaultWatchTimeoutSeconds ?? 1800;
  // First, so resource requests (nearly all traffic) skip matching every route below.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const parsed = parseResourcePath(registry, req.path);
    const fail = (code: number, path: string): void => sendStatus(res, new StatusError({ code, reason: 'NotFound', message: 'the server could not find the requested resource', details: { causes: [{ reason: 'UnexpectedServerResponse', message: `404 page not found: ${path}` }] } }));
    switch (parsed.type) {
      case 'notFound':
        if (req.path.startsWith('/api/') || req.path.startsWith('/apis/')) return fail(404, req.path);
        return next();
      case 'group': {
        const g = groups.find((x) => x.group === parsed.group);
        if (!g) return fail(404, req.path);
        return void res.json(apiGroupDoc(g));
      }
      case 'groupVersion': {
        const g = groups.find((x) => x.group === parsed.group);
        const v = g?.versions.find((x) => x.version === parsed.version);
        if (!v) return fail(404, req.path);
        return void res.json(apiResourceList(parsed.group, parsed.version, v.resources, extras));
      }
      case 'resource': {
        const warnings: string[] = [];
        const deprecation = parsed.target.ref.info.versions.find((v) => v.name === parsed.target.ref.version)?.deprecationWarning;
        if (deprecation) warnings.push(deprecation);
        handleResource(req, res, parsed.target, {
          registry, clock: opts.clock, subresources: opts.subresources ?? {}, findDuplicateFields: opts.findDuplicateFields,
          bookmarkIntervalMs, defaultWatchTimeoutSeconds,
        }, warnings).catch(next);
        return;
      }
    }
  });

  app.get('/version', (_req, res) => {
    res.json(opts.version);
  });
  for (const path of ['/healthz', '/livez', '/readyz']) {
    app.get(path, (_req, res) => {
      const ok = path !== '/readyz' || (opts.readiness?.() ?? true);
      res.status(ok ? 200 : 500).type('text/plain').send(ok ? 'ok' : 'not ready');
    });
  }
  for (const r of opts.extraRouters ?? []) app.use(r);
  if (opts.openapi) app.use(opts.openapi);

  app.get('/api', (req, res) => {
    const fmt = negotiateDiscovery(req.get('accept'));
    if (fmt === 'legacy') return void res.json(apiVersions(req.get('host') ?? ''));
    res.type(aggregatedTypes[fmt]).send(JSON.stringify(aggregatedDiscovery(groups.filter((g) => g.group === ''), fmt === 'aggregated-v2' ? 'v2' : 'v2beta1', extras)));
  });
  app.get('/apis', (req, res) => {
    const fmt = negotiateDiscovery(req.get('accept'));
    if (fmt === 'legacy') return void res.json(apiGroupList(groups));
    res.type(aggregatedTypes[fmt]).send(JSON.stringify(aggregatedDiscovery(groups.filter((g) => g.group !== ''), fmt === 'aggregated-v2' ? 'v2' : 'v2beta1', extras)));
  });

  app.use((req: Request, res: Response) => {
    sendStatus(res, notFound({ group: '', resource: '' }, req.path));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isStatusError(err)) {
      if (err.code >= 500) logger.error({ err, path: req.path }, 'request failed');
      return sendStatus(res, err);
    }
    // a path segment that does not decode (`%ff`) names nothing, as kube-apiserver's router finds
    if (err instanceof URIError) return sendStatus(res, notFound({ group: '', resource: '' }, req.path));
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return sendStatus(res, badRequest((err as Error).message));
    logger.error({ err, path: req.path, method: req.method }, 'unexpected error');
    sendStatus(res, internalError(err));
  });
  return app;
}
