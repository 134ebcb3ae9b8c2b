// env.cc — the per-environment state (EnvData) both addons keep: sockfd.node and the
// benchmark's sockfd_bench.so (native/bench/). Each registers it once per environment
// (the main thread and every worker_thread: Node-API addons are context-aware).
#include "common.h"

namespace sockfd {

EnvData* GetEnvData(napi_env env) {
  void* d = nullptr;
  napi_get_instance_data(env, &d);
  return static_cast<EnvData*>(d);
}

static void FreeEnvData(napi_env env, void* data, void*) {
  EnvData* d = static_cast<EnvData*>(data);
  if (d->watch_free != nullptr) d->watch_free(d->watch);
  if (d->errno_ctor != nullptr) napi_delete_reference(env, d->errno_ctor);
  if (d->is_array != nullptr) napi_delete_reference(env, d->is_array);
  delete d;
}

void InitEnvData(napi_env env) {
  EnvData* data = new EnvData();
  napi_set_instance_data(env, data, FreeEnvData, nullptr);
  // Array.isArray, kept for Describe: it says "array" for a Proxy of an array (without
  // running a trap) where napi_is_array says no, and lib/check.ts's describe() uses it.
  napi_value global, array, is_array;
  napi_get_global(env, &global);
  if (napi_get_named_property(env, global, "Array", &array) == napi_ok &&
      napi_get_named_property(env, array, "isArray", &is_array) == napi_ok)
    napi_create_reference(env, is_array, 1, &data->is_array);
}

}  // namespace sockfd
