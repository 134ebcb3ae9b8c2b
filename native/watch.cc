// watch.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitWatch(napi_env, napi_value) {}
void WatchBeforeClose(napi_env, int) {}
}  // namespace sockfd
