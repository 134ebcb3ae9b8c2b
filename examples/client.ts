// The client of the documents, step by step as in C: connect, send each message, read its echo.
// Run: npx tsx examples/client.ts 8888 [127.0.0.1] [message ...]
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO, close, connect, htons, inet_pton, recv, send,
  setsockopt, sockaddr_in, socket, timeval,
} from '../lib';
import { portArg, run } from './common';

const PORT = portArg('client', ' [server_ip] [message ...]');
const SERVER_IP = process.argv[3] ?? '127.0.0.1';
const messages = process.argv.length > 4 ? process.argv.slice(4) : ['Hello from client'];

run(async () => {
  const client_fd = socket(AF_INET, SOCK_STREAM, 0);

  const server_address = new sockaddr_in();
  server_address.sin_family = AF_INET;
  server_address.sin_port = htons(PORT);
  if (inet_pton(AF_INET, SERVER_IP, server_address.sin_addr) !== 1) {
    console.error(`invalid address: ${SERVER_IP}`);
    close(client_fd);
    return 1;
  }
  // No bind: the kernel picks the client's port.
  connect(client_fd, server_address); // "connect failed: ECONNREFUSED, Connection refused"
  console.log(`connected to ${SERVER_IP}:${PORT}`);

  // Give up on a silent server after 5 s: recv then fails with EAGAIN instead of waiting forever.
  const timeout = new timeval();
  timeout.tv_sec = 5;
  setsockopt(client_fd, SOL_SOCKET, SO_RCVTIMEO, timeout);

  for (const message of messages) {
    const data = Buffer.from(message);
    // send may take fewer bytes than asked: send the rest from where it stopped.
    for (let sent = 0; sent < data.length; ) sent += send(client_fd, data, data.length - sent, 0, sent);

    // The echo may arrive in pieces: recv until all of it is here; 0 means the server closed.
    const reply = Buffer.alloc(data.length);
    for (let got = 0; got < reply.length; ) {
      const n = recv(client_fd, reply, reply.length - got, 0, got);
      if (n === 0) {
        console.error('server closed the connection');
        close(client_fd);
        return 1;
      }
      got += n;
    }
    console.log(`received: ${reply.toString()}`);
  }

  close(client_fd);
  return 0;
});
