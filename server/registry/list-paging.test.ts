/** Paged lists read one state, as kube's pages read the first page's revision, until it is compacted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../meta/clock.js';
import { isStatusError } from '../meta/errors.js';
import { MemoryStorage } from '../store/memory.js';
import { Registry } from './generic.js';
import { buildResources, defaultClusterConfig } from './kinds/index.js';

test('later pages see the state of the first page; after five minutes the token is 410 with an inconsistent one', async () => {
  const clock = new FakeClock();
  const registry = new Registry({ storage: new MemoryStorage(), clock, resources: buildResources(defaultClusterConfig) });
  const cms = registry.ref('', 'configmaps');
  for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) await registry.create(cms, 'default', { metadata: { name }, data: { v: '1' } }, {});
  const names = (items: { metadata: { name?: string } }[]): (string | undefined)[] => items.map((o) => o.metadata.name);

  const first = await registry.list(cms, 'default', { limit: 2 });
  assert.deepEqual(names(first.items), ['c1', 'c2']);
  await registry.create(cms, 'default', { metadata: { name: 'c25' } }, {});
  await registry.delete(cms, 'default', 'c4', {}, {});
  const c3 = await registry.get(cms, 'default', 'c3');
  await registry.update(cms, 'default', 'c3', { ...c3, data: { v: '2' } }, {});
  const second = await registry.list(cms, 'default', { limit: 2, continue: first.continue });
  assert.deepEqual(names(second.items), ['c3', 'c4'], 'neither the new c25 nor the deletion of c4');
  assert.equal((second.items[0] as { data?: { v?: string } }).data?.v, '1', 'c3 as it was');
  assert.equal(second.resourceVersion, first.resourceVersion);
  const third = await registry.list(cms, 'default', { limit: 2, continue: second.continue });
  assert.deepEqual(names(third.items), ['c5']);
  assert.equal(third.continue, undefined);

  clock.advance(5 * 60_000 + 1);
  let fresh: string | undefined;
  await assert.rejects(registry.list(cms, 'default', { limit: 2, continue: first.continue }), (e: unknown) => {
    assert.ok(isStatusError(e) && e.code === 410 && e.reason === 'Expired');
    assert.match(e.message, /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token/);
    fresh = e.status.metadata?.continue;
    return true;
  });
  assert.ok(fresh);
  const inconsistent = await registry.list(cms, 'default', { limit: 10, continue: fresh });
  assert.deepEqual(names(inconsistent.items), ['c25', 'c3', 'c5'], 'the current state after c2');
  assert.equal(inconsistent.resourceVersion, String(registry.storage.currentResourceVersion()));
});
