import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Clock } from '../meta/clock.js';
import { notAcceptable, notFound } from '../meta/errors.js';
import { readOpenapiFile } from '../schema/openapi-files.js';
import { parseAccept } from './negotiate.js';
import { encodeOpenApiV2Proto, negotiateOpenApiV2, openApiV2ProtoContentType } from './openapi-v2-proto.js';
import { writeStatus } from './rest.js';

export interface OpenApiRouterOptions {
  clock: Clock;
  /** Reads a file below openapi/ (tests substitute their own documents). */
  readFile?: (relativePath: string) => Buffer;
}

/** A document as served: bytes read once, with the hash kube-apiserver uses as ETag and in ?hash=. */
interface ServedDocument {
  body: Buffer;
  hash: string;
}

const jsonTypes = new Set(['application/json', 'application/*', '*/*']);

/** True when some Accept range (or none at all) lets us answer JSON; protobuf-only clients get 406. */
function acceptsJson(header: string | undefined): boolean {
  const ranges = parseAccept(header);
  return ranges.length === 0 || ranges.some((r) => jsonTypes.has(r.type) && r.params.q !== '0');
}

/**
 * Serves the generated documents as kube-openapi's handlers do: /openapi/v3 (discovery of the
 * per-group-version documents, with hashed URLs), /openapi/v3/<api/v1|apis/<group>/<version>|...>
 * (immutable when asked by the right hash, 301 to the current hash otherwise) and /openapi/v2 (JSON,
 * or gnostic's protobuf form for the kubectl versions that only ask for that). Nothing is read until
 * the first request.
 */
export function createOpenApiRouter(opts: OpenApiRouterOptions): Router {
  const read = opts.readFile ?? readOpenapiFile;
  const cache = new Map<string, ServedDocument | null>();
  const load = (file: string): ServedDocument | undefined => {
    if (!cache.has(file)) {
      let doc: ServedDocument | null = null;
      try {
        const body = read(file);
        doc = { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      cache.set(file, doc);
    }
    return cache.get(file) ?? undefined;
  };
  let groupVersionPaths: Set<string> | undefined;
  const knownPaths = (): Set<string> => {
    if (!groupVersionPaths) {
      const index = load('v3/index.json');
      const parsed = index ? (JSON.parse(index.body.toString('utf8')) as { paths?: Record<string, unknown> }) : {};
      groupVersionPaths = new Set(Object.keys(parsed.paths ?? {}));
    }
    return groupVersionPaths;
  };

  const send = (req: Request, res: Response, doc: ServedDocument, body = doc.body, type = 'application/json'): void => {
    res.setHeader('Vary', 'Accept');
    res.setHeader('Etag', `"${doc.hash}"`);
    if (req.get('if-none-match')?.split(',').some((t) => t.trim() === `"${doc.hash}"`)) {
      res.status(304).end();
      return;
    }
    res.status(200).type(type).send(body);
  };
  // The protobuf form of v2, encoded on first request; kube-openapi gives it the JSON's ETag.
  let v2Proto: Buffer | undefined;

  const router = Router();
  router.get('/openapi/v3', (req, res) => {
    const index = load('v3/index.json');
    if (!index) return void writeStatus(res, notFound({ group: '', resource: 'openapi' }, 'v3'));
    send(req, res, index);
  });
  router.get('/openapi/v3/*path', (req, res) => {
    const docPath = req.path.slice('/openapi/v3/'.length).replace(/\/$/, '');
    const doc = knownPaths().has(docPath) ? load(`v3/${docPath}.json`) : undefined;
    if (!doc) return void writeStatus(res, notFound({ group: '', resource: 'openapi' }, docPath));
    if (!acceptsJson(req.get('accept'))) return void writeStatus(res, notAcceptable(['application/json']));
    const hash = typeof req.query.hash === 'string' ? req.query.hash : undefined;
    if (hash !== undefined && hash !== '') {
      if (hash !== doc.hash) return void res.redirect(301, `/openapi/v3/${docPath}?hash=${doc.hash}`);
      res.setHeader('Cache-Control', 'public, immutable');
      res.setHeader('Expires', new Date(opts.clock.now() + 365 * 24 * 3600 * 1000).toUTCString());
    }
    send(req, res, doc);
  });
  router.get('/openapi/v2', (req, res) => {
    const form = negotiateOpenApiV2(req.get('accept'));
    if (!form) return void writeStatus(res, notAcceptable(['application/json', openApiV2ProtoContentType]));
    const doc = load('v2/swagger.json');
    if (!doc) return void writeStatus(res, notFound({ group: '', resource: 'openapi' }, 'v2'));
    if (form === 'json') return void send(req, res, doc);
    v2Proto ??= Buffer.from(encodeOpenApiV2Proto(JSON.parse(doc.body.toString('utf8'))));
    send(req, res, doc, v2Proto, openApiV2ProtoContentType);
  });
  return router;
}
