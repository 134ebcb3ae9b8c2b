// select.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitSelect(napi_env, napi_value) {}
}  // namespace sockfd
