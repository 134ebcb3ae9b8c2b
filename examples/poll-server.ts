// An echo server over many clients with poll, step by step as in C.
// Run: npx tsx examples/poll-server.ts 8888 [bind_ip]   (default INADDR_ANY, every interface)
import {
  AF_INET, INADDR_ANY, POLLERR, POLLHUP, POLLIN, POLLOUT, SOCK_STREAM, SOL_SOCKET, SOMAXCONN,
  SO_REUSEADDR, bind, close, htons, inet_addr, inet_ntop, listen, ntohs, poll, pollfd, setsockopt,
  sockaddr_in, socket, tryAccept,
} from '../lib';
import { bindIpArg, isEINTR, portArg, run, setNonBlocking, tick } from './common';
import { Client } from './echo';

const PORT = portArg('poll-server', ' [bind_ip]');
const BIND_IP = bindIpArg('poll-server');
const TIMEOUT_MS = 250; // the wait's timeout: see the comment on signals at the end of the loop
const MAX_CLIENTS = 1024;

let running = true;
process.on('SIGINT', () => (running = false));
process.on('SIGTERM', () => (running = false));

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
  console.log(`listening on port ${PORT} (poll)`);

  const fds = pollfd.array(MAX_CLIENTS + 1); // struct pollfd fds[MAX_CLIENTS + 1]
  const clients = new Map<number, Client>();

  function closeClient(c: Client): void {
    close(c.fd);
    clients.delete(c.fd);
    console.log(`client ${c.name} disconnected, fd ${c.fd} closed`);
  }

  while (running) {
    // fds[0] is the listener; the clients follow, each with what it waits for now.
    fds[0].fd = server_fd;
    fds[0].events = clients.size < MAX_CLIENTS ? POLLIN : 0;
    let nfds = 1;
    for (const c of clients.values()) {
      fds[nfds].fd = c.fd;
      fds[nfds].events = (c.wantRead ? POLLIN : 0) | (c.wantWrite ? POLLOUT : 0);
      nfds++;
    }

    let activity = 0;
    try {
      activity = poll(fds, nfds, TIMEOUT_MS);
    } catch (err) {
      if (!isEINTR(err)) throw err;
    }

    // After EINTR poll leaves revents as the last round wrote them: read them only when activity > 0.
    if (activity > 0) {
      for (let i = 1; i < nfds; i++) {
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
    }

    // A JS signal handler cannot run while poll blocks in native code. The signal makes
    // poll fail with EINTR (caught above), and the handler runs once the event loop gets a
    // turn: so every round yields one tick, then `running` is checked. Node may need more than
    // one turn to deliver a signal, or it may land between the tick and the next wait, so the
    // wait also wakes every 250 ms where C would wait forever (-1).
    await tick();
  }

  for (const c of clients.values()) closeClient(c);
  close(server_fd);
  console.log('server stopped');
  return 0;
});
