import type { Request, Response } from 'express';
import { badRequest, methodNotAllowed } from '../meta/errors.js';
import { isPlainObject } from '../meta/types.js';
import { decodeFields } from '../schema/decode.js';
import { servedSchemas } from '../schema/schemas.js';
import { parseObjectBody, readBody } from './body.js';
import { validateWriteOptions } from './write-options.js';

/** Every value of a query parameter, as express's "simple" parser leaves it. */
export function queryList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
}

function queryFirst(v: unknown): string | undefined {
  return queryList(v)[0];
}

/** The body kind a create-only subresource takes, and the schema its fields decode against. */
export interface CreateBodyKind {
  kind: string;
  apiVersions: string[];
  schema: string;
}

/**
 * The start of a POST to a subresource a handler serves (eviction, token), as kube's create handler
 * does it: POST only (the route's 405 otherwise), CreateOptions validated, the body parsed, of the
 * expected kind and version, and of the Go types' JSON types. Returns the body and the query's dryRun.
 */
export async function readCreateBody(req: Request, expected: CreateBodyKind): Promise<{ body: Record<string, unknown>; dryRun: string[] }> {
  if (req.method !== 'POST') throw methodNotAllowed();
  const dryRun = queryList(req.query.dryRun);
  validateWriteOptions('Create', { dryRun, fieldManager: queryFirst(req.query.fieldManager), fieldValidation: queryFirst(req.query.fieldValidation) });
  const body = parseObjectBody(await readBody(req), req.get('content-type'));
  const { kind } = expected;
  if (!isPlainObject(body)) throw badRequest(`Object '${kind}' is invalid: expected a JSON object`);
  if ((body.kind !== undefined && body.kind !== kind) || (body.apiVersion !== undefined && !expected.apiVersions.includes(String(body.apiVersion)))) {
    throw badRequest(`not a ${kind} object: ${String(body.apiVersion)}, Kind=${String(body.kind)}`);
  }
  const { typeError } = decodeFields(servedSchemas(), expected.schema, body);
  if (typeError) throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${typeError}`);
  return { body, dryRun };
}

/** The Success Status a create-only subresource answers with (binding, eviction): 201 in body and head. */
export function sendCreatedStatus(res: Response): void {
  res.status(201).type('application/json').send(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
}
