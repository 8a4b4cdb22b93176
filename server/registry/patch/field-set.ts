import { getOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from './json-value.js';
import { listShape, type PatchMetaLookup } from './patch-meta.js';

/**
 * Sets of field paths as structured-merge-diff keeps them for managed fields.
 * A path is a list of path elements written as in FieldsV1: `f:<field>`,
 * `k:<json of the list-map keys>`, `v:<json of a set value>`, `i:<index>`.
 * The set stores each path as its JSON text so plain Set operations work.
 */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

export class FieldSet {
  // Keyed by the path's JSON text (so set operations are plain Map look-ups) with the path itself
  // kept beside it: iterating never re-parses and combining sets never re-stringifies. Every write
  // tracks managed fields through these sets, so this is on the create/update hot path.
  private readonly paths = new Map<string, FieldPath>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldPath): void {
    this.paths.set(JSON.stringify(path), path);
  }
  has(path: FieldPath): boolean {
    return this.paths.has(JSON.stringify(path));
  }
  get size(): number {
    return this.paths.size;
  }
  isEmpty(): boolean {
    return this.paths.size === 0;
  }
  [Symbol.iterator](): IterableIterator<FieldPath> {
    return this.paths.values();
  }
  union(other: FieldSet): FieldSet {
    const s = this.filtered(() => true);
    for (const [k, p] of other.paths) s.paths.set(k, p);
    return s;
  }
  difference(other: FieldSet): FieldSet {
    return this.filtered((k) => !other.paths.has(k));
  }
  intersection(other: FieldSet): FieldSet {
    return this.filtered((k) => other.paths.has(k));
  }
  /** Drops the given paths and everything below them (SMD's RecursiveDifference). */
  withoutSubtrees(prefixes: readonly FieldPath[]): FieldSet {
    return this.filtered((_, p) => !prefixes.some((pre) => isPrefix(pre, p)));
  }
  /** True when path or anything below it is in the set. */
  ownsAtOrBelow(path: FieldPath): boolean {
    for (const p of this) if (isPrefix(path, p)) return true;
    return false;
  }
  private filtered(keep: (key: string, path: FieldPath) => boolean): FieldSet {
    const s = new FieldSet();
    for (const [k, p] of this.paths) if (keep(k, p)) s.paths.set(k, p);
    return s;
  }
}

export function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((e, i) => path[i] === e);
}

/** Field names on the path, the form PatchMetaLookup takes (list items are transparent). */
export function fieldNamesOf(path: FieldPath): string[] {
  return path.filter((e) => e.startsWith('f:')).map((e) => e.slice(2));
}

export const fieldElement = (name: string): PathElement => `f:${name}`;

/** Identity of one item of a non-atomic list; undefined when the item cannot be keyed. */
export function listItemElement(item: JsonValue, shape: ReturnType<typeof listShape>): PathElement | undefined {
  if (shape.type === 'set') return `v:${JSON.stringify(item)}`;
  if (shape.type !== 'map' || !isJsonObject(item) || shape.keys.length === 0) return undefined;
  const key: JsonObject = {};
  for (const name of [...shape.keys].sort()) {
    let v = getOwn(item, name);
    // The schemas default the "protocol" key of ports, so a port without it is still keyed.
    if (v === undefined && name === 'protocol') v = 'TCP';
    if (v === undefined) continue;
    key[name] = v;
  }
  return Object.keys(key).length ? `k:${JSON.stringify(key)}` : undefined;
}

/** Walks a list the way SMD does: keyed items by their key, the rest by index. */
export function listItems(list: JsonValue[], shape: ReturnType<typeof listShape>): { pe: PathElement; item: JsonValue }[] {
  return list.map((item, i) => ({ pe: listItemElement(item, shape) ?? `i:${i}`, item }));
}

/** The fields a (partial) object sets: SMD's ToFieldSet. */
export function toFieldSet(obj: JsonObject, meta: PatchMetaLookup): FieldSet {
  const set = new FieldSet();
  visitMap(obj, [], meta, set);
  return set;
}

function visitMap(obj: JsonObject, path: PathElement[], meta: PatchMetaLookup, set: FieldSet): void {
  for (const key of Object.keys(obj)) {
    const child = [...path, fieldElement(key)];
    const v = obj[key];
    visitValue(v, child, meta, set);
    if (v === null || (isJsonObject(v) && Object.keys(v).length === 0)) set.insert(child);
  }
}

