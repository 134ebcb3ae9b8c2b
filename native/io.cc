// io.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitIo(napi_env, napi_value) {}
}  // namespace sockfd
