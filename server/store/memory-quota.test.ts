/** A full store refuses what would add an object, and keeps serving the rest, as a full etcd does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../meta/clock.js';
import { isStatusError } from '../meta/errors.js';
import { Registry } from '../registry/generic.js';
import { buildResources, defaultClusterConfig } from '../registry/kinds/index.js';
import { MemoryStorage } from './memory.js';

test('past --max-objects a create is refused with a 500 naming the limit; updates, deletes and reads go on', async () => {
  const registry = new Registry({ storage: new MemoryStorage(undefined, undefined, { maxObjects: 3 }), clock: new FakeClock(), resources: buildResources(defaultClusterConfig) });
  const cms = registry.ref('', 'configmaps');
  for (const name of ['a', 'b', 'c']) await registry.create(cms, 'default', { metadata: { name } }, {});
  await assert.rejects(registry.create(cms, 'default', { metadata: { name: 'd' } }, {}), (e: unknown) => {
    assert.ok(isStatusError(e) && e.code === 500 && e.reason === 'InternalError');
    assert.equal(e.message, 'Internal error occurred: the store is full: it holds 3 objects, as many as --max-objects allows');
    return true;
  });
  const a = await registry.get(cms, 'default', 'a');
  await registry.update(cms, 'default', 'a', { ...a, data: { k: 'v' } }, {});
  await registry.delete(cms, 'default', 'b', {}, {});
  await registry.create(cms, 'default', { metadata: { name: 'd' } }, {});
  assert.equal((await registry.list(cms, 'default')).items.length, 3);
});
