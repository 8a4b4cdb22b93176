/** A kubemock in this process, one pod stored, under the inspector's CPU profiler, for the repro scripts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { startKubemock, type KubemockOptions, type RunningKubemock } from '../../server/cli/cluster.js';

export async function profiledServer(opts: Partial<KubemockOptions>): Promise<{ km: RunningKubemock; stop(profileDir: string): Promise<void> }> {
  const km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', dns: { port: null }, controllers: { enabled: false }, ...opts });
  await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'bench' } });
  await km.registry.create(km.registry.ref('', 'pods'), 'bench', { metadata: { name: 'pod-0', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as never);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    km,
    async stop(profileDir) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(join(profileDir, 'server.cpuprofile'), JSON.stringify(profile));
      await km.stop();
    },
  };
}
