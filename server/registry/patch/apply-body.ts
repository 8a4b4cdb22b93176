import { parseDocument } from 'yaml';
import { badRequest } from '../../meta/errors.js';
import { cloneJson, type JsonValue } from './json-value.js';

/**
 * Decodes an application/apply-patch+yaml body. kubectl sends JSON, which is
 * YAML too; other clients send YAML. Like sigs.k8s.io/yaml (go-yaml v2) this
 * resolves `<<` merge keys and, when decoding leniently, lets a repeated key
 * win; with fieldValidation=Strict a repeated key is a 400, as kube's
 * UnmarshalStrict reports it.
 */
export function decodeApplyBody(body: unknown, strict: boolean): JsonValue {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return cloneJson(body);
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) throw badRequest(`error decoding YAML: ${doc.errors[0].message}`);
  if (strict) {
    const dup = findDuplicateKey(text);
    if (dup) throw badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line ${dup.line}: key ${JSON.stringify(dup.key)} already set in map`);
  }
  return cloneJson(doc.toJS({ maxAliasCount: 100 }));
}

/** The first key repeated within one mapping, found with yaml's own strict parser. */
function findDuplicateKey(text: string): { key: string; line: number } | undefined {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  const err = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (!err) return undefined;
  const m = /Map keys must be unique/.exec(err.message);
  const line = err.linePos?.[0]?.line ?? 0;
  const keyText = m ? text.split('\n')[line - 1]?.trim().split(':')[0]?.replace(/^["'{,\s-]+|["'\s]+$/g, '') ?? '' : '';
  return { key: keyText, line };
}

/** A JSON body given as text (the registry may hand over raw bytes). */
export function decodeJsonBody(body: unknown): JsonValue {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return cloneJson(body);
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  try {
    return cloneJson(JSON.parse(text));
  } catch (e) {
    throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
}
