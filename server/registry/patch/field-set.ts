import { getOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from './json-value.js';
import { listShape, type PatchMetaLookup } from './patch-meta.js';

/**
 * Sets of field paths as structured-merge-diff keeps them for managed fields.
 * A path is a list of path elements written as in FieldsV1: `f:<field>`,
 * `k:<json of the list-map keys>`, `v:<json of a set value>`, `i:<index>`.
 */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

/**
 * A tree, as SMD's fieldpath.Set is: the elements that are members at this level, and a subtree per
 * element with members below it. Every write tracks managed fields through these sets, so the shape
 * matters: FieldsV1 is this same tree, set operations walk shared prefixes once, and an operation that
 * changes nothing returns the set itself, so an untouched manager keeps the FieldsV1 it was read from.
 * Sets are not changed once built; results share untouched subtrees.
 */
export class FieldSet {
  private readonly members = new Set<PathElement>();
  // Never holds an empty subtree, so emptiness is a look at this level only.
  private readonly children = new Map<PathElement, FieldSet>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** For building a new set only. */
  insert(path: FieldPath): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.subtree(path[i]);
    node.members.add(path[path.length - 1]);
  }
  private subtree(pe: PathElement): FieldSet {
    let c = this.children.get(pe);
    if (!c) this.children.set(pe, (c = new FieldSet()));
    return c;
  }
  private parentOf(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (let i = 0; node && i < path.length - 1; i++) node = node.children.get(path[i]);
    return node;
  }
  has(path: FieldPath): boolean {
    return path.length > 0 && this.parentOf(path)?.members.has(path[path.length - 1]) === true;
  }
  get size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.size;
    return n;
  }
  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }
  /** In SMD's order: members before subtrees, each sorted as FieldsV1 sorts them. */
  [Symbol.iterator](): IterableIterator<FieldPath> {
    return this.paths([]);
  }
  private *paths(prefix: PathElement[]): IterableIterator<FieldPath> {
    for (const m of [...this.members].sort(compareElements)) yield [...prefix, m];
    for (const pe of [...this.children.keys()].sort(compareElements)) yield* this.children.get(pe)!.paths([...prefix, pe]);
  }
  union(other: FieldSet): FieldSet {
    if (other.isEmpty() || other === this) return this;
    if (this.isEmpty()) return other;
    const s = this.copy();
    for (const m of other.members) s.members.add(m);
    for (const [pe, o] of other.children) {
      const c = this.children.get(pe);
      s.children.set(pe, c ? c.union(o) : o);
    }
    return s;
  }
  difference(other: FieldSet): FieldSet {
    return this.combine(other, false);
  }
  intersection(other: FieldSet): FieldSet {
    return this.combine(other, true);
  }
  /** Members and subtrees kept where `other` has (intersection) or lacks (difference) them. */
  private combine(other: FieldSet, keepShared: boolean): FieldSet {
    if (!keepShared && (other.isEmpty() || this.isEmpty())) return this;
    const s = new FieldSet();
    let changed = false;
    for (const m of this.members) {
      if (other.members.has(m) === keepShared) s.members.add(m);
      else changed = true;
    }
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      const kept = o ? c.combine(o, keepShared) : keepShared ? undefined : c;
      if (kept !== c) changed = true;
      if (kept && !kept.isEmpty()) s.children.set(pe, kept);
    }
    return changed ? s : this;
  }
  /** Drops the given paths and everything below them (SMD's RecursiveDifference). */
  withoutSubtrees(prefixes: readonly FieldPath[]): FieldSet {
    let s: FieldSet = this;
    for (const p of prefixes) s = p.length === 0 ? new FieldSet() : s.without(p, 0);
    return s;
  }
  private without(path: FieldPath, i: number): FieldSet {
    const pe = path[i];
    const c = this.children.get(pe);
    if (i === path.length - 1) {
      if (!this.members.has(pe) && !c) return this;
      const s = this.copy();
      s.members.delete(pe);
      s.children.delete(pe);
      return s;
    }
    const kept = c?.without(path, i + 1);
    if (kept === c) return this;
    const s = this.copy();
    if (kept!.isEmpty()) s.children.delete(pe);
    else s.children.set(pe, kept!);
    return s;
  }
  private copy(): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) s.members.add(m);
    for (const [pe, c] of this.children) s.children.set(pe, c);
    return s;
  }
  /** True when path or anything below it is in the set. */
  ownsAtOrBelow(path: FieldPath): boolean {
    if (path.length === 0) return !this.isEmpty();
    const parent = this.parentOf(path);
    const last = path[path.length - 1];
    return parent !== undefined && (parent.members.has(last) || parent.children.has(last));
  }

  /** FieldsV1: a member that also has members below it carries ".". */
  toFieldsV1(): FieldsV1 {
    return this.writeFieldsV1({});
  }
  private writeFieldsV1(out: FieldsV1): FieldsV1 {
    const elements = new Set([...this.members, ...this.children.keys()]);
    for (const pe of [...elements].sort(compareElements)) {
      const c = this.children.get(pe);
      const node: FieldsV1 = {};
      if (c && this.members.has(pe)) node['.'] = {};
      setOwn(out, pe, c ? c.writeFieldsV1(node) : node);
    }
    return out;
  }
  static fromFieldsV1(tree: JsonObject): FieldSet | undefined {
    const s = new FieldSet();
    for (const pe of Object.keys(tree)) {
      if (pe === '.') continue;
      const node = tree[pe];
      if (!/^[fkvi]:/.test(pe) || !isJsonObject(node)) return undefined;
      const keys = Object.keys(node);
      if (keys.length === 0 || Object.hasOwn(node, '.')) s.members.add(pe);
      if (keys.some((k) => k !== '.')) {
        const c = FieldSet.fromFieldsV1(node);
        if (!c) return undefined;
        s.children.set(pe, c);
      }
    }
    return s;
  }
}

