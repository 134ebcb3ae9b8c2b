// An echo server over many clients with poll, step by step as in C.
// Run: npx tsx examples/poll-server.ts 8888 [bind_ip]   (default INADDR_ANY, every interface)
import {
  AF_INET, INADDR_ANY, POLLERR, POLLHUP, POLLIN, POLLOUT, SOCK_STREAM, SOL_SOCKET, SOMAXCONN,
  SO_REUSEADDR, bind, close, htons, inet_addr, inet_ntop, listen, ntohs, poll, pollfd, setsockopt,
  sockaddr_in, socket, tryAccept,
} from '../lib';
import { bindIpArg, isEINTR, portArg, readStopSignal, run, setNonBlocking, stopSignalfd } from './common';
import { Client } from './echo';

const PORT = portArg('poll-server', ' [bind_ip]');
const BIND_IP = bindIpArg('poll-server');
const MAX_CLIENTS = 1024;

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

  const fds = pollfd.array(MAX_CLIENTS + 2); // struct pollfd fds[MAX_CLIENTS + 2]
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
  console.log(`listening on port ${PORT} (poll)`);
  let running = true;
  while (running) {
    // fds[0] is the listener, fds[1] the signalfd; the clients follow, each with what it
    // waits for now.
    fds[0].fd = server_fd;
    fds[0].events = clients.size < MAX_CLIENTS ? POLLIN : 0;
    fds[1].fd = sfd;
    fds[1].events = POLLIN;
    let nfds = 2;
    for (const c of clients.values()) {
      fds[nfds].fd = c.fd;
      fds[nfds].events = (c.wantRead ? POLLIN : 0) | (c.wantWrite ? POLLOUT : 0);
      nfds++;
    }

    let activity = 0;
    try {
      activity = poll(fds, nfds, -1); // -1: until something is ready
    } catch (err) {
      if (!isEINTR(err)) throw err; // another signal's handler ran: wait again
    }

    // After EINTR poll leaves revents as the last round wrote them: read them only when activity > 0.
    if (activity > 0) {
      for (let i = 2; i < nfds; i++) {
        const revents = fds[i].revents;
        if (revents === 0) continue;
        const c = clients.get(fds[i].fd)!;
        if (!c.serve((revents & (POLLIN | POLLHUP | POLLERR)) !== 0, (revents & POLLOUT) !== 0)) closeClient(c);
      }
      if (fds[0].revents & POLLIN) {
        const new_socket = tryAccept(server_fd, address); // fills address with the client's ip and port
        if (new_socket >= 0) { // -EAGAIN: the connection was gone before we accepted it
          setNonBlocking(new_socket);
          const c = new Client(new_socket, `${inet_ntop(AF_INET, address.sin_addr)}:${ntohs(address.sin_port)}`);
          console.log(`new connection: fd ${new_socket}, ${c.name}`);
          clients.set(new_socket, c);
        }
      }
      if (fds[1].revents & POLLIN) {
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
