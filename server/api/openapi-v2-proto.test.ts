import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import express from 'express';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { FakeClock } from '../meta/clock.js';
import { readOpenapiFile } from '../schema/openapi-files.js';
import { createOpenApiRouter } from './openapi.js';
import { encodeOpenApiV2Proto, negotiateOpenApiV2, openApiV2ProtoContentType } from './openapi-v2-proto.js';

/** One decoded message: every field number with its values in wire order (messages stay bytes). */
class Msg {
  private readonly fields = new Map<number, (Uint8Array | number | bigint)[]>();

  constructor(bytes: Uint8Array) {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [no, type] = r.tag();
      let v: Uint8Array | number | bigint;
      if (type === WireType.LengthDelimited) v = r.bytes();
      else if (type === WireType.Varint) v = BigInt(r.uint64());
      else if (type === WireType.Bit64) v = r.double();
      else throw new Error(`unexpected wire type ${type} for field ${no}`);
      this.fields.set(no, [...(this.fields.get(no) ?? []), v]);
    }
  }

  private all(no: number): (Uint8Array | number | bigint)[] {
    return this.fields.get(no) ?? [];
  }

  has(no: number): boolean {
    return this.fields.has(no);
  }

  msgs(no: number): Msg[] {
    return this.all(no).map((v) => new Msg(v as Uint8Array));
  }

  msg(no: number): Msg {
    const [m] = this.msgs(no);
    assert.ok(m, `field ${no} is present`);
    return m;
  }

  strs(no: number): string[] {
    return this.all(no).map((v) => new TextDecoder().decode(v as Uint8Array));
  }

  str(no: number): string {
    return this.strs(no)[0] ?? '';
  }

  varint(no: number): bigint {
    return (this.all(no)[0] as bigint | undefined) ?? 0n;
  }

  double(no: number): number {
    return (this.all(no)[0] as number | undefined) ?? 0;
  }

  /** A repeated Named* field as a name -> value-message map. */
  named(no: number): Map<string, Msg> {
    return new Map(this.msgs(no).map((pair) => [pair.str(1), pair.msg(2)]));
  }
}

/** Vendor extensions (repeated NamedAny) with their YAML parsed back. */
function extensions(m: Msg, no: number): Record<string, unknown> {
  return Object.fromEntries([...m.named(no)].map(([k, any]) => [k, parseYaml(any.str(2))]));
}

// Field numbers from gnostic's OpenAPIv2.proto, for readability below.
const Doc = { swagger: 1, info: 2, paths: 8, definitions: 9 };
const Schema = { ref: 1, format: 2, description: 4, default: 5, minimum: 9, maxLength: 11, required: 19, enum: 20, additionalProperties: 21, type: 22, items: 23, properties: 25, vendor: 31 };
const PathItem = { get: 2, patch: 8, parameters: 9 };
const Operation = { parameters: 8, responses: 9, vendor: 13 };

function definitions(doc: Msg): Map<string, Msg> {
  return doc.msg(Doc.definitions).named(1);
}

function properties(schema: Msg): Map<string, Msg> {
  return schema.msg(Schema.properties).named(1);
}

