// sockopt.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitSockopt(napi_env, napi_value) {}
}  // namespace sockfd
