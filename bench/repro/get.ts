/** Profiles the server side of GET by name: the server here, autocannon in a child process. */
import { spawn } from 'node:child_process';
import { profiledServer } from './profiled-server.js';

const { km, stop } = await profiledServer({ grpcPort: null });
const child = spawn('npx', ['autocannon', '-c', '32', '-d', '5', `${km.urls.api}/api/v1/namespaces/bench/pods/pod-0`], { stdio: ['ignore', 'inherit', 'inherit'] });
await new Promise((r) => child.on('exit', r));
await stop('/tmp/getprof');
