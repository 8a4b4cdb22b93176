/** Profiles the server side of GET by name: the server here, autocannon in a child process. */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startKubemock } from '../../server/cli/cluster.js';

const km = await startKubemock({ port: 0, host: '127.0.0.1', logLevel: 'silent', grpcPort: null, dns: { port: null }, controllers: { enabled: false } });
await km.registry.create(km.registry.ref('', 'namespaces'), '', { metadata: { name: 'bench' } });
await km.registry.create(km.registry.ref('', 'pods'), 'bench', { metadata: { name: 'pod-0', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as never);
const s = new Session();
s.connect();
await s.post('Profiler.enable');
await s.post('Profiler.start');
const child = spawn('npx', ['autocannon', '-c', '32', '-d', '5', `${km.urls.api}/api/v1/namespaces/bench/pods/pod-0`], { stdio: ['ignore', 'inherit', 'inherit'] });
await new Promise((r) => child.on('exit', r));
const { profile } = await s.post('Profiler.stop');
mkdirSync('/tmp/getprof', { recursive: true });
writeFileSync('/tmp/getprof/g.cpuprofile', JSON.stringify(profile));
await km.stop();
