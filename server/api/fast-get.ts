import type { IncomingMessage, RequestListener } from 'node:http';
import type { Registry } from '../registry/generic.js';
import { negotiate } from './negotiate.js';
import { parseResourcePath, type ResourceTarget } from './paths.js';
import { writeJson } from './rest.js';
import { objectBytes } from './serialize.js';

/**
 * GET of one object as JSON (kubectl get NAME, SDKs, controllers' reads) is the commonest request. It
 * is answered here, ahead of express, whose routing and response helpers cost more than the request.
 * Everything else (a query string, a subresource, a Table, a deprecated version's Warning header, a
 * miss) goes to the express app, which answers it as before; the bytes of a fast answer are the same
 * as the app's (see fast-get.test.ts).
 */
export function withFastGet(app: RequestListener, registry: Registry): RequestListener {
  return (req, res) => {
    const target = fastTarget(req, registry);
    if (!target) return void app(req, res);
    registry.get(target.ref, target.namespace, target.name!).then(
      (obj) => writeJson(res, 200, objectBytes(registry, target.ref, obj)),
      () => app(req, res),
    );
  };
}

function fastTarget(req: IncomingMessage, registry: Registry): ResourceTarget | undefined {
  const url = req.url ?? '/';
  if (req.method !== 'GET' || url.includes('?') || negotiate(req.headers.accept).kind !== 'object') return undefined;
  let parsed;
  try {
    parsed = parseResourcePath(registry, url);
  } catch {
    return undefined;
  }
  if (parsed.type !== 'resource') return undefined;
  const t = parsed.target;
  if (!t.name || t.subresource || t.watchPath) return undefined;
  if (t.ref.info.versions.find((v) => v.name === t.ref.version)?.deprecationWarning) return undefined;
  return t;
}
