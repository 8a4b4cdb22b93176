import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DurableStorage } from './durable.js';
import type { StorageEvent } from './storage.js';

const key = (name: string) => ({ prefix: 'core/configmaps', namespace: 'default', name });

test('objects, deletions and the resourceVersion survive a reopen; compaction keeps them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'durable-'));
  try {
    const s1 = await DurableStorage.open(dir, { compactAfterRecords: 10 });
    for (let i = 0; i < 25; i++) await s1.create(key(`c${i}`), { metadata: { name: `c${i}` }, data: { i: String(i) } });
    await s1.delete(key('c3'));
    const rv = s1.currentResourceVersion();
    await s1.close();
    const snapshot = JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8')) as { objects: unknown[] };
    assert.ok(snapshot.objects.length > 0, 'the log was compacted into a snapshot');

    const s2 = await DurableStorage.open(dir);
    assert.equal((await s2.list('core/configmaps')).items.length, 24);
    assert.equal(await s2.get(key('c3')), undefined);
    assert.equal(s2.currentResourceVersion(), rv);
    const next = await s2.create(key('after'), { metadata: { name: 'after' } });
    assert.ok(Number(next.metadata.resourceVersion) > rv);
    await s2.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a torn last record is dropped, and watchers hear of a write only once it is durable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'durable-'));
  try {
    const s1 = await DurableStorage.open(dir);
    const events: StorageEvent[] = [];
    s1.watch('core/configmaps', undefined, undefined, (e) => events.push(e));
    const pending = s1.create(key('a'), { metadata: { name: 'a' } });
    assert.equal(events.length, 0, 'no event before fsync');
    await pending;
    assert.equal(events.length, 1);
    await s1.close();
    await appendFile(join(dir, 'wal.log'), '{"o":"put","k":["core/configmaps","default","torn"],"v":{"metad');
    const s2 = await DurableStorage.open(dir);
    assert.deepEqual((await s2.list('core/configmaps')).items.map((o) => o.metadata.name), ['a']);
    await s2.create(key('b'), { metadata: { name: 'b' } });
    await s2.close();
    const s3 = await DurableStorage.open(dir);
    assert.deepEqual((await s3.list('core/configmaps')).items.map((o) => o.metadata.name).sort(), ['a', 'b']);
    await s3.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
