/** Where a 10,000-pod list spends its time: serialising on the server vs. the whole request. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startKubemock } from '../../server/cli/cluster.js';

const km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false } });
const ref = km.registry.ref('', 'pods');
await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'bench' } });
for (let i = 0; i < 10_000; i++) {
  await km.registry.create(ref, 'bench', {
    metadata: { name: `pod-${i}`, labels: { app: 'bench', idx: String(i % 10) } },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m' } } }] },
  } as never);
}
const url = `${km.urls.api}/api/v1/namespaces/bench/pods`;
for (const accept of ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io']) {
  const times: string[] = [];
  for (let i = 0; i < 6; i++) {
    // curl in a child so the client's CPU is not ours; -w prints the total time
    const t = performance.now();
    const { stdout: r } = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', '%{time_total} %{size_download}', '-H', `Accept: ${accept}`, url], { encoding: 'utf8' });
    times.push(`${Math.round(performance.now() - t)}ms(${r})`);
  }
  console.log(accept.slice(0, 24), times.join(' '));
}
await km.stop();
