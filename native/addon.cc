// addon.cc — registers each syscall family; nothing else lives here.
//
// Node-API addons are context-aware: this runs once per environment (the main thread and
// every worker_thread), each with its own EnvData.
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  EnvData* data = new EnvData();
  napi_set_instance_data(env, data, FreeEnvData, nullptr);
  // Array.isArray, kept for Describe: it says "array" for a Proxy of an array (without
  // running a trap) where napi_is_array says no, and lib/check.ts's describe() uses it.
  napi_value global, array, is_array;
  napi_get_global(env, &global);
  if (napi_get_named_property(env, global, "Array", &array) == napi_ok &&
      napi_get_named_property(env, array, "isArray", &is_array) == napi_ok)
    napi_create_reference(env, is_array, 1, &data->is_array);
  napi_value e = exports;
  InitErrors(env, e);
  InitConstants(env, e);
  InitSockaddr(env, e);
  InitInet(env, e);
  InitSocket(env, e);
  InitIo(env, e);
  InitSockopt(env, e);
  InitNetif(env, e);
  InitSelect(env, e);
  InitPoll(env, e);
  InitEpoll(env, e);
  InitEventfd(env, e);
  InitMsg(env, e);
  InitNetns(env, e);
  InitWatch(env, e);
  InitBench(env, e);
  InitOverhead(env, e);
  return exports;
}

}  // namespace sockfd

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  return sockfd::Init(env, exports);
}

NODE_API_MODULE(sockfd, InitAll)
