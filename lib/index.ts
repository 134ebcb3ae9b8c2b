// sockfd — POSIX sockets and select/poll/epoll at the file-descriptor level, 1:1 with C.
// Each family lives in lib/<family>.ts beside native/<family>.cc; this file only re-exports.
export * from './constants';
export * from './errors';
export { Struct, timeval, timespec, linger, sizeof } from './struct';
// sockaddr.ts also exports brand checks for the other wrappers; only the public names go out.
export {
  htons,
  ntohs,
  htonl,
  ntohl,
  in_addr,
  in6_addr,
  Sockaddr,
  socklen_t,
  type Addrlen,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_un,
  sockaddr_nl,
  sockaddr_storage,
  parseAddress,
} from './sockaddr';
export * from './inet';
export * from './socket';
export * from './io';
export * from './sockopt';
export * from './ucred';
export * from './netif';
export * from './select';
export * from './poll';
export * from './epoll';
export * from './eventfd';
// msg.ts's tryMsg is the async layer's, not public.
export {
  iovec, type IovecArray, readv, writev, msghdr, sendmsg, recvmsg, mmsghdr, type MmsghdrArray, sendmmsg, recvmmsg,
  cmsghdr, CMSG_SPACE, CMSG_LEN, CMSG_FIRSTHDR, CMSG_NXTHDR, CMSG_DATA, scmRights, in_pktinfo, in6_pktinfo,
} from './msg';
export * from './uring';
export * from './netns';
export * from './async';
