import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock, rfc3339 } from '../../meta/clock.js';
import { MemoryStorage } from '../../store/memory.js';
import { Registry } from '../generic.js';
import { buildResources } from './index.js';

function setup() {
  const clock = new FakeClock();
  const registry = new Registry({ storage: new MemoryStorage(), clock, resources: buildResources() });
  return { registry, clock, core: registry.ref('', 'events'), v1: registry.ref('events.k8s.io', 'events') };
}

test('events.k8s.io/v1 events are stored as core events and read back in either form', async () => {
  const { registry, core, v1, clock } = setup();
  const now = rfc3339(clock.now());
  await registry.create(v1, 'default', {
    metadata: { name: 'web-0.1' },
    eventTime: '2026-01-01T00:00:00.000000Z',
    reportingController: 'statefulset-controller',
    reportingInstance: 'kubemock',
    action: 'Create',
    reason: 'SuccessfulCreate',
    type: 'Normal',
    note: 'create Pod web-0 in StatefulSet web successful',
    regarding: { kind: 'StatefulSet', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
    deprecatedCount: 1,
    deprecatedFirstTimestamp: now,
  });
  const stored = await registry.get(core, 'default', 'web-0.1');
  assert.equal(stored.message, 'create Pod web-0 in StatefulSet web successful');
  assert.deepEqual(stored.involvedObject, { kind: 'StatefulSet', namespace: 'default', name: 'web', apiVersion: 'apps/v1' });
  assert.equal(stored.reportingComponent, 'statefulset-controller');
  assert.equal(stored.count, 1);
  assert.equal(stored.firstTimestamp, now);
  assert.equal(stored.note, undefined);
  const asNew = registry.present(v1, stored);
  assert.equal(asNew.apiVersion, 'events.k8s.io/v1');
  assert.equal(asNew.note, stored.message);
  assert.equal(asNew.reportingController, 'statefulset-controller');
  assert.equal(asNew.message, undefined);
  const listed = await registry.list(core, 'default', { fieldSelector: 'involvedObject.name=web,reason=SuccessfulCreate' });
  assert.equal(listed.items.length, 1);
  clock.advance(90_000);
  assert.deepEqual(core.info.strategy.table.cells(stored, clock.now()), [
    '90s', 'Normal', 'SuccessfulCreate', 'statefulset/web', '', 'statefulset-controller, kubemock',
    'create Pod web-0 in StatefulSet web successful', '90s', 1, 'web-0.1',
  ]);
  assert.deepEqual(v1.info.strategy.table.cells(asNew, clock.now()), core.info.strategy.table.cells(stored, clock.now()));
});

test('events.k8s.io/v1 requires the reporting fields', async () => {
  const { registry, v1 } = setup();
  await assert.rejects(registry.create(v1, 'default', { metadata: { name: 'e' }, type: 'Normal', reason: 'X' }), (e: Error) => {
    assert.match(e.message, /eventTime: Required value/);
    assert.match(e.message, /reportingController: Required value/);
    return true;
  });
});
