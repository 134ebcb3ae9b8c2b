// epoll.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitEpoll(napi_env, napi_value) {}
}  // namespace sockfd
