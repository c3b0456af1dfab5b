import net from 'node:net';

/** Thrown when a port that a service needs is already taken. */
export class PortBusyError extends Error {
  constructor(
    readonly port: number,
    readonly service: string,
    readonly variable?: string,
  ) {
    super(
      `Port ${port} needed by ${service} is already in use: stop what listens there` +
        (variable ? ` or set ${variable} to another port.` : '.'),
    );
  }
}

/** Resolves true when nothing listens on host:port. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Fails with a message naming the service and the variable to change when the port is taken. */
export async function assertPortFree(port: number, service: string, variable?: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortBusyError(port, service, variable);
}

/**
 * A port free right now, below the kernel's ephemeral range (32768 and up on Linux) and below the Temporal cluster's
 * ports (freeClusterPort, 19700 and up). The servers it is for usually listen later, often in another process: a port
 * the kernel chose and took back could meanwhile become the local end of an outgoing connection, and their listen
 * would then fail with EADDRINUSE.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * 9_000);
    if (await isPortFree(port, host)) return port;
  }
  return kernelChosenPort(host);
}

function kernelChosenPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
