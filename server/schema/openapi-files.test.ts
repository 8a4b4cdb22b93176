import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generate, openapiHash } from '../../scripts/generate-openapi.js';
import { buildResources } from '../registry/kinds/index.js';
import { openapiDir } from './openapi-files.js';

interface Operation {
  parameters?: { name: string }[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: unknown[]; properties?: Record<string, { $ref?: string; allOf?: unknown[] }> }> };
}

const readDoc = (rel: string): Document => JSON.parse(readFileSync(`${openapiDir()}${rel}`, 'utf8')) as Document;

describe('committed openapi/ documents', () => {
  it('are what scripts/generate-openapi.ts generates now (run it after changing kinds)', () => {
    const { files } = generate();
    const stale = [...files.entries()].filter(([file, text]) => {
      try {
        return readFileSync(`${openapiDir()}${file.slice('openapi/'.length)}`, 'utf8') !== text;
      } catch {
        return true;
      }
    }).map(([file]) => file);
    assert.deepEqual(stale, []);
  });

  it('list every document in the index under the hash of its bytes', () => {
    const index = JSON.parse(readFileSync(`${openapiDir()}v3/index.json`, 'utf8')) as { paths: Record<string, { serverRelativeURL: string }> };
    for (const [docPath, entry] of Object.entries(index.paths)) {
      const text = readFileSync(`${openapiDir()}v3/${docPath}.json`, 'utf8');
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${docPath}?hash=${openapiHash(text)}`);
    }
  });

  it('give kubectl what it needs for every served kind: a PATCH with the GVK and fieldValidation, and a schema with the GVK', () => {
    // the create-only reviews have no PATCH, as in kube's documents
    for (const info of buildResources().filter((r) => !r.verbs || r.verbs.includes('patch'))) {
      for (const { name: version } of info.versions) {
        const gvPath = info.group ? `apis/${info.group}/${version}` : `api/${version}`;
        const doc = readDoc(`v3/${gvPath}.json`);
        const gvk = { group: info.group, kind: info.kind, version };
        const patches = Object.values(doc.paths).map((item) => item.patch).filter((op): op is Operation => !!op);
        const patch = patches.find((op) => JSON.stringify(op['x-kubernetes-group-version-kind']) === JSON.stringify(gvk));
        assert.ok(patch, `${gvPath} has a PATCH for ${info.kind}`);
        assert.ok(patch.parameters?.some((p) => p.name === 'fieldValidation'), `${gvPath} ${info.kind} PATCH takes fieldValidation`);
        const schema = Object.values(doc.components.schemas).find((s) => JSON.stringify(s['x-kubernetes-group-version-kind']) === JSON.stringify([gvk]));
        assert.ok(schema, `${gvPath} has the ${info.kind} schema`);
        // explain follows nested objects through allOf-wrapped references, as in the real v3 documents.
        assert.ok(schema.properties?.metadata?.allOf, `${info.kind}.metadata is an allOf-wrapped $ref`);
      }
    }
  });

  it('resolve every $ref within the document that holds it', () => {
    for (const rel of ['kubemock.json', 'v3/api/v1.json']) {
      const text = readFileSync(`${openapiDir()}${rel}`, 'utf8');
      const doc = JSON.parse(text) as Document;
      for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[name], `${rel}: ${name}`);
    }
  });
});
