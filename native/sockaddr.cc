// sockaddr.cc — layouts of the address structs and the small structs options use.
//
// man 7 ip (sockaddr_in), man 7 ipv6 (sockaddr_in6), man 7 unix (sockaddr_un),
// man 7 socket (linger, timeval for SO_RCVTIMEO/SO_SNDTIMEO), man 2 select (timeval),
// man 2 ppoll (timespec).
//
// lib/sockaddr.ts and lib/struct.ts build each struct as one buffer of exactly `size`
// bytes and read fields at these offsets, so a call hands the kernel the caller's bytes
// with no conversion and no copy. Nothing in TypeScript guesses a size or an offset.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>

#include <cstddef>

#include "common.h"

namespace sockfd {

void InitSockaddr(napi_env env, napi_value exports) {
  SetLayout(env, exports, "sockaddr_in",
            {{"size", sizeof(sockaddr_in)},
             {"sin_family", offsetof(sockaddr_in, sin_family)},
             {"sin_port", offsetof(sockaddr_in, sin_port)},
             {"sin_addr", offsetof(sockaddr_in, sin_addr)}});
  SetLayout(env, exports, "sockaddr_in6",
            {{"size", sizeof(sockaddr_in6)},
             {"sin6_family", offsetof(sockaddr_in6, sin6_family)},
             {"sin6_port", offsetof(sockaddr_in6, sin6_port)},
             {"sin6_flowinfo", offsetof(sockaddr_in6, sin6_flowinfo)},
             {"sin6_addr", offsetof(sockaddr_in6, sin6_addr)},
             {"sin6_scope_id", offsetof(sockaddr_in6, sin6_scope_id)}});
  SetLayout(env, exports, "sockaddr_un",
            {{"size", sizeof(sockaddr_un)},
             {"sun_family", offsetof(sockaddr_un, sun_family)},
             {"sun_path", offsetof(sockaddr_un, sun_path)}});
  SetLayout(env, exports, "sockaddr_storage",
            {{"size", sizeof(sockaddr_storage)}, {"ss_family", offsetof(sockaddr_storage, ss_family)}});
  SetLayout(env, exports, "linger",
            {{"size", sizeof(linger)},
             {"l_onoff", offsetof(linger, l_onoff)},
             {"l_linger", offsetof(linger, l_linger)}});
  SetLayout(env, exports, "timeval",
            {{"size", sizeof(timeval)},
             {"tv_sec", offsetof(timeval, tv_sec)},
             {"tv_usec", offsetof(timeval, tv_usec)}});
  SetLayout(env, exports, "timespec",
            {{"size", sizeof(timespec)},
             {"tv_sec", offsetof(timespec, tv_sec)},
             {"tv_nsec", offsetof(timespec, tv_nsec)}});
}

}  // namespace sockfd
