import type { IncomingMessage } from 'node:http';
import { Composer, Parser, type CST } from 'yaml';
import { badRequest, entityTooLarge, StatusError, unsupportedMediaType } from '../meta/errors.js';
import { mediaType } from './negotiate.js';
import { decodeKubernetesProtobuf, protobufMediaType } from './protobuf/envelope.js';

/** kube-apiserver's default --max-request-body-bytes for JSON (3 MiB). */
export const maxRequestBodyBytes = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = maxRequestBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(entityTooLarge(limit));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // Listeners rather than `for await`: the async iterator cost a sixth of a create.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error): void => {
      req.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    };
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size <= limit) return void chunks.push(b);
      done(entityTooLarge(limit));
      req.resume();
    };
    const onEnd = (): void => done();
    const onClose = (): void => done(new Error('the client closed the request before sending its body'));
    req.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
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

/**
 * How deep a body may nest. kube-apiserver allows 10000 (Go's encoding/json limit); V8's stack does
 * not, for the yaml parser nor for the recursive merges behind patches, so kubemock refuses earlier
 * and says so, rather than answering 500 or dying. Real objects nest a dozen levels.
 */
export const maxNestingDepth = 500;

const tooDeep = (what: string): Error =>
  badRequest(`couldn't get version/kind; ${what} parse error: exceeded max depth of ${maxNestingDepth} (kubemock's limit; kube-apiserver allows 10000)`);

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (!text.trim()) throw badRequest("couldn't get version/kind; json parse error: unexpected end of JSON input");
  const json = jsonOf(text);
  if ('error' in json) throw badRequest(`couldn't get version/kind; json parse error: ${json.error}`);
  return json.value;
}

/** JSON.parse behind the depth check; a syntax error is returned, for callers that try YAML next. */
function jsonOf(text: string): { value: unknown } | { error: string } {
  // deeper than the limit takes more brackets than a shorter text holds
  if (text.length > maxNestingDepth && nestingDepth(text) > maxNestingDepth) throw tooDeep('json');
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function parseYamlText(text: string): unknown {
  if (!text.trim()) throw badRequest('error decoding YAML: empty body');
  // kubectl sends apply patches as JSON, which is YAML: the JSON parser is faster and its depth check exact
  if (/^\s*[{[]/.test(text)) {
    const json = jsonOf(text);
    if ('value' in json) return json.value;
  }
  try {
    // yaml's lexer and parser are iterative, its composer recursive: measure the tree before composing
    const tokens = [...new Parser().parse(text)];
    if (cstDepth(tokens) > maxNestingDepth) throw tooDeep('yaml');
    const docs = [...new Composer({ uniqueKeys: true, merge: false }).compose(tokens, true, text.length)];
    if (docs.length > 1) throw badRequest('error decoding YAML: Source contains multiple documents');
    const doc = docs[0];
    if (!doc) throw badRequest('error decoding YAML: empty body');
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Nesting depth of yaml's concrete syntax tree, walked with an explicit stack. */
function cstDepth(tokens: readonly CST.Token[]): number {
  let max = 0;
  const stack: [unknown, number][] = tokens.map((t) => [t, 1]);
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [token, depth] = top;
    if (!token || typeof token !== 'object') continue;
    if (depth > max) max = depth;
    const t = token as { items?: { key?: unknown; value?: unknown }[]; value?: unknown };
    if (t.items) for (const item of t.items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
    else if (t.value && typeof t.value === 'object') stack.push([t.value, depth + 1]);
  }
  return max;
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
