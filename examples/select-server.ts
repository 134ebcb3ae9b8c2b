// An echo server over many clients with select, step by step as in C.
// Run: npx tsx examples/select-server.ts 8888 [bind_ip]   (default INADDR_ANY, every interface)
import {
  AF_INET, FD_SETSIZE, INADDR_ANY, SOCK_STREAM, SOL_SOCKET, SOMAXCONN, SO_REUSEADDR,
  FD_ISSET, FD_SET, FD_ZERO, bind, close, fd_set, htons, inet_addr, inet_ntop, listen, ntohs, select,
  setsockopt, sockaddr_in, socket, tryAccept,
} from '../lib';
import { bindIpArg, isEINTR, portArg, readStopSignal, run, setNonBlocking, stopSignalfd } from './common';
import { Client } from './echo';

const PORT = portArg('select-server', ' [bind_ip]');
const BIND_IP = bindIpArg('select-server');

run(async () => {
  const server_fd = socket(AF_INET, SOCK_STREAM, 0);
  // Restart at once on a port whose old connections are still in TIME_WAIT. It does not let
  // two servers listen on one port: the second bind still fails with EADDRINUSE.
  setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, 1);

  const address = new sockaddr_in();
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = INADDR_ANY;
  if (BIND_IP !== undefined) address.sin_addr.s_addr = inet_addr(BIND_IP); // e.g. 127.0.0.1: loopback only
  address.sin_port = htons(PORT);
  bind(server_fd, address); // "bind failed: EADDRINUSE, Address already in use"
  listen(server_fd, SOMAXCONN);
  setNonBlocking(server_fd); // accept after a wake-up must not block if the client already left

  const readfds = new fd_set();
  const writefds = new fd_set();
  // Ctrl-C and SIGTERM arrive as a readable fd in the same set (see common.ts).
  const sfd = stopSignalfd();
  const clients = new Map<number, Client>();

  function closeClient(c: Client): void {
    close(c.fd);
    clients.delete(c.fd);
    console.log(`client ${c.name} disconnected, fd ${c.fd} closed`);
  }

  // Printed once every fd is set up and SIGINT/SIGTERM are routed: from here a signal stops
  // the server cleanly.
  console.log(`listening on port ${PORT} (select)`);
  let running = true;
  while (running) {
    // select overwrites the sets with the ready fds, so they are rebuilt every round.
    FD_ZERO(readfds);
    FD_ZERO(writefds);
    FD_SET(server_fd, readfds);
    FD_SET(sfd, readfds);
    let max_sd = Math.max(server_fd, sfd);
    for (const c of clients.values()) {
      if (c.wantRead) FD_SET(c.fd, readfds);
      if (c.wantWrite) FD_SET(c.fd, writefds);
      max_sd = Math.max(max_sd, c.fd);
    }

    let activity = 0;
    try {
      activity = select(max_sd + 1, readfds, writefds, null, null); // NULL: until something is ready
    } catch (err) {
      if (!isEINTR(err)) throw err; // another signal's handler ran: wait again
    }

    // After EINTR select leaves the sets as we built them: read them only when activity > 0.
    if (activity > 0) {
      if (FD_ISSET(server_fd, readfds)) {
        const new_socket = tryAccept(server_fd, address); // fills address with the client's ip and port
        if (new_socket >= FD_SETSIZE) {
          console.error(`fd ${new_socket} is beyond FD_SETSIZE (${FD_SETSIZE}), closing it`);
          close(new_socket);
        } else if (new_socket >= 0) { // -EAGAIN: the connection was gone before we accepted it
          setNonBlocking(new_socket);
          const c = new Client(new_socket, `${inet_ntop(AF_INET, address.sin_addr)}:${ntohs(address.sin_port)}`);
          console.log(`new connection: fd ${new_socket}, ${c.name}`);
          clients.set(new_socket, c); // in neither set yet: its first round is the next one
        }
      }
      for (const c of clients.values()) {
        const readable = FD_ISSET(c.fd, readfds);
        const writable = FD_ISSET(c.fd, writefds);
        if ((readable || writable) && !c.serve(readable, writable)) closeClient(c);
      }
      if (FD_ISSET(sfd, readfds)) {
        readStopSignal(sfd); // SIGINT or SIGTERM: finish this round, then stop
        running = false;
      }
    }
  }

  for (const c of clients.values()) closeClient(c);
  close(sfd);
  close(server_fd);
  console.log('server stopped');
  return 0;
});
