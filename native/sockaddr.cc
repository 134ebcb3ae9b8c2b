// sockaddr.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitSockaddr(napi_env, napi_value) {}
}  // namespace sockfd
