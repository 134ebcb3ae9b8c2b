// What every C example also has, kept out of the way of the flow: the port argument,
// perror(), exit codes, fcntl(O_NONBLOCK), and the signalfd that stops the wait.
import { constants } from 'node:os';
import {
  AF_INET, ErrnoError, F_GETFL, F_SETFL, O_NONBLOCK, SIGINT, SIGTERM, fcntl, in_addr, inet_pton, read,
  routeSignals, sigaddset, signalfd, signalfd_siginfo, sigset_t, strerror,
} from '../lib';

/** argv[2] as a port number; prints the usage line and exits 2 when it is missing or bad. */
export function portArg(program: string, extra = ''): number {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`usage: npx tsx examples/${program}.ts <port>${extra}`);
    process.exit(2);
  }
  return port;
}

/**
 * argv[3] of a server: an optional IPv4 address to bind instead of INADDR_ANY (the tests pass
 * 127.0.0.1 so that they listen on loopback only). Prints the usage line and exits 2 when it
 * is not an IPv4 address.
 */
export function bindIpArg(program: string): string | undefined {
  const ip = process.argv[3];
  if (ip !== undefined && inet_pton(AF_INET, ip, new in_addr()) !== 1) {
    console.error(`usage: npx tsx examples/${program}.ts <port> [bind_ip]  (bind_ip: IPv4, default INADDR_ANY)`);
    process.exit(2);
  }
  return ip;
}

/** perror(s): `s: EADDRINUSE, Address already in use` on stderr. */
export function perror(s: string, err: unknown): void {
  if (err instanceof ErrnoError) console.error(`${s}: ${err.code}, ${strerror(err.errno)}`);
  else console.error(`${s}: ${err instanceof Error ? err.message : String(err)}`);
}

/** True for the ErrnoError a wait (select/poll/epoll_wait) throws when a signal interrupts it. */
export function isEINTR(err: unknown): boolean {
  return err instanceof ErrnoError && err.code === 'EINTR';
}

/**
 * The C way to stop a loop that waits forever on Ctrl-C or `kill`:
 *
 *     sigset_t mask; sigemptyset(&mask); sigaddset(&mask, SIGINT); sigaddset(&mask, SIGTERM);
 *     sigprocmask(SIG_BLOCK, &mask, NULL);
 *     int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
 *
 * and the returned fd goes into the wait set beside the sockets. In Node, blocking the mask
 * in this thread is not enough: the kernel may hand a process-directed SIGINT/SIGTERM to
 * one of Node's other threads. routeSignals blocks the mask here (as sigprocmask) and sends
 * every SIGINT/SIGTERM of the process on to this thread (docs/api.md "routeSignals").
 */
export function stopSignalfd(): number {
  const mask = new sigset_t(); // empty, as after sigemptyset
  sigaddset(mask, SIGINT);
  sigaddset(mask, SIGTERM);
  routeSignals(mask, null); // C: sigprocmask(SIG_BLOCK, &mask, NULL)
  return signalfd(-1, mask, 0); // SFD_CLOEXEC is always added
}

/** read(sfd, &si, sizeof si) when the signalfd is ready; prints the signal and returns it. */
export function readStopSignal(sfd: number): number {
  const si = new signalfd_siginfo();
  read(sfd, si.bytes);
  const name = Object.entries(constants.signals).find(([, n]) => n === si.ssi_signo)?.[0] ?? si.ssi_signo;
  console.log(`got ${name} from pid ${si.ssi_pid}, stopping`);
  return si.ssi_signo;
}

/** fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK): later calls on fd return EAGAIN instead of blocking. */
export function setNonBlocking(fd: number): void {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/**
 * Runs an example's main(). A syscall that fails is reported as C's `perror("bind failed")`
 * would and the process exits 1 (EXIT_FAILURE); otherwise main's return value is the exit code.
 */
export function run(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      perror(err instanceof ErrnoError ? `${err.syscall} failed` : 'error', err);
      process.exitCode = 1;
    },
  );
}
