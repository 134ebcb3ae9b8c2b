// A small rtnetlink client for sockfd/testnet (internal, not exported from the package root):
// one NETLINK_ROUTE socket, requests built with the netns structs and macros, each answered by
// the kernel's ACK or NLMSG_ERROR (thrown as ErrnoError, syscall = the request's RTM_ name).
//
// The socket works in the network namespace of the thread that created it, for its whole life,
// whichever thread later uses its fd: sockfd/testnet creates one inside each host's worker and
// drives it from the main thread, so links, addresses and qdiscs change without waiting for a
// host's (possibly busy) thread, and the main thread never joins a namespace.
import { binding } from './binding';
import {
  AF_INET, AF_INET6, AF_NETLINK, AF_UNSPEC, IFA_ADDRESS, IFA_F_NODAD, IFA_LOCAL, IFF_UP, IFLA_IFNAME, IFLA_INFO_DATA,
  IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_NET_NS_FD, MSG_DONTWAIT, NETLINK_ROUTE, NLMSG_ERROR, NLM_F_ACK, NLM_F_CREATE,
  NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, RTA_DST, RTA_GATEWAY, RTM_DELADDR, RTM_DELQDISC, RTM_GETLINK, RTM_NEWADDR,
  RTM_NEWLINK, RTM_NEWQDISC, RTM_NEWROUTE, RTM_SETLINK, RTN_UNICAST, RTPROT_BOOT, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN, SOCK_CLOEXEC, SOCK_RAW, SOL_SOCKET, SO_NETNS_COOKIE, TCA_KIND, TCA_OPTIONS, TCA_TBF_BURST, TCA_TBF_PARMS,
  TC_H_ROOT, TC_LINKLAYER_ETHERNET, VETH_INFO_PEER,
} from './constants';
import { ErrnoError } from './errors';
import { recv, send } from './io';
import { NLMSG_DATA, NLMSG_NEXT, NLMSG_OK, NLMSG_SPACE, RTA_LENGTH, RTA_SPACE, ifaddrmsg, ifinfomsg, nlmsgError, nlmsghdr, rtmsg, tc_tbf_qopt, tcmsg } from './netns';
import { sockaddr_nl } from './sockaddr';
import { bind, close, socket } from './socket';
import { getsockopt } from './sockopt';
import { LE } from './struct';

/** One attribute: its type and either its data or nested attributes. */
export type Attr = [type: number, value: Uint8Array | Attr[]];

const NAMES: Record<number, string> = {
  [RTM_NEWLINK]: 'RTM_NEWLINK', [RTM_SETLINK]: 'RTM_SETLINK', [RTM_GETLINK]: 'RTM_GETLINK', [RTM_NEWADDR]: 'RTM_NEWADDR',
  [RTM_DELADDR]: 'RTM_DELADDR', [RTM_NEWROUTE]: 'RTM_NEWROUTE', [RTM_NEWQDISC]: 'RTM_NEWQDISC', [RTM_DELQDISC]: 'RTM_DELQDISC',
};

/** A NUL-terminated string attribute value. */
export const str = (s: string): Uint8Array => Buffer.from(s + '\0');
/** A __u32 attribute value in host byte order. */
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, LE);
  return b;
}

/** The bytes of `attrs`, each an rtattr padded to RTA_ALIGNTO. */
export function encodeAttrs(attrs: Attr[]): Uint8Array {
  const parts = attrs.map(([type, value]) => {
    const data = value instanceof Uint8Array ? value : encodeAttrs(value);
    const out = new Uint8Array(RTA_SPACE(data.length));
    const v = new DataView(out.buffer);
    v.setUint16(0, RTA_LENGTH(data.length), LE); // rta_len
    v.setUint16(2, type, LE); // rta_type
    out.set(data, RTA_LENGTH(0));
    return out;
  });
  return Buffer.concat(parts);
}

