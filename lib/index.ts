// sockfd — POSIX sockets and select/poll/epoll at the file-descriptor level, 1:1 with C.
// Each family lives in lib/<family>.ts beside native/<family>.cc; this file only re-exports.
export * from './constants';
export * from './errors';
export { Struct, timeval, timespec, linger, sizeof } from './struct';
export * from './sockaddr';
export * from './inet';
export * from './socket';
export * from './io';
export * from './sockopt';
export * from './select';
export * from './poll';
export * from './epoll';
export * from './async';
