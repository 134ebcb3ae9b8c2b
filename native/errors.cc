// errors.cc — the single place where errno becomes a JavaScript exception, and the shared
// argument helpers declared in common.h.
//
// man 3 strerror, man 3 errno.
//
// The error object is built by calling lib/errors.ts's ErrnoError constructor, registered
// once per environment at load (setErrnoError), so `err instanceof ErrnoError` holds for
// errors thrown here. A direct binding call made before registration still gets an Error
// with the same code/errno/syscall shape.
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "common.h"

namespace sockfd {

EnvData* GetEnvData(napi_env env) {
  void* d = nullptr;
  napi_get_instance_data(env, &d);
  return static_cast<EnvData*>(d);
}

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

void Describe(napi_env env, napi_value v, char* out, size_t cap) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  switch (t) {
    case napi_undefined:
      snprintf(out, cap, "undefined");
      return;
    case napi_null:
      snprintf(out, cap, "null");
      return;
    case napi_boolean:
      snprintf(out, cap, "boolean");
      return;
    case napi_number: {
      double d;
      napi_get_value_double(env, v, &d);
      if (std::isnan(d))
        snprintf(out, cap, "NaN");
      else if (std::isinf(d))
        snprintf(out, cap, d > 0 ? "Infinity" : "-Infinity");
      else
        snprintf(out, cap, "%.17g", d);
      return;
    }
    case napi_string: {
      char s[24];
      size_t n = 0;
      napi_get_value_string_utf8(env, v, s, sizeof s, &n);
      snprintf(out, cap, "string '%s%s'", s, n + 1 >= sizeof s ? "..." : "");
      return;
    }
    case napi_bigint:
      snprintf(out, cap, "bigint");
      return;
    case napi_symbol:
      snprintf(out, cap, "symbol");
      return;
    case napi_function:
      snprintf(out, cap, "function");
      return;
    default: {
      bool is = false;
      napi_is_array(env, v, &is);
      snprintf(out, cap, is ? "array" : "object");
      return;
    }
  }
}

napi_value ThrowType(napi_env env, const char* fn, const char* param, const char* what,
                     napi_value got) {
  char g[64], msg[256];
  Describe(env, got, g, sizeof g);
  snprintf(msg, sizeof msg, "%s: %s must be %s, got %s", fn, param, what, g);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return nullptr;
}

napi_value ThrowRange(napi_env env, const char* fn, const char* fmt, ...) {
  char body[224], msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, fmt, ap);
  va_end(ap);
  snprintf(msg, sizeof msg, "%s: %s", fn, body);
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return nullptr;
}

bool CheckArgc(napi_env env, size_t argc, size_t min, size_t max, const char* fn,
               const char* const* params) {
  if (argc >= min && argc <= max) return true;
  char takes[32], msg[256];
  if (min == max)
    snprintf(takes, sizeof takes, "%zu", max);
  else
    snprintf(takes, sizeof takes, "%zu to %zu", min, max);
  if (argc < min) {
    snprintf(msg, sizeof msg, "%s: missing argument '%s' (takes %s arguments, got %zu)", fn,
             params[argc], takes, argc);
    napi_throw_type_error(env, "ERR_MISSING_ARGS", msg);
  } else {
    snprintf(msg, sizeof msg, "%s: takes at most %zu arguments, got %zu", fn, max, argc);
    napi_throw_type_error(env, "ERR_TOO_MANY_ARGS", msg);
  }
  return false;
}

static size_t ElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;  // float64, bigint64, biguint64
  }
}

bool GetBytes(napi_env env, napi_value v, const char* fn, const char* param, uint8_t** data,
              size_t* len) {
  napi_typedarray_type type;
  size_t length;
  void* p;
  if (napi_get_typedarray_info(env, v, &type, &length, &p, nullptr, nullptr) == napi_ok) {
    *data = static_cast<uint8_t*>(p);
    *len = length * ElementSize(type);
    return true;
  }
  bool is = false;
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_get_dataview_info(env, v, len, &p, nullptr, nullptr);
    *data = static_cast<uint8_t*>(p);
    return true;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    napi_get_arraybuffer_info(env, v, &p, len);
    *data = static_cast<uint8_t*>(p);
    return true;
  }
  ThrowType(env, fn, param, "an ArrayBufferView or ArrayBuffer", v);
  return false;
}

bool GetSpan(napi_env env, napi_value buf, napi_value len, napi_value offset, const char* fn,
             Span* out) {
  uint8_t* data;
  size_t size;
  if (!GetBytes(env, buf, fn, "buf", &data, &size)) return false;
  int64_t off = 0, n;
  if (!GetOptInt(env, offset, fn, "offset", 0, 9007199254740991.0, 0, &off)) return false;
  if (static_cast<uint64_t>(off) > size) {
    ThrowRange(env, fn, "offset %lld is past the end of the %zu-byte buffer",
               static_cast<long long>(off), size);
    return false;
  }
  size_t room = size - static_cast<size_t>(off);
  if (!GetOptInt(env, len, fn, "len", 0, 9007199254740991.0, static_cast<int64_t>(room), &n))
    return false;
  if (static_cast<uint64_t>(n) > room) {
    ThrowRange(env, fn, "len %lld exceeds the %zu bytes of buf after offset %lld",
               static_cast<long long>(n), room, static_cast<long long>(off));
    return false;
  }
  out->data = data + off;
  out->len = static_cast<size_t>(n);
  return true;
}

void SetFunction(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

// setErrnoError(ctor): registers lib/errors.ts's class for this environment.
static napi_value SetErrnoError(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
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
