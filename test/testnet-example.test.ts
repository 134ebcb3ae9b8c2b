import { describe, expect, it } from 'vitest';
import { Testnet, testnetUnavailable } from '../lib/testnet';

describe('my server across a real link', () => {
  it('echoes what a client on another host sends', async (ctx) => {
    const why = testnetUnavailable(); // CAP_SYS_ADMIN + CAP_NET_ADMIN: run as root
    if (why !== null) ctx.skip(why);
    const net = new Testnet();
    try {
      const [server, client] = await net.hosts('server', 'client');
      net.link(server, '10.0.0.1/24', client, '10.0.0.2/24');

      // Each function runs on its host's thread and gets the sockfd module as `s`. It travels
      // as source text: use only its parameters, globals and require(), not outer variables.
      const served = server.run((s, port: number) => {
        const lfd = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
        s.bind(lfd, s.parseAddress(`10.0.0.1:${port}`));
        s.listen(lfd, 1);
        const c = s.accept(lfd);
        const buf = Buffer.alloc(1024);
        const n = s.recv(c, buf);
        s.send(c, buf, n);
        s.close(c);
        s.close(lfd);
        return n;
      }, [7000]);

      const reply = await client.run(async (s, port: number) => {
        const fd = s.socket(s.AF_INET, s.SOCK_STREAM, 0);
        // the server may still be on its way to listen(): retry a refused connect
        for (let i = 0; ; i++) {
          try {
            s.connect(fd, s.parseAddress(`10.0.0.1:${port}`));
            break;
          } catch (e) {
            if ((e as { code?: string }).code !== 'ECONNREFUSED' || i === 50) throw e;
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        s.send(fd, Buffer.from('hello over veth'));
        const buf = Buffer.alloc(1024);
        const n = s.recv(fd, buf);
        s.close(fd);
        return buf.toString('utf8', 0, n);
      }, [7000]);

      expect(reply).toBe('hello over veth');
      expect(await served).toBe(15);
    } finally {
      await net.close(); // namespaces, links and leftover sockets go, also when the test failed
    }
  }, 20_000);
});
