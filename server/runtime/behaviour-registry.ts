import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Behaviour, BehaviourMap } from './behaviour.js';
import { importModule } from './import-module.js';

/** The image reference without registry, `library/` and tag/digest: `docker.io/library/nginx:1.27` → `nginx`. */
export function imageRepository(image: string): string {
  let ref = image.split('@')[0];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  const parts = ref.split('/');
  // a first component with a dot, a colon or "localhost" is a registry host
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0])) parts.shift();
  if (parts[0] === 'library' && parts.length > 1) parts.shift();
  return parts.join('/');
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

interface Entry {
  pattern: string;
  re: RegExp;
  behaviour: Behaviour;
}

/**
 * Behaviours by image pattern. Later registrations win over earlier ones, so user modules loaded after
 * the built-ins override them; among one batch a longer pattern wins over a shorter one.
 */
export class BehaviourRegistry {
  private entries: Entry[] = [];

  constructor(private readonly fallback: Behaviour) {}

  add(map: BehaviourMap): this {
    const batch = Object.entries(map)
      .map(([pattern, behaviour]) => ({ pattern, re: globToRegExp(pattern), behaviour }))
      .sort((a, b) => a.pattern.length - b.pattern.length);
    this.entries.push(...batch);
    return this;
  }

  /** The behaviour for an image: the last matching pattern, else the fallback. */
  forImage(image: string): Behaviour {
    const candidates = [image, image.split('@')[0], imageRepository(image), `${imageRepository(image)}:${tagOf(image)}`];
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (candidates.some((c) => e.re.test(c))) return e.behaviour;
    }
    return this.fallback;
  }
}

function tagOf(image: string): string {
  const ref = image.split('@')[0];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'latest';
}

function isBehaviour(v: unknown): v is Behaviour {
  return typeof v === 'object' && v !== null && typeof (v as { start?: unknown }).start === 'function';
}

/**
 * Loads a `--behaviours FILE` module: its default export or its `behaviours` export, an object mapping
 * image patterns to behaviours. Throws with the offending pattern when an entry has no start().
 */
export async function loadBehaviourModule(path: string): Promise<BehaviourMap> {
  const url = pathToFileURL(resolve(path)).href;
  // TypeScript modules load through tsx, so users need no build step of their own.
  type Exports = { default?: unknown; behaviours?: unknown };
  const tsx = (): Promise<typeof import('tsx/esm/api')> => importModule('tsx/esm/api');
  let mod = (/\.[cm]?ts$/.test(path) ? await (await tsx()).tsImport(url, import.meta.url) : await importModule(url)) as Exports;
  // A .ts file outside an ESM package ("type": "module") loads as CommonJS: all its exports arrive as the default export.
  const inner = mod.default as (Exports & { __esModule?: unknown }) | undefined;
  if (typeof inner === 'object' && inner !== null && inner.__esModule === true) mod = inner;
  const exported = mod.behaviours ?? mod.default;
  if (typeof exported !== 'object' || exported === null) {
    throw new Error(`${path}: expected a default export (or an export named "behaviours") mapping image patterns to behaviours`);
  }
  const out: BehaviourMap = {};
  for (const [pattern, b] of Object.entries(exported)) {
    if (!isBehaviour(b)) throw new Error(`${path}: behaviour for "${pattern}" has no start() function`);
    out[pattern] = b;
  }
  return out;
}
