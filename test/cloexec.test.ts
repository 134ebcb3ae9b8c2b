// Close-on-exec (DESIGN.md "Safety defaults"): every fd the package creates has FD_CLOEXEC
// (man 2 fcntl F_GETFD), so a spawned child inherits none of them; the C way to opt out,
// fcntl(fd, F_SETFD, 0), works. Checked with real children listing /proc/self/fd.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  FD_CLOEXEC,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_SETFD,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  accept,
  accept4,
  connect,
  fcntl,
  socket,
  socketpair,
  tryAccept,
  tryAccept4,
} from './helpers/lib';
import { closeAll, fdTarget, listener4 } from './helpers/util';

/** Creates one fd of every kind the package makes; returns them labelled. */
function everyKind(): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  try {
    out.push(['socket(AF_INET, SOCK_STREAM)', socket(AF_INET, SOCK_STREAM, 0)]);
    out.push(['socket(AF_INET6, SOCK_DGRAM)', socket(AF_INET6, SOCK_DGRAM, 0)]);
    out.push(['socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK)', socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)]);
    for (const type of [SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET]) {
      const sv = new Int32Array(2);
      socketpair(AF_UNIX, type, 0, sv);
      out.push([`socketpair(${type})[0]`, sv[0]], [`socketpair(${type})[1]`, sv[1]]);
    }
    const l = listener4();
    out.push(['listener', l.fd]);
    const accepts: Array<[string, () => number]> = [
      ['accept', () => accept(l.fd)],
      ['accept4(flags 0)', () => accept4(l.fd, null, undefined, 0)],
      ['accept4(SOCK_NONBLOCK)', () => accept4(l.fd, null, undefined, SOCK_NONBLOCK)],
      ['tryAccept', () => tryAccept(l.fd)],
      ['tryAccept4(flags 0)', () => tryAccept4(l.fd, null, undefined, 0)],
    ];
    for (const [name, make] of accepts) {
      const c = socket(AF_INET, SOCK_STREAM, 0);
      out.push([`client for ${name}`, c]);
      connect(c, l.addr);
      const s = make();
      expect(s, name).toBeGreaterThanOrEqual(0);
      out.push([name, s]);
    }
    out.push(['fcntl(F_DUPFD_CLOEXEC)', fcntl(out[0][1], F_DUPFD_CLOEXEC, 0)]);
    return out;
  } catch (e) {
    closeAll(...out.map(([, fd]) => fd));
    throw e;
  }
}

/** The fd targets ("socket:[ino]") a child process sees in its own /proc/self/fd. */
function childFdTargets(): string {
  const r = spawnSync('ls', ['-l', '/proc/self/fd'], { encoding: 'utf8', timeout: 10_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('close-on-exec', () => {
  it('every fd the package creates has FD_CLOEXEC (socket, socketpair, accept, accept4, F_DUPFD_CLOEXEC)', () => {
    const fds = everyKind();
    try {
      for (const [name, fd] of fds) expect(fcntl(fd, F_GETFD) & FD_CLOEXEC, name).toBe(FD_CLOEXEC);
    } finally {
      closeAll(...fds.map(([, fd]) => fd));
    }
  });

  it('a spawned child inherits none of them (ls -l /proc/self/fd)', () => {
    const fds = everyKind();
    try {
      const listing = childFdTargets();
      expect(listing).toMatch(/socket:\[|pipe:\[|\/dev\//); // the child saw its own fds
      for (const [name, fd] of fds) expect(listing, `${name} (${fdTarget(fd)})`).not.toContain(fdTarget(fd));
    } finally {
      closeAll(...fds.map(([, fd]) => fd));
    }
  });

  it('fcntl(fd, F_SETFD, 0) clears FD_CLOEXEC, and then the child does inherit that fd', () => {
    const kept = socket(AF_UNIX, SOCK_DGRAM, 0);
    const other = socket(AF_UNIX, SOCK_DGRAM, 0);
    try {
      expect(fcntl(kept, F_SETFD, 0)).toBe(0);
      expect(fcntl(kept, F_GETFD) & FD_CLOEXEC).toBe(0);
      const listing = childFdTargets();
      expect(listing).toContain(fdTarget(kept));
      expect(listing).not.toContain(fdTarget(other));
      // A node child sees the same: the inherited fd number points at the same socket.
      const r = spawnSync(process.execPath, ['-e', `process.stdout.write(require('fs').readlinkSync('/proc/self/fd/${kept}'))`], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(r.stdout).toBe(fdTarget(kept));
    } finally {
      closeAll(kept, other);
    }
  });

  it('fcntl(F_DUPFD): the duplicate the package creates is close-on-exec too', () => {
    // DESIGN.md: every fd the package creates is close-on-exec; C's F_DUPFD would clear it,
    // so the package must not leave the new fd inheritable (opt out with F_SETFD 0).
    const s = socket(AF_UNIX, SOCK_DGRAM, 0);
    let d = -1;
    try {
      d = fcntl(s, F_DUPFD, 0);
      expect(fcntl(d, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      expect(childFdTargets()).not.toContain(fdTarget(d)); // d shares s's socket inode
    } finally {
      closeAll(d, s);
    }
  });
});

