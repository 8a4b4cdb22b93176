import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, entityTooLarge, unsupportedMediaType } from '../meta/errors.js';
import { mediaType } from './negotiate.js';
import { decodeKubernetesProtobuf, protobufMediaType } from './protobuf/envelope.js';

/** kube-apiserver's default --max-request-body-bytes for JSON (3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxRequestBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw entityTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) {
      req.resume();
      throw entityTooLarge(limit);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export const writeMediaTypes = ['application/json', 'application/yaml', protobufMediaType];
export const patchMediaTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** Parses a create/update body; a missing Content-Type is JSON (kubectl scale's PUT sends none). */
export function parseObjectBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(buf);
  if (type === 'application/yaml' || type === 'application/x-yaml') return parseYamlText(buf.toString('utf8'));
  if (type === protobufMediaType) return decodeKubernetesProtobuf(buf);
  throw unsupportedMediaType(type, writeMediaTypes);
}

/** Parses a DELETE body (DeleteOptions): typed clients such as kubectl drain's send it in protobuf. */
export function parseDeleteBody(buf: Buffer, contentType: string | undefined): unknown {
  if (mediaType(contentType) === protobufMediaType) return decodeKubernetesProtobuf(buf);
  return parseJson(buf);
}

export function parsePatchBody(buf: Buffer, contentType: string | undefined): { patchType: string; body: unknown } {
  const type = mediaType(contentType);
  if (!patchMediaTypes.includes(type)) throw unsupportedMediaType(type, patchMediaTypes);
  if (type === 'application/apply-patch+yaml') return { patchType: type, body: parseYamlText(buf.toString('utf8')) };
  return { patchType: type, body: parseJson(buf) };
}

const maxDepth = 10_000;

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (!text.trim()) throw badRequest("couldn't get version/kind; json parse error: unexpected end of JSON input");
  if (nestingDepth(text) > maxDepth) throw badRequest(`couldn't get version/kind; json parse error: exceeded max depth of ${maxDepth}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function parseYamlText(text: string): unknown {
  if (!text.trim()) throw badRequest('error decoding YAML: empty body');
  try {
    return parseYaml(text, { uniqueKeys: true, merge: false, maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Bracket depth outside strings, to refuse pathological nesting before JSON.parse recurses. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}