/** An address with its prefix length: '10.0.0.1/24' or 'fd00::1/64'. */
export function parseCidr(fn: string, cidr: string): { family: number; addr: Uint8Array; prefixlen: number } {
  const m = typeof cidr === 'string' ? /^([^/]+)\/(\d{1,3})$/.exec(cidr) : null;
  const family = m?.[1].includes(':') ? AF_INET6 : AF_INET;
  const addr = new Uint8Array(family === AF_INET ? 4 : 16);
  const prefixlen = Number(m?.[2]);
  if (!m || binding.inet_pton(family, m[1], addr) !== 1 || prefixlen > addr.length * 8) {
    throw new RangeError(`${fn}: address must be 'a.b.c.d/len' or 'v6::addr/len', got ${JSON.stringify(cidr)}`);
  }
  return { family, addr, prefixlen };
}

export class Rtnl {
  readonly fd: number;
  #seq = 1;
  #buf = new Uint8Array(65536);

  /**
   * Opens a NETLINK_ROUTE socket in the calling thread's network namespace, or drives `fd`, an
   * rtnetlink socket opened elsewhere (its namespace is the one it was made in).
   */
  constructor(fd?: number) {
    if (fd !== undefined) {
      this.fd = fd;
      return;
    }
    this.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    try {
      bind(this.fd, new sockaddr_nl());
    } catch (e) {
      close(this.fd);
      throw e;
    }
  }

  /** The network namespace's cookie (SO_NETNS_COOKIE): equal for every socket made in it. */
  cookie(): bigint {
    return netnsCookie(this.fd);
  }

  /**
   * Sends one request (header + `body` + `attrs`) with NLM_F_ACK and returns the replies that
   * came before the ACK; an NLMSG_ERROR with a nonzero error throws it as ErrnoError.
   */
  request(type: number, flags: number, body: Uint8Array, attrs: Attr[] = []): Uint8Array[] {
    const a = encodeAttrs(attrs);
    const msg = new Uint8Array(NLMSG_SPACE(body.length) + a.length);
    const h = new nlmsghdr(msg);
    h.nlmsg_len = msg.length;
    h.nlmsg_type = type;
    h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    const seq = (this.#seq = (this.#seq % 0x7fffffff) + 1);
    h.nlmsg_seq = seq;
    msg.set(body, NLMSG_SPACE(0));
    msg.set(a, NLMSG_SPACE(body.length));
    send(this.fd, msg);
    const replies: Uint8Array[] = [];
    // The kernel handles an rtnetlink request inside sendmsg: its answer is queued before send
    // returns, so MSG_DONTWAIT never waits (an EAGAIN here would be a kernel without an answer).
    for (;;) {
      const buf = this.#buf;
      const n = recv(this.fd, buf, buf.length, MSG_DONTWAIT);
      const len = new Int32Array([n]);
      for (let nh: nlmsghdr | null = new nlmsghdr(buf); NLMSG_OK(nh, len[0]); nh = NLMSG_NEXT(nh!, len)) {
        if (nh!.nlmsg_seq !== seq) continue;
        if (nh!.nlmsg_type === NLMSG_ERROR) {
          const err = nlmsgError(nh!, NAMES[type] ?? `rtnetlink ${type}`);
          if (err !== null) throw err;
          return replies;
        }
        replies.push(NLMSG_DATA(nh!).slice());
      }
    }
  }

  /** The index of the interface named `name` in this namespace (ENODEV if none). */
  ifindex(name: string): number {
    const [reply] = this.request(RTM_GETLINK, 0, new ifinfomsg().bytes, [[IFLA_IFNAME, str(name)]]);
    if (reply === undefined) throw new ErrnoError('RTM_GETLINK', binding.errnos.ENODEV);
    return new ifinfomsg(reply).ifi_index;
  }

  /** Sets IFF_UP on or off (ip link set dev up/down). */
  setUp(ifindex: number, up: boolean): void {
    const ifi = new ifinfomsg();
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    ifi.ifi_flags = up ? IFF_UP : 0;
    ifi.ifi_change = IFF_UP;
    this.request(RTM_SETLINK, 0, ifi.bytes);
  }

  /** Creates a veth pair: `name` here, `peerName` in the namespace `peerNsFd` names. */
  addVeth(name: string, peerName: string, peerNsFd: number): void {
    const peer = Buffer.concat([new ifinfomsg().bytes, encodeAttrs([[IFLA_IFNAME, str(peerName)], [IFLA_NET_NS_FD, u32(peerNsFd)]])]);
    this.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, new ifinfomsg().bytes, [
      [IFLA_IFNAME, str(name)],
      [IFLA_LINKINFO, [[IFLA_INFO_KIND, str('veth')], [IFLA_INFO_DATA, [[VETH_INFO_PEER, peer]]]]],
    ]);
  }

