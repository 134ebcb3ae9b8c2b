// An integration test written as a sockfd user would write one: a server built on
// node:net, driven by a client that does what node:net's own client cannot — an abortive
// close (SO_LINGER {1, 0} sends RST) and a half-close (shutdown(SHUT_WR) sends FIN while
// the client keeps reading).
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import {
  AF_INET,
  SHUT_WR,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_LINGER,
  close,
  connectAsync,
  linger,
  parseAddress,
  recvAsync,
  sendAllAsync,
  setsockopt,
  shutdown,
  socket,
} from '../lib';

let server: Server | undefined;
let fd = -1;
afterEach(async () => {
  if (fd >= 0) close(fd);
  fd = -1;
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

/** Starts a node:net server and resolves its port and the first accepted Socket. */
async function start(allowHalfOpen: boolean): Promise<{ port: number; conn: Promise<Socket> }> {
  server = createServer({ allowHalfOpen });
  const conn = once(server, 'connection').then(([s]) => s as Socket);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, conn };
}

test('node:net server: a client closing with SO_LINGER {1, 0} makes the server socket emit ECONNRESET', async () => {
  const { port, conn } = await start(false);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  await connectAsync(fd, parseAddress(`127.0.0.1:${port}`));
  const s = await conn;
  const error = once(s, 'error');
  const data = once(s, 'data'); // the server reads, so it sees the RST
  await sendAllAsync(fd, Buffer.from('hello'));
  // Let the server drain 'hello' first: data still queued at the server when the RST
  // lands is delivered and followed by a plain EOF ('end'), not by ECONNRESET.
  expect(String((await data)[0])).toBe('hello');

  const l = new linger();
  l.l_onoff = 1;
  l.l_linger = 0;
  setsockopt(fd, SOL_SOCKET, SO_LINGER, l);
  close(fd); // RST instead of FIN
  fd = -1;

  const [err] = (await error) as [NodeJS.ErrnoException];
  expect(err.code).toBe('ECONNRESET');
});

test('node:net server: shutdown(SHUT_WR) half-closes — the server gets \'end\', can still write, and the client reads it', async () => {
  const { port, conn } = await start(true);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  await connectAsync(fd, parseAddress(`127.0.0.1:${port}`));
  const s = await conn;
  let received = '';
  s.setEncoding('utf8');
  s.on('data', (d: string) => (received += d));
  s.on('end', () => {
    // The client's FIN arrived; this direction is still open.
    s.end(`got ${received}, bye`);
  });

  await sendAllAsync(fd, Buffer.from('request'));
  shutdown(fd, SHUT_WR);

  const buf = new Uint8Array(256);
  let n = 0;
  for (;;) {
    const k = await recvAsync(fd, buf, buf.length - n, 0, n);
    if (k === 0) break; // the server's FIN after its reply
    n += k;
  }
  expect(Buffer.from(buf.subarray(0, n)).toString()).toBe('got request, bye');
  expect(received).toBe('request');
});
