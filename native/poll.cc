// poll.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitPoll(napi_env, napi_value) {}
}  // namespace sockfd