function visitValue(v: JsonValue, path: PathElement[], meta: PatchMetaLookup, set: FieldSet): void {
  const m = meta(fieldNamesOf(path));
  if (isJsonObject(v)) {
    if (m?.mapType === 'atomic') set.insert(path);
    else visitMap(v, path, meta, set);
  } else if (Array.isArray(v)) {
    const shape = listShape(m);
    if (shape.type === 'atomic') {
      set.insert(path);
      return;
    }
    for (const { pe, item } of listItems(v, shape)) {
      const itemPath = [...path, pe];
      if (isJsonObject(item) && shape.type === 'map') visitMap(item, itemPath, meta, set);
      set.insert(itemPath);
    }
  } else {
    set.insert(path);
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed between two objects, path by path (SMD's TypedValue.Compare). */
export function compareObjects(before: JsonObject, after: JsonObject, meta: PatchMetaLookup): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareMaps(before, after, [], meta, c);
  return c;
}

function compareMaps(a: JsonObject, b: JsonObject, path: PathElement[], meta: PatchMetaLookup, c: Comparison): void {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const child = [...path, fieldElement(key)];
    compareValues(getOwn(a, key), getOwn(b, key), child, meta, c);
  }
}

/** A value that appeared or vanished whole: SMD marks every node in it, not only the leaves. */
function subtreeInto(v: JsonValue, path: PathElement[], meta: PatchMetaLookup, into: FieldSet): void {
  into.insert(path);
  const m = meta(fieldNamesOf(path));
  if (isJsonObject(v) && m?.mapType !== 'atomic') {
    for (const key of Object.keys(v)) subtreeInto(v[key], [...path, fieldElement(key)], meta, into);
  } else if (Array.isArray(v)) {
    const shape = listShape(m);
    if (shape.type === 'atomic') return;
    for (const { pe, item } of listItems(v, shape)) {
      if (isJsonObject(item) && shape.type === 'map') subtreeInto(item, [...path, pe], meta, into);
      else into.insert([...path, pe]);
    }
  }
}

function compareValues(a: JsonValue | undefined, b: JsonValue | undefined, path: PathElement[], meta: PatchMetaLookup, c: Comparison): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) return subtreeInto(b as JsonValue, path, meta, c.added);
  if (b === undefined) return subtreeInto(a, path, meta, c.removed);
  const m = meta(fieldNamesOf(path));
  if (isJsonObject(a) && isJsonObject(b) && m?.mapType !== 'atomic') return compareMaps(a, b, path, meta, c);
  const shape = listShape(m);
  if (Array.isArray(a) && Array.isArray(b) && shape.type !== 'atomic') {
    const before = new Map(listItems(a, shape).map(({ pe, item }) => [pe, item]));
    const after = new Map(listItems(b, shape).map(({ pe, item }) => [pe, item]));
    for (const pe of new Set([...before.keys(), ...after.keys()])) {
      const x = before.get(pe);
      const y = after.get(pe);
      const itemPath = [...path, pe];
      if (shape.type === 'map' && isJsonObject(x) && isJsonObject(y)) compareMaps(x, y, itemPath, meta, c);
      else compareValues(x, y, itemPath, meta, c);
    }
    return;
  }
  if (!jsonEqual(a, b)) c.modified.insert(path);
}

/** FieldsV1 as stored in managedFields: nested objects, "." marking a member that also has children. */
export type FieldsV1 = { [element: string]: FieldsV1 };

export function encodeFieldsV1(set: FieldSet): FieldsV1 {
  const root: FieldsV1 = {};
  // The tree nodes that are members themselves (not only parents of members), kept by identity
  // so that sorting needs no path strings: this runs on every tracked write.
  const members = new Set<FieldsV1>();
  for (const path of set) {
    let node = root;
    for (const pe of path) {
      if (!Object.hasOwn(node, pe)) setOwn(node, pe, {});
      node = node[pe];
    }
    members.add(node);
  }
  return sortTree(root, true, members);
}

function elementRank(pe: string): number {
  return pe === '.' ? 0 : ({ f: 1, k: 2, v: 3, i: 4 } as Record<string, number>)[pe[0]] ?? 5;
}

function sortTree(node: FieldsV1, isRoot: boolean, members: Set<FieldsV1>): FieldsV1 {
  const out: FieldsV1 = {};
  const keys = Object.keys(node);
  if (keys.length && !isRoot && members.has(node)) out['.'] = {};
  keys.sort((x, y) => elementRank(x) - elementRank(y) || (x < y ? -1 : x > y ? 1 : 0));
  for (const k of keys) setOwn(out, k, sortTree(node[k], false, members));
  return out;
}

export function decodeFieldsV1(tree: unknown): FieldSet | undefined {
  if (!isJsonObject(tree)) return undefined;
  const set = new FieldSet();
  const walk = (node: JsonObject, path: string[]): boolean => {
    const keys = Object.keys(node);
    if (path.length && (keys.length === 0 || keys.includes('.'))) set.insert(path);
    for (const k of keys) {
      if (k === '.') continue;
      if (!/^[fkvi]:/.test(k)) return false;
      const child = node[k];
      if (!isJsonObject(child) || !walk(child, [...path, k])) return false;
    }
    return true;
  };
  return walk(tree, []) ? set : undefined;
}

/** A path as kube prints it in conflicts: .spec.template.spec.containers[name="web"].image */
export function pathString(path: FieldPath): string {
  return path.map((pe) => {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        return `.${body}`;
      case 'k': {
        const key = JSON.parse(body) as JsonObject;
        return `[${Object.keys(key).map((k) => `${k}=${JSON.stringify(key[k])}`).join(',')}]`;
      }
      case 'v':
        return `[=${body}]`;
      default:
        return `[${body}]`;
    }
  }).join('');
}
