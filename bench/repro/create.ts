// Reproduction for profiling: in-process pod creates through the registry, wall and CPU time per create.
// node --import tsx --cpu-prof bench/repro/create.ts 5000
import { startKubemock } from '../../server/cli/cluster.js';
import { pod } from '../lib/fixtures.js';
const km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', dns: { port: null }, grpcPort: null, controllers: { enabled: false } });
await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'b' } });
const ref = km.registry.ref('', 'pods');
const n = Number(process.argv[2] ?? 2000);
let t = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < n; i++) await km.registry.create(ref, 'b', pod('b', `p-${i}`));
const c = process.cpuUsage(c0);
console.log('create per pod: wall ms', ((performance.now() - t) / n).toFixed(3), 'cpu ms', ((c.user + c.system) / 1000 / n).toFixed(3));
await km.stop();
