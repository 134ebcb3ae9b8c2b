// constants.cc — exports every constant of native/constants.h under its C name, and the
// `layout` object through which each family publishes sizeof/offsetof of its structs so
// lib/ never guesses a size or an offset.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <initializer_list>

#include "common.h"
#include "layout.h"

namespace sockfd {

void SetLayout(napi_env env, napi_value exports, const char* name,
               std::initializer_list<LayoutField> fields) {
  napi_value layout;
  bool has = false;
  napi_has_named_property(env, exports, "layout", &has);
  if (has) {
    napi_get_named_property(env, exports, "layout", &layout);
  } else {
    napi_create_object(env, &layout);
    napi_set_named_property(env, exports, "layout", layout);
  }
  napi_value obj;
  napi_create_object(env, &obj);
  for (const LayoutField& f : fields) {
    napi_value n;
    napi_create_uint32(env, static_cast<uint32_t>(f.value), &n);
    napi_set_named_property(env, obj, f.name, n);
  }
  napi_set_named_property(env, layout, name, obj);
}

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
  napi_set_named_property(env, exports, "errnos", errnos);
}

}  // namespace sockfd
