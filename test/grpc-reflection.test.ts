import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, credentials } from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { ServerReflectionService, type ServerReflectionRequest, type ServerReflectionResponse } from '../server/grpc/gen/grpc/reflection/v1/reflection.js';
import { kindServices } from '../server/grpc/gen/kinds.js';
import { startGrpcServer, type RunningGrpcServer } from '../server/grpc/server.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buf = path.join(root, 'node_modules/.bin/buf');

let km: TestCluster;
let grpc: RunningGrpcServer;
let client: Client;

/** One request on a fresh ServerReflectionInfo stream, as generic tools do it. */
function reflect(request: Partial<ServerReflectionRequest>, version: 'v1' | 'v1alpha' = 'v1'): Promise<ServerReflectionResponse> {
  const def = ServerReflectionService.serverReflectionInfo;
  const stream = client.makeBidiStreamRequest(`/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`, def.requestSerialize, def.responseDeserialize);
  return new Promise((resolve, reject) => {
    stream.once('data', (res: ServerReflectionResponse) => {
      resolve(res);
      stream.end();
    });
    stream.once('error', reject);
    stream.write({ host: '', ...request });
  });
}

function files(res: ServerReflectionResponse): FileDescriptorProto[] {
  assert.ok(res.fileDescriptorResponse, JSON.stringify(res.errorResponse));
  return res.fileDescriptorResponse.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
}

async function bufCurl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(buf, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], { cwd: root, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('gRPC server reflection and generic tooling', { timeout: 60_000 }, () => {
  before(async () => {
    km = await startTestCluster();
    grpc = await startGrpcServer({ registry: km.registry, port: 0 });
    client = new Client(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await grpc.stop();
    await km.stop();
  });

  it('lists every service, on v1 and v1alpha', async () => {
    for (const version of ['v1', 'v1alpha'] as const) {
      const res = await reflect({ listServices: '' }, version);
      const names = res.listServicesResponse!.service.map((s) => s.name);
      assert.ok(names.includes('kubemock.v1.StatefulSetsService'), names.join());
      assert.ok(names.includes('kubemock.v1.PodsService'));
      assert.ok(names.includes('grpc.health.v1.Health'));
      assert.ok(names.includes('grpc.reflection.v1.ServerReflection'));
      assert.equal(names.filter((n) => n.startsWith('kubemock.v1.')).length, kindServices.length);
    }
  });

  it('resolves a service to its file descriptor with the imports it needs', async () => {
    const [file, ...deps] = files(await reflect({ fileContainingSymbol: 'kubemock.v1.StatefulSetsService' }));
    assert.equal(file.name, 'kubemock/v1/services.proto');
    const sts = file.service.find((s) => s.name === 'StatefulSetsService')!;
    const methods = Object.fromEntries(sts.method.map((m) => [m.name, m]));
    assert.deepEqual(Object.keys(methods).sort(), ['Create', 'Delete', 'Get', 'GetScale', 'List', 'Patch', 'PatchScale', 'PatchStatus', 'Update', 'UpdateScale', 'UpdateStatus', 'Watch']);
    assert.equal(methods.Watch.serverStreaming, true);
    assert.equal(methods.Get.outputType, '.kubemock.v1.StatefulSet');
    const depNames = deps.map((d) => d.name);
    assert.ok(depNames.includes('kubemock/v1/types.proto'), depNames.join());
    assert.ok(depNames.includes('google/protobuf/struct.proto'), depNames.join());
    const types = deps.find((d) => d.name === 'kubemock/v1/types.proto')!;
    const replicas = types.messageType.find((m) => m.name === 'StatefulSetSpec')!.field.find((f) => f.name === 'replicas')!;
    assert.equal(replicas.jsonName, 'replicas');
    assert.equal(replicas.proto3Optional, true);
  });

  it('resolves methods and files by name, and answers NOT_FOUND for unknown symbols', async () => {
    assert.equal(files(await reflect({ fileContainingSymbol: 'kubemock.v1.PodsService.Watch' }))[0].name, 'kubemock/v1/services.proto');
    assert.equal(files(await reflect({ fileContainingSymbol: 'kubemock.v1.Pod' }))[0].name, 'kubemock/v1/types.proto');
    assert.equal(files(await reflect({ fileByFilename: 'grpc/health/v1/health.proto' }))[0].package, 'grpc.health.v1');
    const missing = await reflect({ fileContainingSymbol: 'kubemock.v1.Nope' });
    assert.equal(missing.errorResponse?.errorCode, 5);
  });

  it('buf curl lists namespaces with the .proto schema, and through reflection alone', async () => {
    const url = `http://127.0.0.1:${grpc.port}/kubemock.v1.NamespacesService/List`;
    for (const schemaArgs of [['--schema', 'proto'], []]) {
      const res = await bufCurl([...schemaArgs, '-d', '{}', url]);
      assert.equal(res.code, 0, res.stderr);
      const list = JSON.parse(res.stdout) as { kind: string; items: { metadata: { name: string } }[] };
      assert.equal(list.kind, 'NamespaceList');
      assert.ok(list.items.some((n) => n.metadata.name === 'default'), res.stdout);
    }
  });

  it('buf curl shows the gRPC code and the Kubernetes Status of an error', async () => {
    const res = await bufCurl(['-d', '{"namespace":"default","name":"nope"}', `http://127.0.0.1:${grpc.port}/kubemock.v1.PodsService/Get`]);
    assert.notEqual(res.code, 0);
    const err = JSON.parse(res.stderr) as { code: string; message: string; details: { type: string }[] };
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, 'pods "nope" not found');
    assert.equal(err.details[0].type, 'kubemock.v1.Status');
  });
});
