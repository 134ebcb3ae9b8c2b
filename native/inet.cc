// inet.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitInet(napi_env, napi_value) {}
}  // namespace sockfd
