import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import type { KubeObject } from '../meta/types.js';
import { ControllerHarness } from '../../test/helpers/controller-harness.js';
import { core } from './client.js';
import { correlatorDefaults, eventRecorder, type EventRecorder } from './events.js';

let h: ControllerHarness;
let recorder: EventRecorder;
const sts = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' } } as KubeObject;
const ref = { kind: 'StatefulSet', apiVersion: 'apps/v1' };

async function events(): Promise<(Event & KubeObject)[]> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  return (await h.list(core('events'))) as (Event & KubeObject)[];
}

describe('event recorder (client-go EventCorrelator)', () => {
  beforeEach(() => {
    h = new ControllerHarness();
    recorder = eventRecorder(h.client, h.clock, pino({ level: 'silent' }), 'statefulset-controller');
  });
  afterEach(() => h.stop());

  it('a repeat bumps count and lastTimestamp of the Event already written', async () => {
    recorder.event(sts, ref, 'Warning', 'FailedCreate', 'quota exceeded');
    h.clock.advance(5_000);
    recorder.event(sts, ref, 'Warning', 'FailedCreate', 'quota exceeded');
    const [e, ...rest] = await events();
    assert.equal(rest.length, 0);
    assert.equal(e.count, 2);
    assert.equal(e.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(e.lastTimestamp, '2026-01-01T00:00:05Z');
    assert.equal(e.involvedObject.name, 'web');
    // client-go: `<object>.%x` of the time in nanoseconds
    assert.match(e.metadata.name!, /^web\.[0-9a-f]{16}$/);
    assert.equal(BigInt(`0x${e.metadata.name!.slice(4)}`) / 1_000_000n, BigInt(Date.parse('2026-01-01T00:00:00Z')));
  });

  it('the 10th distinct message for one object and reason starts one combined Event', async () => {
    for (let i = 0; i < 12; i++) recorder.event(sts, ref, 'Normal', 'SuccessfulCreate', `create Pod web-${i} in StatefulSet web successful`);
    const all = await events();
    const single = all.filter((e) => !e.message!.startsWith('(combined'));
    const combined = all.filter((e) => e.message!.startsWith('(combined'));
    assert.equal(single.length, correlatorDefaults.aggregateMaxEvents - 1);
    assert.equal(combined.length, 1);
    assert.equal(combined[0].count, 3);
    assert.equal(combined[0].message, '(combined from similar events): create Pod web-11 in StatefulSet web successful');
  });

  it('a source writes at most 25 Events about one object, then one per 5 minutes', async () => {
    for (let i = 0; i < 100; i++) recorder.event(sts, ref, 'Normal', `Reason${i}`, 'm');
    assert.equal((await events()).length, correlatorDefaults.spamBurst);
    h.clock.advance(300_000);
    recorder.event(sts, ref, 'Normal', 'Late', 'after five minutes');
    recorder.event(sts, ref, 'Normal', 'Later', 'no token left');
    const after = await events();
    assert.equal(after.length, correlatorDefaults.spamBurst + 1);
    assert.ok(after.some((e) => e.reason === 'Late'));
    // another object has its own allowance
    recorder.event({ metadata: { name: 'db', namespace: 'default', uid: 'u-2' } } as KubeObject, ref, 'Normal', 'SuccessfulCreate', 'x');
    assert.equal((await events()).length, correlatorDefaults.spamBurst + 2);
  });
});
