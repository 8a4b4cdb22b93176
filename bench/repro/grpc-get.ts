/** Profiles the server side of gRPC Get: the server here, the client in a child process. */
import { spawn } from 'node:child_process';
import { profiledServer } from './profiled-server.js';

if (process.argv[2] === 'client') {
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
  const { km, stop } = await profiledServer({ grpcPort: 0 });
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'client', km.urls.grpc ?? ''], { stdio: 'inherit' });
  await new Promise((r) => child.on('exit', r));
  await stop('/tmp/gprof');
}
