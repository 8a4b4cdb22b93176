/** The registry's watch as kube's Cacher serves it: bookmarks, WatchList, versions from the future. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../meta/clock.js';
import { isStatusError } from '../meta/errors.js';
import { MemoryStorage } from '../store/memory.js';
import { Registry, type RegistryWatchEvent } from './generic.js';
import { buildResources, defaultClusterConfig } from './kinds/index.js';

function setup(): { registry: Registry; clock: FakeClock; cm: (name: string) => Promise<string> } {
  const clock = new FakeClock();
  const registry = new Registry({ storage: new MemoryStorage(), clock, resources: buildResources(defaultClusterConfig) });
  const cm = async (name: string): Promise<string> => (await registry.create(registry.ref('', 'configmaps'), 'default', { metadata: { name } }, {})).metadata.resourceVersion!;
  return { registry, clock, cm };
}

const describe = (e: RegistryWatchEvent): string => e.type === 'BOOKMARK'
  ? `BOOKMARK ${e.resourceVersion}${e.initialEventsEnd ? ' end' : ''}`
  : e.type === 'ERROR' ? `ERROR ${e.error.code}` : `${e.type} ${e.object.metadata.name}`;

test('periodic bookmarks carry the store\'s newest version, and only once it has passed what the watcher holds', async () => {
  const { registry, clock, cm } = setup();
  const start = await cm('before');
  const seen: string[] = [];
  const w = registry.watch(registry.ref('', 'configmaps'), 'default', { resourceVersion: start, allowWatchBookmarks: true, bookmarkIntervalMs: 1000, labelSelector: 'app=x' }, (e) => seen.push(describe(e)));
  clock.advance(1000);
  assert.deepEqual(seen, [], 'nothing moved: no bookmark');
  const other = (await registry.create(registry.ref('', 'secrets'), 'default', { metadata: { name: 's' } }, {})).metadata.resourceVersion!;
  await cm('not-matching');
  const newest = String(registry.storage.currentResourceVersion());
  assert.ok(Number(newest) > Number(other));
  clock.advance(1000);
  assert.deepEqual(seen, [`BOOKMARK ${newest}`], 'writes this watcher does not see still move it on');
  clock.advance(3000);
  assert.deepEqual(seen, [`BOOKMARK ${newest}`]);
  w.stop();
  assert.equal(clock.pendingTimers(), 0, 'stop cancels the bookmark timer');
});

test('WatchList replays the current state from any version; its end bookmark needs allowWatchBookmarks', async () => {
  const { registry, cm } = setup();
  const first = await cm('b');
  await cm('a');
  const current = String(registry.storage.currentResourceVersion());
  const seen: string[] = [];
  registry.watch(registry.ref('', 'configmaps'), 'default', { resourceVersion: first, resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, allowWatchBookmarks: true }, (e) => seen.push(describe(e))).stop();
  assert.deepEqual(seen, ['ADDED a', 'ADDED b', `BOOKMARK ${current} end`]);
  const quiet: string[] = [];
  registry.watch(registry.ref('', 'configmaps'), 'default', { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' }, (e) => quiet.push(describe(e))).stop();
  assert.deepEqual(quiet, ['ADDED a', 'ADDED b']);
});

test('a watch from a version the store has not reached waits up to 3 s for it, then is the Cacher\'s 504', async () => {
  const { registry, clock, cm } = setup();
  const now = registry.storage.currentResourceVersion();
  const seen: string[] = [];
  const w = registry.watch(registry.ref('', 'configmaps'), 'default', { resourceVersion: String(now + 1) }, (e) => seen.push(describe(e)));
  clock.advance(500);
  await cm('arrives');
  await cm('after');
  clock.advance(100);
  assert.deepEqual(seen, ['ADDED after'], 'once the store reaches the version, the watch goes on from it');
  w.stop();
  const errors: RegistryWatchEvent[] = [];
  const ahead = registry.storage.currentResourceVersion() + 5;
  registry.watch(registry.ref('', 'configmaps'), 'default', { resourceVersion: String(ahead) }, (e) => errors.push(e));
  clock.advance(2900);
  assert.equal(errors.length, 0);
  clock.advance(100);
  const e = errors[0] as RegistryWatchEvent | undefined;
  assert.ok(e?.type === 'ERROR' && e.error.code === 504 && e.error.reason === 'Timeout');
  assert.equal(e.error.message, `Timeout: Too large resource version: ${ahead}, current: ${ahead - 5}`);
  assert.equal(clock.pendingTimers(), 0);
});
