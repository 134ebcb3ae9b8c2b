// layout.h — publishing struct layouts to lib/ (exports.layout.<struct> = {size, field...}).
#pragma once
#include <initializer_list>

#include "common.h"

namespace sockfd {

struct LayoutField {
  const char* name;
  size_t value;
};

void SetLayout(napi_env env, napi_value exports, const char* name,
               std::initializer_list<LayoutField> fields);

}  // namespace sockfd