describe('OpenAPI v2 protobuf encoding', () => {
  const served = new Msg(encodeOpenApiV2Proto(JSON.parse(readOpenapiFile('v2/swagger.json').toString('utf8'))));

  it('keeps the document header and every definition', () => {
    const json = JSON.parse(readOpenapiFile('v2/swagger.json').toString('utf8')) as { definitions: Record<string, unknown>; paths: Record<string, unknown> };
    assert.equal(served.str(Doc.swagger), '2.0');
    assert.equal(served.msg(Doc.info).str(1), 'kubemock');
    assert.deepEqual([...definitions(served).keys()], Object.keys(json.definitions));
    assert.deepEqual([...served.msg(Doc.paths).named(2).keys()], Object.keys(json.paths));
  });

  it('carries schemas, references and the x-kubernetes extensions kubectl reads', () => {
    const defs = definitions(served);
    const sts = defs.get('io.k8s.api.apps.v1.StatefulSet');
    assert.ok(sts);
    assert.deepEqual(extensions(sts, Schema.vendor)['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'StatefulSet', version: 'v1' }]);
    assert.equal(properties(sts).get('spec')?.str(Schema.ref), '#/definitions/io.k8s.api.apps.v1.StatefulSetSpec');

    const spec = defs.get('io.k8s.api.apps.v1.StatefulSetSpec');
    assert.ok(spec);
    assert.ok(spec.strs(Schema.required).includes('selector'));
    const replicas = properties(spec).get('replicas');
    assert.deepEqual(replicas?.msg(Schema.type).strs(1), ['integer']);
    assert.equal(replicas?.str(Schema.format), 'int32');
    assert.match(replicas?.str(Schema.description) ?? '', /replicas/i);
    const claims = properties(spec).get('volumeClaimTemplates');
    assert.equal(claims?.msg(Schema.items).msg(1).str(Schema.ref), '#/definitions/io.k8s.api.core.v1.PersistentVolumeClaim');

    const ports = properties(defs.get('io.k8s.api.core.v1.Container') as Msg).get('ports') as Msg;
    assert.deepEqual(extensions(ports, Schema.vendor), {
      'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'containerPort',
      'x-kubernetes-patch-strategy': 'merge',
    });
    const labels = properties(defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') as Msg).get('labels') as Msg;
    assert.deepEqual(labels.msg(Schema.additionalProperties).msg(1).msg(Schema.type).strs(1), ['string']);
  });

  it('encodes operations so the v2 fieldValidation verifier finds the query parameter', () => {
    const item = served.msg(Doc.paths).named(2).get('/api/v1/namespaces/{namespace}/configmaps/{name}');
    assert.ok(item);
    const patch = item.msg(PathItem.patch);
    assert.deepEqual(extensions(patch, Operation.vendor)['x-kubernetes-group-version-kind'], { group: '', kind: 'ConfigMap', version: 'v1' });
    const params = patch.msgs(Operation.parameters).map((p) => p.msg(1));
    const body = params.find((p) => p.has(1))?.msg(1);
    assert.equal(body?.str(2), 'body');
    assert.equal(body?.msg(5).str(Schema.ref), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    const queryNames = params.filter((p) => p.has(2)).map((p) => p.msg(2)).filter((nb) => nb.has(3)).map((nb) => nb.msg(3).str(4));
    assert.ok(queryNames.includes('fieldValidation'), `query parameters: ${queryNames.join(',')}`);
    // Path-level parameters: `name` is a path parameter (oneof 4), its type at field 5.
    const pathParam = item.msgs(PathItem.parameters).map((p) => p.msg(1).msg(2)).find((nb) => nb.has(4))?.msg(4);
    assert.equal(pathParam?.str(4), 'name');
    assert.equal(pathParam?.str(5), 'string');
    const ok = patch.msg(Operation.responses).named(1).get('200');
    assert.equal(ok?.msg(1).msg(2).msg(1).str(Schema.ref), '#/definitions/io.k8s.api.core.v1.ConfigMap');
  });

  it('encodes the less common schema keywords as gnostic does', () => {
    const doc = new Msg(encodeOpenApiV2Proto({
      swagger: '2.0',
      definitions: {
        T: {
          type: 'object',
          additionalProperties: false,
          properties: {
            mode: { type: 'string', enum: ['on', 'off'], default: 'on', maxLength: 3 },
            ratio: { type: 'number', minimum: 0.5 },
            tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
          },
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    }));
    const t = definitions(doc).get('T') as Msg;
    const ap = t.msg(Schema.additionalProperties);
    assert.ok(ap.has(2), 'additionalProperties: false is the boolean arm of the oneof');
    assert.equal(ap.varint(2), 0n);
    assert.deepEqual(extensions(t, Schema.vendor), { 'x-kubernetes-preserve-unknown-fields': true });
    const mode = properties(t).get('mode') as Msg;
    assert.deepEqual(mode.msgs(Schema.enum).map((a) => a.str(2)), ['"on"\n', '"off"\n'], 'YAML 1.1 readers must not see booleans');
    assert.equal(parseYaml(mode.msg(Schema.default).str(2)), 'on');
    assert.equal(mode.varint(Schema.maxLength), 3n);
    assert.equal(properties(t).get('ratio')?.double(Schema.minimum), 0.5);
    assert.deepEqual(properties(t).get('tuple')?.msg(Schema.items).msgs(1).map((s) => s.msg(Schema.type).str(1)), ['string', 'integer']);
  });
});

describe('negotiateOpenApiV2', () => {
  it('follows kube-openapi: JSON by default, either protobuf spelling, q order, 406 otherwise', () => {
    assert.equal(negotiateOpenApiV2(undefined), 'json');
    assert.equal(negotiateOpenApiV2('application/json, */*'), 'json');
    assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
    assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
    assert.equal(negotiateOpenApiV2('application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
    assert.equal(negotiateOpenApiV2('*/*, application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
    assert.equal(negotiateOpenApiV2('text/html'), undefined);
    assert.equal(negotiateOpenApiV2('application/json;q=0'), undefined);
  });
});

describe('/openapi/v2 protobuf form', () => {
  const app = express().use(createOpenApiRouter({ clock: new FakeClock(0) }));
  const accept = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

  it('serves the protobuf with the JSON document ETag and honours If-None-Match', async () => {
    const json = await request(app).get('/openapi/v2').expect(200);
    const pb = await request(app).get('/openapi/v2').set('Accept', accept).buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    assert.equal(pb.headers['content-type'], openApiV2ProtoContentType);
    assert.equal(pb.headers.vary, 'Accept');
    assert.equal(pb.headers.etag, json.headers.etag);
    assert.equal(new Msg(pb.body as Buffer).str(Doc.swagger), '2.0');
    await request(app).get('/openapi/v2').set('Accept', accept).set('If-None-Match', pb.headers.etag).expect(304);
    await request(app).get('/openapi/v2').set('Accept', 'text/html').expect(406);
  });
});
