// An echo server over many clients with epoll, step by step as in C.
// Run: npx tsx examples/epoll-server.ts 8888 [bind_ip]   (default INADDR_ANY, every interface)
import {
  AF_INET, EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD,
  INADDR_ANY, SOCK_STREAM, SOL_SOCKET, SOMAXCONN, SO_REUSEADDR,
  bind, close, epoll_create1, epoll_ctl, epoll_event, epoll_wait, htons, inet_addr, inet_ntop, listen,
  ntohs, setsockopt, sockaddr_in, socket, tryAccept,
} from '../lib';
import { bindIpArg, isEINTR, portArg, readStopSignal, run, setNonBlocking, stopSignalfd } from './common';
import { Client } from './echo';

const PORT = portArg('epoll-server', ' [bind_ip]');
const BIND_IP = bindIpArg('epoll-server');
const MAX_EVENTS = 64;

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

  const epoll_fd = epoll_create1(0);
  const event = new epoll_event();
  event.events = EPOLLIN;
  event.data.fd = server_fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, server_fd, event);
  // Ctrl-C and SIGTERM arrive as a readable fd in the same set (see common.ts).
  const sfd = stopSignalfd();
  event.events = EPOLLIN;
  event.data.fd = sfd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, sfd, event);
  const events = epoll_event.array(MAX_EVENTS);

  const clients = new Map<number, Client>();
  const armed = new Map<number, number>(); // the events each client fd is registered for

  // Register a client for what it waits for now: EPOLLIN to read, EPOLLOUT while echoes are queued.
  function watch(c: Client): void {
    const want = (c.wantRead ? EPOLLIN : 0) | (c.wantWrite ? EPOLLOUT : 0);
    if (armed.get(c.fd) === want) return;
    event.events = want;
    event.data.fd = c.fd;
    epoll_ctl(epoll_fd, armed.has(c.fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd, event);
    armed.set(c.fd, want);
  }

  function closeClient(c: Client): void {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, null);
    close(c.fd);
    clients.delete(c.fd);
    armed.delete(c.fd);
    console.log(`client ${c.name} disconnected, fd ${c.fd} closed`);
  }

  // Printed once every fd is set up and SIGINT/SIGTERM are routed: from here a signal stops
  // the server cleanly.
  console.log(`listening on port ${PORT} (epoll)`);
  let running = true;
  while (running) {
    let nfds = 0;
    try {
      nfds = epoll_wait(epoll_fd, events, MAX_EVENTS, -1); // -1: until something is ready
    } catch (err) {
      if (!isEINTR(err)) throw err; // another signal's handler ran: wait again
    }

    for (let i = 0; i < nfds; i++) {
      const fd = events[i].data.fd;
      if (fd === sfd) {
        readStopSignal(sfd); // SIGINT or SIGTERM: finish this round, then stop
        running = false;
      } else if (fd === server_fd) {
        const new_socket = tryAccept(server_fd, address); // fills address with the client's ip and port
        if (new_socket < 0) continue; // -EAGAIN: the connection was gone before we accepted it
        setNonBlocking(new_socket);
        const c = new Client(new_socket, `${inet_ntop(AF_INET, address.sin_addr)}:${ntohs(address.sin_port)}`);
        console.log(`new connection: fd ${new_socket}, ${c.name}`);
        clients.set(new_socket, c);
        watch(c);
      } else {
        const c = clients.get(fd)!;
        const ready = events[i].events;
        if (c.serve((ready & (EPOLLIN | EPOLLHUP | EPOLLERR)) !== 0, (ready & EPOLLOUT) !== 0)) watch(c);
        else closeClient(c);
      }
    }
  }

  for (const c of clients.values()) closeClient(c);
  close(sfd);
  close(epoll_fd);
  close(server_fd);
  console.log('server stopped');
  return 0;
});
