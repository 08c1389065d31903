// one CoAP case only
import path from 'node:path';
import { forkBenchChild } from '../test/bench/child-process';
(async () => {
  const server = forkBenchChild<any>(path.join(__dirname, '../test/bench/server-child.ts'), [JSON.stringify({ kind: 'station', devices: 10, tokenPrefix: 'bench-', firmwareBytes: 3735576, jobConcurrency: 0 })], 300000, ['--cpu-prof', '--cpu-prof-dir=/tmp/coap-prof2']);
  const { urls } = await server.next();
  const sim = await forkBenchChild<any>(path.join(__dirname, '../test/bench/simulator-child.ts'), [JSON.stringify({ transport: 'coap', coapAckTimeoutMs: 250, url: urls.coap, count: 10, tokenPrefix: 'bench-', chunkSize: 1024, timeoutMs: 200000 })], 300000).next();
  server.send('stop');
  console.log(JSON.stringify(sim.totals), JSON.stringify(await server.next()));
  await server.exited;
})();
