// sockfd/testnet: hosts with their own network stacks (worker threads in network namespaces),
// joined by veth links, with real faults. Every test builds its own Testnet and closes it in a
// finally; every wait is bounded. Each test needs CAP_SYS_ADMIN and CAP_NET_ADMIN (root) and
// is skipped with that note without them (test/helpers/tools.ts); CI runs as root.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as S from './helpers/lib';
import { requirePeers, requireTestnet } from './helpers/tools';
import { Testnet, type Host } from '../lib/testnet';

const root = path.join(__dirname, '..');
// Child processes start slowly under ASan (npm run test:asan preloads it into every child).
const SLOW = process.env.SOCKFD_SANITIZED === '1' ? 4 : 1;

// ---- what the initial namespace and the process hold -----------------------------------

/** Interfaces of the initial namespace (the test's own thread never leaves it). */
const initialIfaces = (): string[] => readdirSync('/sys/class/net').sort();
/** Every network-namespace inode any thread of any process is in. */
function liveNetns(): Set<number> {
  const out = new Set<number>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        out.add(Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/task/${tid}/ns/net`))![1]));
      } catch {
        // exited meanwhile
      }
    }
  }
  return out;
}
/** Bind mounts of namespaces (what `ip netns add` leaves): nsfs entries in the mount table. */
const nsfsMounts = (): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / - nsfs /.test(l));
/** What `ip netns list` lists. */
const namedNetns = (): string[] => (existsSync('/run/netns') ? readdirSync('/run/netns').sort() : []);
/** This process's sockets living in one of `cookies`' namespaces. */
function socketsIn(cookies: bigint[]): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (!readlinkSync(`/proc/self/fd/${name}`).startsWith('socket:')) continue;
      const b = new BigUint64Array(1);
      S.getsockopt(Number(name), S.SOL_SOCKET, S.SO_NETNS_COOKIE, b);
      if (cookies.includes(b[0])) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}
async function eventually(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(25);
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A listening TCP socket on `host` at ip:port; returns its fd (usable from this thread). */
function listenOn(host: Host, ip: string, port: number): Promise<number> {
  return host.run((s, ip: string, port: number) => {
    const fd = s.socket(s.AF_INET, s.SOCK_STREAM | s.SOCK_CLOEXEC, 0);
    s.setsockopt(fd, s.SOL_SOCKET, s.SO_REUSEADDR, 1);
    s.bind(fd, s.parseAddress(`${ip}:${port}`));
    s.listen(fd, 16);
    return fd;
  }, [ip, port]);
}
/** A connected, non-blocking TCP client on `host`; TCP_USER_TIMEOUT `userTimeoutMs` if given. */
function connectFrom(host: Host, ip: string, port: number, userTimeoutMs = 0): Promise<number> {
  return host.run((s, ip: string, port: number, uto: number) => {
    const fd = s.socket(s.AF_INET, s.SOCK_STREAM | s.SOCK_CLOEXEC, 0);
    if (uto > 0) s.setsockopt(fd, s.IPPROTO_TCP, s.TCP_USER_TIMEOUT, uto);
    s.connect(fd, s.parseAddress(`${ip}:${port}`));
    s.fcntl(fd, s.F_SETFL, s.fcntl(fd, s.F_GETFL) | s.O_NONBLOCK);
    return fd;
  }, [ip, port, userTimeoutMs]);
}
/** accept on a listener whose connection is already queued, made non-blocking. */
function acceptNow(lfd: number): number {
  const fd = S.accept4(lfd, null, null, S.SOCK_NONBLOCK | S.SOCK_CLOEXEC);
  return fd;
}
/** Byte i of the test stream: i mod 251, so a lost, doubled or reordered byte shows. */
function pattern(start: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) b[i] = (start + i) % 251;
  return b;
}

describe('sockfd/testnet', () => {
  it('two hosts over a veth pair: a server on one, a client on the other, data both ways', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [a, b] = await net.hosts('a', 'b');
      const link = net.link(a, '10.0.0.1/24', b, '10.0.0.2/24');
      expect([link.ifa, link.ifb]).toEqual(['eth0', 'eth0']);
      expect(a.nsInode).not.toBe(b.nsInode);
      const lfd = await listenOn(a, '10.0.0.1', 7000);
      // The server runs on a's thread (blocking calls are fine there), the client on b's.
      const served = a.run((s, lfd: number) => {
        const peer = new s.sockaddr_in();
        const c = s.accept(lfd, peer);
        const buf = Buffer.alloc(65536);
        let total = 0;
        for (let n; (n = s.recv(c, buf)) > 0; total += n) s.sendAll(c, buf.subarray(0, n));
        s.close(c);
        s.close(lfd);
        return { total, peer: peer.toString().split(':')[0] };
      }, [lfd]);
      const got = await b.run((s) => {
        const fd = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
        s.connect(fd, s.parseAddress('10.0.0.1:7000'));
        const local = new s.sockaddr_in();
        s.getsockname(fd, local);
        const msg = Buffer.alloc(200_000, 'x');
        const reply = Buffer.alloc(msg.length);
        let got = 0;
        let sent = 0;
        s.fcntl(fd, s.F_SETFL, s.O_NONBLOCK);
        while (got < reply.length) {
          if (sent < msg.length) {
            const n = s.trySend(fd, msg, msg.length - sent, 0, sent);
            if (n > 0) sent += n;
          }
          const r = s.tryRecv(fd, reply, reply.length - got, 0, got);
          if (r > 0) got += r;
          else if (r === 0) break;
          else s.poll([{ fd, events: s.POLLIN | s.POLLOUT, revents: 0 }].map((p) => Object.assign(new s.pollfd(), p)), 1, 100);
        }
        s.shutdown(fd, s.SHUT_WR);
        s.close(fd);
        return { got, same: reply.equals(msg), local: local.toString().split(':')[0] };
      });
      expect(got).toEqual({ got: 200_000, same: true, local: '10.0.0.2' });
      expect(await served).toEqual({ total: 200_000, peer: '10.0.0.2' });
    } finally {
      await net.close();
    }
  }, 20_000);

  it('the documents\' flow: the select, poll and epoll example servers on one host, clients on another', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [server, clients] = await net.hosts('server', 'clients');
      net.link(server, '10.0.0.1/24', clients, '10.0.0.2/24');
      const flows = ['select-server.ts', 'poll-server.ts', 'epoll-server.ts'];
      // Each example runs unchanged as a child process spawned from the server host's thread:
      // a child inherits its parent thread's network namespace.
      const pids = await server.run(async (s, root: string, files: string[], wait: number) => {
        const cp = require('node:child_process') as typeof import('node:child_process');
        const g = globalThis as unknown as { servers: import('node:child_process').ChildProcess[] };
        g.servers = [];
        return Promise.all(files.map((file, i) => new Promise<number>((resolve, reject) => {
          const child = cp.spawn(process.execPath, ['--import', 'tsx', `examples/${file}`, String(8001 + i), '10.0.0.1'], {
            cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
          });
          g.servers.push(child);
          let out = '';
          child.stdout!.on('data', (d: Buffer) => {
            out += d;
            if (out.includes('listening on port')) resolve(child.pid!);
          });
          child.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${out}`)));
          setTimeout(() => reject(new Error(`${file} did not listen within ${wait} ms: ${out}`)), wait).unref();
        })));
      }, [root, flows, 15_000 * SLOW]);
      expect(pids).toHaveLength(3);
      try {
        for (let i = 0; i < flows.length; i++) {
          // The example client, unchanged, on the other host...
          const out = await clients.run((s, root: string, port: number, wait: number) => {
            const cp = require('node:child_process') as typeof import('node:child_process');
            return cp.execFileSync(process.execPath, ['--import', 'tsx', 'examples/client.ts', String(port), '10.0.0.1', 'hello', 'across'],
              { cwd: root, timeout: wait, encoding: 'utf8' });
          }, [root, 8001 + i, 15_000 * SLOW]);
          expect(out).toContain('received: hello');
          expect(out).toContain('received: across');
          // ...and a sockfd client that sends 256 KiB before reading: all of it comes back, in order.
          const ok = await clients.run((s, port: number) => {
            const fd = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
            s.setsockopt(fd, s.SOL_SOCKET, s.SO_RCVTIMEO, new s.timeval(5, 0));
            s.connect(fd, s.parseAddress(`10.0.0.1:${port}`));
            const msg = Buffer.alloc(256 * 1024);
            for (let i = 0; i < msg.length; i++) msg[i] = i % 251;
            s.sendAll(fd, msg);
            const back = Buffer.alloc(msg.length);
            for (let got = 0; got < back.length; ) {
              const n = s.recv(fd, back, back.length - got, 0, got);
              if (n === 0) break;
              got += n;
            }
            s.close(fd);
            return back.equals(msg);
          }, [8001 + i]);
          expect(ok, flows[i]).toBe(true);
        }
      } finally {
        const codes = await server.run(async () => {
          const g = globalThis as unknown as { servers: import('node:child_process').ChildProcess[] };
          return Promise.all(g.servers.map((c) => new Promise((resolve) => {
            if (c.exitCode !== null) return resolve(c.exitCode);
            c.once('exit', (code) => resolve(code));
            c.kill('SIGTERM');
          })));
        });
        expect(codes).toEqual([0, 0, 0]);
      }
    } finally {
      await net.close();
    }
  }, 90_000 * SLOW);

  it('link down mid-transfer: the sender\'s buffer fills, then TCP_USER_TIMEOUT ends it with ETIMEDOUT', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [a, b] = await net.hosts('a', 'b');
      const link = net.link(a, '10.0.0.1/24', b, '10.0.0.2/24');
      const lfd = await listenOn(b, '10.0.0.2', 7001);
      const USER_TIMEOUT = 1500;
      const cfd = await connectFrom(a, '10.0.0.2', 7001, USER_TIMEOUT);
      const sfd = acceptNow(lfd);
      const chunk = Buffer.alloc(65536, 1);
      const sink = Buffer.alloc(65536);
      // Data flows...
      let received = 0;
      for (const end = Date.now() + 200; Date.now() < end; ) {
        S.trySend(cfd, chunk);
        for (let n; (n = S.tryRecv(sfd, sink)) > 0; ) received += n;
        await sleep(5);
      }
      expect(received).toBeGreaterThan(0);
      // ...the link goes down: nothing is acknowledged any more, so send fills the buffer.
      link.down();
      const downAt = Date.now();
      let sendBlocked = false;
      for (const end = Date.now() + 5000; Date.now() < end && !sendBlocked; ) {
        if (S.trySend(cfd, chunk) === -S.EAGAIN) sendBlocked = true;
      }
      expect(sendBlocked, 'send returned EAGAIN: the send buffer is full').toBe(true);
      const outq = new Int32Array(1);
      S.ioctl(cfd, S.SIOCOUTQ, outq);
      expect(outq[0]).toBeGreaterThan(0);
      // The retransmissions go unanswered until TCP_USER_TIMEOUT aborts the connection.
      let err: unknown;
      for (const end = Date.now() + 10_000; Date.now() < end && err === undefined; ) {
        try {
          S.send(cfd, chunk, 1, S.MSG_DONTWAIT);
        } catch (e) {
          if ((e as S.ErrnoError).code !== 'EAGAIN') err = e;
        }
        await sleep(50);
      }
      const after = Date.now() - downAt;
      expect(err).toBeInstanceOf(S.ErrnoError);
      expect((err as S.ErrnoError).code).toBe('ETIMEDOUT');
      expect(after).toBeGreaterThanOrEqual(USER_TIMEOUT - 100);
      expect(after).toBeLessThan(10_000);
      S.close(cfd);
      S.close(sfd);
      S.close(lfd);
    } finally {
      await net.close();
    }
  }, 30_000);

  it('link down, then up again: the same connection resumes and every byte arrives, in order', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [a, b] = await net.hosts('a', 'b');
      const link = net.link(a, '10.0.0.1/24', b, '10.0.0.2/24');
      const lfd = await listenOn(b, '10.0.0.2', 7002);
      const cfd = await connectFrom(a, '10.0.0.2', 7002);
      const sfd = acceptNow(lfd);
      const TOTAL = 8 * 1024 * 1024;
      const want = pattern(0, TOTAL);
      const got = Buffer.alloc(TOTAL);
      let sent = 0;
      let recvd = 0;
      let phase: 'before' | 'down' | 'after' = 'before';
      let downAt = 0;
      let blockedWhileDown = false;
      const deadline = Date.now() + 20_000;
      while (recvd < TOTAL && Date.now() < deadline) {
        if (sent < TOTAL) {
          const n = S.trySend(cfd, want, Math.min(65536, TOTAL - sent), 0, sent);
          if (n > 0) sent += n;
          else if (phase === 'down') blockedWhileDown = true;
        }
        if (phase !== 'down') {
          for (let n; recvd < TOTAL && (n = S.tryRecv(sfd, got, TOTAL - recvd, 0, recvd)) > 0; ) recvd += n;
        }
        if (phase === 'before' && recvd >= TOTAL / 4) {
          link.down();
          phase = 'down';
          downAt = Date.now();
        } else if (phase === 'down' && Date.now() - downAt >= 1500) {
          link.up();
          phase = 'after';
        }
        await sleep(1);
      }
      expect(phase).toBe('after');
      expect(blockedWhileDown).toBe(true);
      expect(recvd).toBe(TOTAL);
      expect(got.equals(want)).toBe(true);
      expect(S.getsockopt(cfd, S.SOL_SOCKET, S.SO_ERROR)).toBe(0);
      S.close(cfd);
      S.close(sfd);
      S.close(lfd);
    } finally {
      await net.close();
    }
  }, 30_000);

  it('connect: no route to the destination throws ENETUNREACH', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const lonely = await net.host('lonely'); // only lo: no route anywhere else
      const code = await lonely.run((s) => {
        const fd = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
        try {
          s.connect(fd, s.parseAddress('10.0.0.2:80'));
          return 'connected';
        } catch (e) {
          return (e as { code: string }).code;
        } finally {
          s.close(fd);
        }
      });
      expect(code).toBe('ENETUNREACH');
      // and through run()'s error path: the ErrnoError arrives whole
      await expect(lonely.run((s) => s.connect(s.socket(s.AF_INET, s.SOCK_DGRAM | s.SOCK_CLOEXEC, 0), s.parseAddress('10.0.0.2:80'))))
        .rejects.toMatchObject({ code: 'ENETUNREACH', errno: S.ENETUNREACH, syscall: 'connect' });
    } finally {
      await net.close();
    }
  }, 20_000);

  // Once 10.0.0.2 is deleted from b, the route to 10.0.0.0/24 still sends a's SYN out of eth0,
  // but nobody answers ARP for 10.0.0.2. After the neighbour probes fail (3 x 1 s by default)
  // the kernel reports EHOSTUNREACH to the connecting socket; if the SYN retries outlast the
  // connect's own limit first (here TCP_USER_TIMEOUT 8 s; an ARP entry still cached from
  // before would also make the SYNs go unanswered) the result is ETIMEDOUT. Both are the
  // kernel's answers for "that address is gone"; anything else is a failure.
  it('connect: a peer whose address is gone gives EHOSTUNREACH or ETIMEDOUT', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [a, b] = await net.hosts('a', 'b');
      const link = net.link(a, '10.0.0.1/24', b, '10.0.0.2/24');
      b.delAddress(link.ifb, '10.0.0.2/24');
      const t0 = Date.now();
      const code = await a.run((s) => {
        const fd = s.socket(s.AF_INET, s.SOCK_STREAM | s.SOCK_NONBLOCK, 0);
        s.setsockopt(fd, s.IPPROTO_TCP, s.TCP_USER_TIMEOUT, 8000);
        try {
          s.connect(fd, s.parseAddress('10.0.0.2:80'));
        } catch (e) {
          if ((e as { code: string }).code !== 'EINPROGRESS') return (e as { code: string }).code;
        }
        const p = new s.pollfd();
        p.fd = fd;
        p.events = s.POLLOUT;
        const n = s.poll([p], 1, 15_000);
        const err = s.getsockopt(fd, s.SOL_SOCKET, s.SO_ERROR);
        s.close(fd);
        return n === 0 ? 'still waiting after 15 s' : (s.errnoName(err) ?? String(err));
      });
      expect(['EHOSTUNREACH', 'ETIMEDOUT']).toContain(code);
      expect(Date.now() - t0).toBeLessThan(16_000);
    } finally {
      await net.close();
    }
  }, 30_000);

  it('tbf: a bulk transfer over a rate-limited link runs at the configured rate (within -25%/+10%)', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [a, b] = await net.hosts('a', 'b');
      const link = net.link(a, '10.0.0.1/24', b, '10.0.0.2/24');
      const RATE = 2_000_000; // bytes per second leaving a
      link.rate(RATE, { from: a });
      const lfd = await listenOn(b, '10.0.0.2', 7003);
      const cfd = await connectFrom(a, '10.0.0.2', 7003);
      const sfd = acceptNow(lfd);
      const chunk = Buffer.alloc(65536, 7);
      const sink = Buffer.alloc(1 << 20);
      // Warm up 0.5 s (the bucket's first burst goes through at once), then measure 2 s.
      let bytes = 0;
      let t0 = 0;
      const start = Date.now();
      while (Date.now() - start < 2500) {
        S.trySend(cfd, chunk);
        for (let n; (n = S.tryRecv(sfd, sink)) > 0; ) bytes += n;
        if (t0 === 0 && Date.now() - start >= 500) {
          t0 = performance.now();
          bytes = 0;
        }
        await sleep(2);
      }
      const rate = bytes / ((performance.now() - t0) / 1000);
      ctx.annotate?.(`tbf ${RATE} B/s: measured ${Math.round(rate)} B/s of TCP payload`);
      // tbf counts Ethernet frames; TCP payload is ~95% of them (1448 of 1514 bytes).
      expect(rate).toBeGreaterThan(RATE * 0.75);
      expect(rate).toBeLessThan(RATE * 1.1);
      link.unlimit({ from: a });
      S.close(cfd);
      S.close(sfd);
      S.close(lfd);
    } finally {
      await net.close();
    }
  }, 30_000);

  it('delay and loss: impair() says netem is not available instead of faking it (or that testnet does not drive it)', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [a, b] = await net.hosts('a', 'b');
      const link = net.link(a, '10.0.0.1/24', b, '10.0.0.2/24');
      expect(() => link.impair({ delayMs: 50 })).toThrow(/netem.*(not available on this kernel|does not drive it yet)/);
    } finally {
      await net.close();
    }
  }, 20_000);

  it('the same port is bound on two hosts at once (separate stacks); on one host the second bind is EADDRINUSE', async (ctx) => {
    requireTestnet(ctx);
    const net = new Testnet();
    try {
      const [a, b] = await net.hosts('a', 'b');
      const bindAny = (s: typeof S) => {
        const fd = s.socket(s.AF_INET, s.SOCK_STREAM | s.SOCK_CLOEXEC, 0);
        const addr = new s.sockaddr_in();
        addr.sin_port = s.htons(8080);
        s.bind(fd, addr);
        s.listen(fd, 1);
        return fd;
      };
      const fa = await a.run(bindAny);
      const fb = await b.run(bindAny);
      expect(fa).not.toBe(fb);
      await expect(a.run(bindAny)).rejects.toMatchObject({ code: 'EADDRINUSE', syscall: 'bind' });
      S.close(fa);
      S.close(fb);
    } finally {
      await net.close();
    }
  }, 20_000);

  it('teardown after a failing test function leaves no socket, thread, namespace, interface or mount behind', async (ctx) => {
    requireTestnet(ctx);
    const ifaces = initialIfaces();
    const mounts = nsfsMounts();
    const named = namedNetns();
    const threads = readdirSync('/proc/self/task').length;
    const net = new Testnet();
    let hosts: Host[] = [];
    let childPid = 0;
    try {
      hosts = await net.hosts('a', 'b');
      net.link(hosts[0], '10.0.0.1/24', hosts[1], '10.0.0.2/24');
      // The test function fails after opening a listener and blocking in accept on b.
      const blocked = hosts[1].run((s) => {
        const fd = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
        s.bind(fd, s.parseAddress('10.0.0.2:9999'));
        s.listen(fd, 1);
        return s.accept(fd);
      });
      blocked.catch(() => {});
      // ...and a child process spawned on a (b's thread is in accept), which would hold a's
      // namespace while it lives.
      childPid = await hosts[0].run((s) => {
        const cp = require('node:child_process') as typeof import('node:child_process');
        return cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }).pid!;
      });
      await expect(hosts[0].run((s) => {
        s.socket(s.AF_INET, s.SOCK_DGRAM, 0); // leaked on purpose
        throw new Error('the test failed');
      })).rejects.toThrow('the test failed');
      await sleep(100);
      expect(socketsIn(hosts.map((h) => h.cookie)).length).toBeGreaterThanOrEqual(2);
      expect(initialIfaces()).toEqual(ifaces); // links never touch the initial namespace
    } finally {
      await net.close();
    }
    const inodes = hosts.map((h) => h.nsInode);
    expect(socketsIn(hosts.map((h) => h.cookie))).toEqual([]);
    // the child is gone (at most a zombie: an exited process holds no namespace)
    await eventually('the child spawned on a exits', 5000, () => {
      try {
        return readFileSync(`/proc/${childPid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
      } catch {
        return true;
      }
    });
    await eventually('the host threads exit', 5000, () => readdirSync('/proc/self/task').length <= threads);
    const live = liveNetns();
    expect(inodes.filter((i) => live.has(i))).toEqual([]);
    expect(initialIfaces()).toEqual(ifaces);
    expect(nsfsMounts()).toEqual(mounts);
    expect(namedNetns()).toEqual(named);
  }, 30_000);

  it('close() rejects, naming the host, when a host thread is blocked where shutdown cannot wake it; the host ends when the call returns', async (ctx) => {
    requireTestnet(ctx);
    const threads = readdirSync('/proc/self/task').length;
    const net = new Testnet();
    const [a] = await net.hosts('a');
    const inode = a.nsInode;
    // An eventfd made here; the host waits on it with no timeout: no socket to shut down.
    const efd = S.eventfd(0, 0);
    try {
      const blocked = a.run((s, fd: number) => {
        const fds = s.pollfd.array(1);
        fds[0].fd = fd;
        fds[0].events = s.POLLIN;
        return s.poll(fds, 1, -1);
      }, [efd]);
      blocked.catch(() => {});
      await sleep(200);
      await expect(net.close(-1)).rejects.toThrow(RangeError);
      const t0 = Date.now();
      await expect(net.close(300)).rejects.toThrow(/host 'a' did not stop within 300 ms/);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(liveNetns().has(inode)).toBe(true); // its thread still holds it
      S.eventfd_write(efd, 1n); // the call returns: the thread, its namespace go
      await eventually('the host thread exits', 5000, () => readdirSync('/proc/self/task').length <= threads);
      await eventually('its namespace goes', 5000, () => !liveNetns().has(inode));
    } finally {
      S.close(efd);
    }
  }, 30_000);

  it('a SIGKILLed process that built hosts and links leaves no namespace or interface behind', async (ctx) => {
    requireTestnet(ctx);
    const ifaces = initialIfaces();
    const mounts = nsfsMounts();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/testnet-child.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, sig) => resolve(sig)));
    try {
      let out = '';
      const report = await new Promise<{ pid: number; inodes: number[] }>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d;
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before it reported: ${out}`)));
        setTimeout(() => reject(new Error(`no report within ${20 * SLOW} s: ${out}`)), 20_000 * SLOW).unref();
      });
      expect(report.inodes).toHaveLength(3);
      expect(report.inodes.every((i) => liveNetns().has(i))).toBe(true);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const live = liveNetns();
      expect(report.inodes.filter((i) => live.has(i))).toEqual([]);
      expect(initialIfaces()).toEqual(ifaces);
      expect(nsfsMounts()).toEqual(mounts);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000 * SLOW);

  it('README: the "Integration tests across hosts" example is test/testnet-example.test.ts, word for word', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const file = readFileSync(path.join(__dirname, 'testnet-example.test.ts'), 'utf8').replace("from '../lib/testnet'", "from 'sockfd/testnet'");
    expect(readme).toContain('## Integration tests across hosts');
    expect(readme).toContain('```ts\n' + file + '```');
  });

  it('without CAP_SYS_ADMIN and CAP_NET_ADMIN: testnetUnavailable() and building a host name the capabilities', (ctx) => {
    requireTestnet(ctx); // root, so that setpriv can take the capabilities away
    requirePeers(ctx, 'setpriv');
    const out = execFileSync('setpriv', ['--bounding-set', '-sys_admin,-net_admin', '--inh-caps', '-sys_admin,-net_admin', '--',
      process.execPath, '--import', 'tsx', 'test/fixtures/testnet-unprivileged.ts'], { cwd: root, encoding: 'utf8', timeout: 20_000 * SLOW });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { why: string; err: string };
    expect(r.why).toMatch(/needs CAP_SYS_ADMIN and CAP_NET_ADMIN/);
    expect(r.err).toMatch(/needs CAP_SYS_ADMIN and CAP_NET_ADMIN.*unshare: EPERM/);
  }, 30_000 * SLOW);
});
