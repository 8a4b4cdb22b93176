/** Profiles the server side of gRPC Get: the server here, the client in a child process. */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startKubemock } from '../../server/cli/cluster.js';

if (process.argv[2] === "client") {
  const { createKubemockGrpcClient } = await import('../../clients/grpc.js');
  const client = createKubemockGrpcClient(process.argv[3]);
  const end = Date.now() + 5000;
  let n = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (Date.now() < end) {
      await client.pods.get('pod-0', { namespace: 'bench' });
      n++;
    }
  }));
  console.log(`${n / 5} calls/s`);
  client.close();
} else {
  const km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: 0, dns: { port: null }, controllers: { enabled: false } });
  await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'bench' } });
  await km.registry.create(km.registry.ref('', 'pods'), 'bench', { metadata: { name: 'pod-0', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as never);
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.start');
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'client', km.urls.grpc ?? ''], { stdio: 'inherit' });
  await new Promise((r) => child.on('exit', r));
  const { profile } = await s.post('Profiler.stop');
  mkdirSync('/tmp/gprof', { recursive: true });
  writeFileSync('/tmp/gprof/g.cpuprofile', JSON.stringify(profile));
  await km.stop();
}
