// errors.cc — the single place where errno becomes a JavaScript exception (argument errors
// are args.cc's).
//
// man 3 strerror, man 3 errno.
//
// The error object is built by calling lib/errors.ts's ErrnoError constructor, registered
// once per environment at load (setErrnoError), so `err instanceof ErrnoError` holds for
// errors thrown here. A direct binding call made before registration still gets an Error
// with the same code/errno/syscall shape.
#include <cstdio>

#include "common.h"

namespace sockfd {

const char* ErrnoName(int err) {
  switch (err) {
#define SOCKFD_ERRNO(name) \
  case name:               \
    return #name;
#define SOCKFD_ERRNO_ALIAS(name)
#define SOCKFD_CONST(name)
#include "constants.h"
#undef SOCKFD_ERRNO
#undef SOCKFD_ERRNO_ALIAS
#undef SOCKFD_CONST
    default:
      return nullptr;
  }
}

static napi_value Str(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value ThrowErrno(napi_env env, const char* syscall, int err, int fd) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return nullptr;

  char text[128];
  // GNU strerror_r returns a pointer that may or may not be `text`.
  const char* msg = strerror_r(err, text, sizeof text);
  const char* name = ErrnoName(err);
  char code[32];
  if (name == nullptr) {
    snprintf(code, sizeof code, "E%d", err);
    name = code;
  }

  napi_value error = nullptr;
  EnvData* data = GetEnvData(env);
  napi_value ctor = nullptr;
  if (data != nullptr && data->errno_ctor != nullptr)
    napi_get_reference_value(env, data->errno_ctor, &ctor);
  if (ctor != nullptr) {
    napi_value argv[5];
    argv[0] = Str(env, syscall);
    napi_create_int32(env, err, &argv[1]);
    argv[2] = Str(env, name);
    argv[3] = Str(env, msg);
    if (fd >= 0)
      napi_create_int32(env, fd, &argv[4]);
    else
      napi_get_undefined(env, &argv[4]);
    if (napi_new_instance(env, ctor, 5, argv, &error) != napi_ok) return nullptr;
  } else {
    char full[256];
    snprintf(full, sizeof full, "%s: %s, %s", syscall, name, msg);
    napi_create_error(env, nullptr, Str(env, full), &error);
    napi_value n;
    napi_create_int32(env, err, &n);
    napi_set_named_property(env, error, "code", Str(env, name));
    napi_set_named_property(env, error, "errno", n);
    napi_set_named_property(env, error, "syscall", Str(env, syscall));
    if (fd >= 0) {
      napi_create_int32(env, fd, &n);
      napi_set_named_property(env, error, "fd", n);
    }
  }
  napi_throw(env, error);
  return nullptr;
}

// setErrnoError(ctor): registers lib/errors.ts's class for this environment.
static napi_value SetErrnoError(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  static const char* const kParams[] = {"ctor"};
  if (!CheckArgc(env, a, 1, 1, "setErrnoError", kParams)) return nullptr;
  napi_valuetype t;
  napi_typeof(env, a.v[0], &t);
  if (t != napi_function) return ThrowType(env, "setErrnoError", "ctor", "a function", a.v[0]);
  EnvData* data = GetEnvData(env);
  if (data->errno_ctor != nullptr) napi_delete_reference(env, data->errno_ctor);
  napi_create_reference(env, a.v[0], 1, &data->errno_ctor);
  return Undefined(env);
}

// strerror(errnum) — man 3 strerror.
static napi_value Strerror(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  static const char* const kParams[] = {"errnum"};
  if (!CheckArgc(env, a, 1, 1, "strerror", kParams)) return nullptr;
  int64_t e;
  if (!GetInt(env, a.v[0], "strerror", "errnum", INT32_MIN, INT32_MAX, &e)) return nullptr;
  char text[128];
  return Str(env, strerror_r(static_cast<int>(e), text, sizeof text));
}

void InitErrors(napi_env env, napi_value exports) {
  SetFunction(env, exports, "setErrnoError", SetErrnoError);
  SetFunction(env, exports, "strerror", Strerror);
}

}  // namespace sockfd
