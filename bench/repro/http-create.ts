/** Profiles the server side of POST pods: the server here, autocannon in a child process. */
import { spawn } from 'node:child_process';
import { generatedPod } from '../lib/fixtures.js';
import { profiledServer } from './profiled-server.js';

const { km, stop } = await profiledServer({ grpcPort: null });
const body = JSON.stringify(generatedPod('bench'));
const c0 = process.cpuUsage();
const child = spawn('npx', ['autocannon', '-c', '32', '-d', '5', '-m', 'POST', '-H', 'content-type=application/json', '-b', body, `${km.urls.api}/api/v1/namespaces/bench/pods`], { stdio: ['ignore', 'inherit', 'inherit'] });
await new Promise((r) => child.on('exit', r));
const c = process.cpuUsage(c0);
console.log('server cpu s', ((c.user + c.system) / 1e6).toFixed(2));
await stop('/tmp/createprof');
