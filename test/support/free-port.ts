import net from 'node:net';

/**
 * A port on 127.0.0.1 that nothing listens on right now: for a process that must be told its
 * port up front (a restarted station, mosquitto) instead of taking port 0 and reporting it.
 */
export async function freeLocalPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
