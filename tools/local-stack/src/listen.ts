/**
 * Listening and closing for the stack's servers, with the one error a user can act on made clear.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A port the stack needs is taken by another process. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly flag: string,
  ) {
    super(
      `Port ${port} on ${host} is already in use. Stop the program using it or choose another ` +
        `port with ${flag} (0 picks a free one).`,
    );
  }
}

/**
 * Listens on `host:port` (0 = a free port) and returns the bound port.
 *
 * @throws PortInUseError when the port is taken; `flag` names the CLI option that sets it.
 */
export function listen(server: Server, host: string, port: number, flag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port, flag) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Closes `server`: idle keep-alive connections at once, then waits up to `graceMs` for requests in
 * flight (dynalite throws if its store closes under a running request) before cutting the rest.
 */
export function closeServer(server: Server, graceMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
