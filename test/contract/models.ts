/**
 * Upstream Kubernetes schemas through kubernetes-models: `new StatefulSet(obj).validate()` for every object
 * a response carries. Those validators check types, enums and required fields as the upstream OpenAPI
 * has them (they do not reject unknown fields: the strict OpenAPI check in document.ts does).
 */
import { createRequire } from 'node:module';
import { parseGvk } from './document.js';

interface ModelClass {
  new (data: unknown): { validate(): void };
}

const require = createRequire(import.meta.url);
const cache = new Map<string, ModelClass | null>();

/** The kubernetes-models class for apiVersion/kind (e.g. kubernetes-models/apps/v1/StatefulSet), or null when it has none. */
export function modelFor(apiVersion: string, kind: string): ModelClass | null {
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    const { group, version } = parseGvk(apiVersion, kind);
    const id = `kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`;
    let model: ModelClass | null = null;
    try {
      const mod = require(id) as Record<string, unknown>;
      model = (mod[kind] as ModelClass | undefined) ?? null;
    } catch {
      model = null;
    }
    cache.set(key, model);
  }
  return cache.get(key) ?? null;
}

/** undefined when valid (or no upstream model exists: see hasModel), otherwise the validator's message. */
export function upstreamViolation(apiVersion: string, kind: string, object: unknown): string | undefined {
  const Model = modelFor(apiVersion, kind);
  if (!Model) return undefined;
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
