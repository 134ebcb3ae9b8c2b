// bench.cc — placeholder until the family lands.
#include "common.h"

namespace sockfd {
void InitBench(napi_env, napi_value) {}
}  // namespace sockfd
