import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { FakeClock } from '../meta/clock.js';
import { readOpenapiFile } from '../schema/openapi-files.js';
import { createOpenApiRouter } from './openapi.js';

function app(readFile = readOpenapiFile) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const a = express();
  a.use(createOpenApiRouter({ clock, readFile }));
  return a;
}

interface Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

describe('openapi router', () => {
  it('reads nothing until the first request', async () => {
    const reads: string[] = [];
    const a = app((file) => {
      reads.push(file);
      return readOpenapiFile(file);
    });
    assert.deepEqual(reads, []);
    await request(a).get('/openapi/v3').expect(200);
    assert.deepEqual(reads, ['v3/index.json']);
  });

  it('serves the discovery document and each group-version by its hashed URL, immutable', async () => {
    const a = app();
    const index = await request(a).get('/openapi/v3').expect(200).expect('Content-Type', /application\/json/);
    const paths = (index.body as Index).paths;
    assert.ok(paths['api/v1'], 'api/v1 is listed');
    const url = paths['api/v1'].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    const doc = await request(a).get(url).set('Accept', 'application/json').expect(200);
    assert.equal(doc.headers['cache-control'], 'public, immutable');
    assert.equal(doc.headers.expires, new Date(Date.UTC(2027, 0, 1)).toUTCString());
    assert.equal(doc.headers.etag, `"${url.split('hash=')[1]}"`);
    assert.equal(doc.body.openapi, '3.0.0');
    assert.ok(doc.body.paths['/api/v1/namespaces/{name}'].patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
  });

  it('redirects a stale hash to the current one and does not promise immutability without a hash', async () => {
    const a = app();
    const stale = await request(a).get('/openapi/v3/api/v1?hash=ABC').expect(301);
    const paths = ((await request(a).get('/openapi/v3')).body as Index).paths;
    assert.equal(stale.headers.location, paths['api/v1'].serverRelativeURL);
    const plain = await request(a).get('/openapi/v3/api/v1').expect(200);
    assert.equal(plain.headers['cache-control'], undefined);
    await request(a).get('/openapi/v3/api/v1').set('If-None-Match', plain.headers.etag).expect(304);
  });

  it('answers 404 for documents it does not have', async () => {
    const res = await request(app()).get('/openapi/v3/apis/nope.example.com/v1').expect(404);
    assert.equal(res.body.reason, 'NotFound');
  });

  it('serves swagger 2.0 as JSON, as protobuf to protobuf-only clients, and a 406 Status otherwise', async () => {
    const a = app();
    const v2 = await request(a).get('/openapi/v2').set('Accept', 'application/json').expect(200);
    assert.equal(v2.body.swagger, '2.0');
    const ns = v2.body.definitions['io.k8s.api.core.v1.Namespace'];
    assert.deepEqual(ns['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Namespace', version: 'v1' }]);
    assert.equal(ns.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    await request(a).get('/openapi/v2').set('Accept', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf')
      .expect(200).expect('Content-Type', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const refused = await request(a).get('/openapi/v2').set('Accept', 'text/html').expect(406);
    assert.equal(refused.body.kind, 'Status');
    assert.equal(refused.body.reason, 'NotAcceptable');
  });
});