const ranks: Readonly<Record<string, number>> = { f: 1, k: 2, v: 3, i: 4 };

function elementRank(pe: string): number {
  return pe === '.' ? 0 : ranks[pe[0]] ?? 5;
}

function compareElements(x: PathElement, y: PathElement): number {
  return elementRank(x) - elementRank(y) || (x < y ? -1 : x > y ? 1 : 0);
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
  for (const name of isSorted(shape.keys) ? shape.keys : [...shape.keys].sort()) {
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
  // Only maps and lists have patch metadata: scalars (most of an object) skip the lookup.
  if (isJsonObject(v)) {
    if (meta(fieldNamesOf(path))?.mapType === 'atomic') set.insert(path);
    else visitMap(v, path, meta, set);
  } else if (Array.isArray(v)) {
    const shape = listShape(meta(fieldNamesOf(path)));
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
  for (const key of Object.keys(a)) compareValues(a[key], getOwn(b, key), [...path, fieldElement(key)], meta, c);
  for (const key of Object.keys(b)) if (!Object.hasOwn(a, key)) compareValues(undefined, b[key], [...path, fieldElement(key)], meta, c);
}

/** A value that appeared or vanished whole: SMD marks every node in it, not only the leaves. */
function subtreeInto(v: JsonValue, path: PathElement[], meta: PatchMetaLookup, into: FieldSet): void {
  into.insert(path);
  if (isJsonObject(v)) {
    if (meta(fieldNamesOf(path))?.mapType === 'atomic') return;
    for (const key of Object.keys(v)) subtreeInto(v[key], [...path, fieldElement(key)], meta, into);
  } else if (Array.isArray(v)) {
    const shape = listShape(meta(fieldNamesOf(path)));
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
  const bothMaps = isJsonObject(a) && isJsonObject(b);
  const bothLists = Array.isArray(a) && Array.isArray(b);
  // Most of what a write compares is unchanged (metadata on a status write): equal values need no walk.
  if ((bothMaps || bothLists) && (a === b || jsonEqual(a, b))) return;
  const m = bothMaps || bothLists ? meta(fieldNamesOf(path)) : undefined;
  if (bothMaps && m?.mapType !== 'atomic') return compareMaps(a, b, path, meta, c);
  const shape = listShape(m);
  if (bothLists && shape.type !== 'atomic') {
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

/**
 * The FieldsV1 below a value that appeared whole, as JSON text written straight from it: what
 * subtreeInto's set encodes to (every node a member, "." on members with members below), without
 * building the set. Text, because a create records this for each top-level field and the same
 * structure recurs (every pod of a StatefulSet): the caller keeps one object per distinct text.
 */
export function addedFieldsV1Json(v: JsonValue, names: string[], meta: PatchMetaLookup): string {
  // `names` is a stack, pushed and popped around each field: a create walks every field of the object
  if (isJsonObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0 || meta(names)?.mapType === 'atomic') return '{}';
    sortStrings(keys);
    let out = '{".":{}';
    for (const key of keys) {
      const child = v[key];
      if (child === null || typeof child !== 'object') {
        out += `,${quotedField(key)}:{}`;
        continue;
      }
      names.push(key);
      out += `,${quotedField(key)}:${addedFieldsV1Json(child, names, meta)}`;
      names.pop();
    }
    return `${out}}`;
  }
  if (!Array.isArray(v)) return '{}';
  const shape = listShape(meta(names));
  if (shape.type === 'atomic' || v.length === 0) return '{}';
  const items = new Map<PathElement, string>();
  for (let i = 0; i < v.length; i++) {
    const item = v[i];
    const pe = listItemElement(item, shape) ?? `i:${i}`;
    const node = shape.type === 'map' && isJsonObject(item) ? addedFieldsV1Json(item, names, meta) : '{}';
    const seen = items.get(pe);
    // a list holding one key twice: both items' fields, as the set would hold them
    items.set(pe, seen === undefined ? node : JSON.stringify(mergeFieldsV1(JSON.parse(seen) as FieldsV1, JSON.parse(node) as FieldsV1)));
  }
  let out = '{".":{}';
  for (const pe of items.size > 1 ? [...items.keys()].sort(compareElements) : items.keys()) out += `,${JSON.stringify(pe)}:${items.get(pe)!}`;
  return `${out}}`;
}

/** `"f:name"` as JSON text; field names recur on every create, so each is quoted once (a bounded cache: label keys are anyone's). */
export function quotedField(name: string): string {
  let q = quotedFields.get(name);
  if (q === undefined) {
    if (quotedFields.size >= 4096) quotedFields.clear();
    q = JSON.stringify(fieldElement(name));
    quotedFields.set(name, q);
  }
  return q;
}

const quotedFields = new Map<string, string>();

/**
 * Sorts in place as Array.prototype.sort() does (by UTF-16 code units). Insertion sort for the few
 * keys of an object: V8's sort allocates a work array on every call, a fifth of a create's garbage.
 */
export function sortStrings(a: string[]): string[] {
  if (a.length > 16) return a.sort();
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i - 1;
    for (; j >= 0 && a[j] > x; j--) a[j + 1] = a[j];
    a[j + 1] = x;
  }
  return a;
}

function isSorted(a: readonly string[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1] > a[i]) return false;
  return true;
}

/** Two FieldsV1 trees of the same path as one (a list holding one key twice), keys in order. */
function mergeFieldsV1(a: FieldsV1, b: FieldsV1): FieldsV1 {
  const out: FieldsV1 = {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareElements)) {
    const x = getOwn(a, k) as FieldsV1 | undefined;
    const y = getOwn(b, k) as FieldsV1 | undefined;
    setOwn(out, k, x && y ? mergeFieldsV1(x, y) : (x ?? y)!);
  }
  return out;
}

/** FieldsV1 as stored in managedFields: nested objects, "." marking a member that also has children. */
export type FieldsV1 = { [element: string]: FieldsV1 };

export function encodeFieldsV1(set: FieldSet): FieldsV1 {
  return set.toFieldsV1();
}

export function decodeFieldsV1(tree: unknown): FieldSet | undefined {
  return isJsonObject(tree) ? FieldSet.fromFieldsV1(tree) : undefined;
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
