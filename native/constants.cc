// constants.cc — exports every constant of native/constants.h under its C name. (Each
// family publishes sizeof/offsetof of its structs itself, through args.h's SetLayout.)
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "common.h"

namespace sockfd {

void InitConstants(napi_env env, napi_value exports) {
  napi_value constants, errnos;
  napi_create_object(env, &constants);
  napi_create_object(env, &errnos);
  auto set = [&](napi_value target, const char* name, double value) {
    napi_value v;
    napi_create_double(env, value, &v);
    napi_set_named_property(env, target, name, v);
  };
  // Each value is converted as C would print it with %llu/%lld: EPOLLET is 2147483648 and
  // INADDR_NONE 4294967295, not their int32 bit patterns.
#define SOCKFD_CONST(name) set(constants, #name, static_cast<double>(name));
#define SOCKFD_ERRNO(name)                        \
  set(constants, #name, static_cast<double>(name)); \
  set(errnos, #name, static_cast<double>(name));
#define SOCKFD_ERRNO_ALIAS(name)                  \
  set(constants, #name, static_cast<double>(name)); \
  set(errnos, #name, static_cast<double>(name));
#include "constants.h"
#undef SOCKFD_CONST
#undef SOCKFD_ERRNO
#undef SOCKFD_ERRNO_ALIAS
  napi_set_named_property(env, exports, "constants", constants);
  // Limits lib/ checks against that are not C constants of the socket API: NSIG bounds a
  // signal number in a sigmask (1..NSIG-1), as sigaddset(3) does.
  napi_value limits;
  napi_create_object(env, &limits);
  set(limits, "NSIG", NSIG);
  napi_set_named_property(env, exports, "limits", limits);
  napi_set_named_property(env, exports, "errnos", errnos);
}

}  // namespace sockfd