  /** Adds (or with del, removes) an address: ip addr add 10.0.0.1/24 dev <ifindex>. */
  address(ifindex: number, cidr: string, del = false): void {
    const { family, addr, prefixlen } = parseCidr(del ? 'delAddress' : 'addAddress', cidr);
    const ifa = new ifaddrmsg();
    ifa.ifa_family = family;
    ifa.ifa_prefixlen = prefixlen;
    ifa.ifa_flags = family === AF_INET6 ? IFA_F_NODAD : 0; // usable at once, no duplicate detection wait
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = ifindex;
    this.request(del ? RTM_DELADDR : RTM_NEWADDR, del ? 0 : NLM_F_CREATE | NLM_F_EXCL, ifa.bytes, [
      [IFA_LOCAL, addr],
      [IFA_ADDRESS, addr],
    ]);
  }

  /** Adds a route to `dst` (a cidr, '0.0.0.0/0' for default) via `gateway`, or on-link over `oif`. */
  route(dst: string, gateway: string | undefined, oif: number | undefined): void {
    const d = parseCidr('addRoute', dst);
    const r = new rtmsg();
    r.rtm_family = d.family;
    r.rtm_dst_len = d.prefixlen;
    r.rtm_table = RT_TABLE_MAIN;
    r.rtm_protocol = RTPROT_BOOT;
    r.rtm_scope = gateway === undefined ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    r.rtm_type = RTN_UNICAST;
    const attrs: Attr[] = [[RTA_DST, d.addr]];
    if (gateway !== undefined) {
      const g = new Uint8Array(d.addr.length);
      if (binding.inet_pton(d.family, gateway, g) !== 1) throw new RangeError(`addRoute: via must be an address, got ${JSON.stringify(gateway)}`);
      attrs.push([RTA_GATEWAY, g]);
    }
    if (oif !== undefined) attrs.push([binding.constants.RTA_OIF, u32(oif)]);
    this.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r.bytes, attrs);
  }

  /** Replaces the root qdisc of `ifindex` with tbf: `rate` bytes/s, `burst` and `limit` bytes. */
  tbf(ifindex: number, rate: number, burst: number, limit: number): void {
    const q = new tc_tbf_qopt();
    q.rate.rate = rate;
    q.rate.linklayer = TC_LINKLAYER_ETHERNET; // no rate table needed (the kernel computes)
    q.limit = limit;
    this.request(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, this.#root(ifindex), [
      [TCA_KIND, str('tbf')],
      [TCA_OPTIONS, [[TCA_TBF_PARMS, q.bytes], [TCA_TBF_BURST, u32(burst)]]],
    ]);
  }

  /** Adds a root qdisc of `kind` with no options (a probe: ENOENT when the kernel lacks it). */
  qdisc(ifindex: number, kind: string, options: Uint8Array): void {
    this.request(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, this.#root(ifindex), [
      [TCA_KIND, str(kind)],
      [TCA_OPTIONS, options],
    ]);
  }

  /** Deletes the root qdisc (back to the default); ENOENT if there was none to delete. */
  delQdisc(ifindex: number): void {
    this.request(RTM_DELQDISC, 0, this.#root(ifindex));
  }

  #root(ifindex: number): Uint8Array {
    const t = new tcmsg();
    t.tcm_family = AF_UNSPEC;
    t.tcm_ifindex = ifindex;
    t.tcm_parent = TC_H_ROOT;
    return t.bytes;
  }
}

/** SO_NETNS_COOKIE of a socket: the id of the network namespace it lives in. */
export function netnsCookie(fd: number): bigint {
  const b = new BigUint64Array(1);
  getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, b);
  return b[0];
}
