import assert from 'node:assert/strict';
import { test } from 'node:test';
import express from 'express';
import request from 'supertest';
import { createAdminRouter } from './admin-router.js';
import type { FailureInjection } from './index.js';
import { NodePool } from './node-pool.js';

function recordingFailures(calls: string[]): FailureInjection {
  const rec = (name: string) => async (...args: unknown[]): Promise<void> => {
    calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(',')})`);
  };
  return {
    crashContainer: async (...args) => {
      await rec('crashContainer')(...args);
      return [];
    },
    recoverPod: rec('recoverPod'), setPodReady: rec('setPodReady'), stopNode: rec('stopNode'), startNode: rec('startNode'), deleteNode: rec('deleteNode'),
    crashNode: async (n) => {
      if (n === 'nope') throw new Error('node nope is not a simulated node');
      calls.push(`crashNode("${n}")`);
    },
    nodeOf: () => undefined,
  };
}

test('admin routes call the failure functions', async () => {
  const calls: string[] = [];
  const app = express().use(createAdminRouter(recordingFailures(calls), new NodePool({ count: 2, podCidr: '127.10.0.0/16', kubeletVersion: 'v1.32.9' })));
  const nodes = await request(app).get('/kubemock/v1/nodes').expect(200);
  assert.deepEqual(nodes.body.nodes.map((n: { name: string }) => n.name), ['kubemock-worker-1', 'kubemock-worker-2']);
  await request(app).post('/kubemock/v1/nodes/kubemock-worker-2/crash').expect(200);
  await request(app).post('/kubemock/v1/nodes/kubemock-worker-2/stop').expect(200);
  await request(app).post('/kubemock/v1/namespaces/default/pods/web-0/crash').send({ container: 'c0', loop: true }).expect(200);
  await request(app).post('/kubemock/v1/namespaces/default/pods/web-0/unready').expect(200);
  await request(app).post('/kubemock/v1/namespaces/default/pods/web-0/ready').expect(200);
  await request(app).post('/kubemock/v1/namespaces/default/pods/web-0/recover').expect(200);
  assert.deepEqual(calls, [
    'crashNode("kubemock-worker-2")',
    'stopNode("kubemock-worker-2")',
    'crashContainer("default","web-0","c0",{"loop":true})',
    'setPodReady("default","web-0",false)',
    'setPodReady("default","web-0",true)',
    'recoverPod("default","web-0")',
  ]);
  const bad = await request(app).post('/kubemock/v1/nodes/nope/crash').expect(404);
  assert.equal(bad.body.message, 'node nope is not a simulated node');
  await request(app).post('/kubemock/v1/nodes/kubemock-worker-1/explode').expect(400);
});
