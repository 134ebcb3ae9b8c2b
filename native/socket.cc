// socket.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitSocket(napi_env, napi_value) {}
}  // namespace sockfd
