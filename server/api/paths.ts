import type { Registry } from '../registry/generic.js';
import type { ResourceRef } from '../registry/resource.js';

/** One request's target, parsed from /api/v1/... or /apis/<group>/<version>/... */
export interface ResourceTarget {
  ref: ResourceRef;
  /** '' for cluster-scoped resources and all-namespace collections. */
  namespace: string;
  /** True when the URL named a namespace (a namespaced collection or object). */
  namespaced: boolean;
  name?: string;
  subresource?: string;
  /** The legacy /watch/ path prefix was used. */
  watchPath: boolean;
}

export type ParsedPath =
  | { type: 'resource'; target: ResourceTarget }
  | { type: 'groupVersion'; group: string; version: string }
  | { type: 'group'; group: string }
  | { type: 'notFound' };

/**
 * Percent-decodes a path segment; an escape that is not UTF-8 (%ff) stays as written, so the
 * request ends in an ordinary 404 or validation error rather than a URIError (found by test/fuzz.test.ts).
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Splits a URL path the way kube-apiserver's request info resolver does. */
export function parseResourcePath(registry: Registry, path: string): ParsedPath {
  const segs = path.split('/').filter((s) => s.length > 0).map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length < 2) return { type: 'notFound' };
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 2) return { type: 'group', group: segs[1] };
    if (segs.length < 3) return { type: 'notFound' };
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return { type: 'notFound' };
  if (rest.length === 0) return { type: 'groupVersion', group, version };
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  let namespaced = false;
  if (rest[0] === 'namespaces' && rest.length >= 3 && registry.lookup(group, version, rest[2])?.info.namespaced) {
    namespace = rest[1];
    namespaced = true;
    rest = rest.slice(2);
  }
  const ref = registry.lookup(group, version, rest[0]);
  // a proxy's path goes on past the subresource (kube's RequestInfo keeps it in Parts)
  if (!ref || (rest.length > 3 && rest[2] !== 'proxy')) return { type: 'notFound' };
  if (namespaced !== ref.info.namespaced && namespaced) return { type: 'notFound' };
  return {
    type: 'resource',
    target: { ref, namespace, namespaced, name: rest[1], subresource: rest[2], watchPath },
  };
}
