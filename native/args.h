// args.h — the native argument layer: reading, checking and describing the arguments of
// a raw Node-API callback, and the argument errors. lib/check.ts is its twin for the
// TypeScript side: the same mistake gets the same error (class, `code`, wording) whichever
// side catches it (DESIGN.md "One argument-check layer").
//
//   TypeError  ERR_INVALID_ARG_TYPE  "fn: param must be <what>, got <Describe(v)>"
//   RangeError ERR_OUT_OF_RANGE      "fn: param must be an integer in [min, max], got <v>"
//                                    (other range messages: "fn: <text>")
//   TypeError  ERR_MISSING_ARGS      "fn: missing argument 'param' (takes N to M arguments, got K)"
//   TypeError  ERR_TOO_MANY_ARGS     "fn: takes at most M arguments, got K"
//   a detached buffer: TypeError ERR_INVALID_ARG_TYPE
//                      "fn: param must be an ArrayBufferView or ArrayBuffer, got a detached buffer"
//
// THE RULE: no user JavaScript runs between the first pointer a callback takes into a
// caller's buffer and the syscall. A getter, a Proxy trap or a valueOf can detach or free
// that buffer, and the kernel's write into the freed memory is invisible even to ASan. So
// nothing in this file runs JS: numbers are read with napi_get_value_double (which fails on
// a non-number instead of coercing it), buffers with napi_get_*_info, and nothing calls
// napi_get_element, napi_get_property/napi_get_named_property, napi_coerce_* or
// napi_call_function on a caller's value. Arguments that would need any of those (arrays of
// numbers such as a signal mask, option objects) are converted in TypeScript first and
// reach the addon as a typed array or a boolean. A callback that adds such a call must make
// it before its first GetBytes/GetSpan/GetMem.
//
// The other rule (DESIGN.md "Errors"): nothing is coerced. napi_get_value_int32 would turn
// 2**32+3 into 3 and NaN into 0, so integers are read as doubles and checked for
// integrality and range before they are converted.
#pragma once

#ifndef NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS
#define NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS
#endif
#include <napi.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include <sys/socket.h>

namespace sockfd {

// ---------------------------------------------------------------------------------------
// Argument errors. Each returns nullptr so a callback can `return ThrowX(...)`.

// TypeError (code ERR_INVALID_ARG_TYPE): "fn: param must be <what>, got <value>"
napi_value ThrowType(napi_env env, const char* fn, const char* param, const char* what,
                     napi_value got);
// RangeError (code ERR_OUT_OF_RANGE) with a preformatted message; prefixed "fn: ".
napi_value ThrowRange(napi_env env, const char* fn, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
// TypeError ERR_INVALID_ARG_TYPE for a detached buffer (or a view over one).
napi_value ThrowDetached(napi_env env, const char* fn, const char* param);
// Describes a JS value exactly as lib/check.ts describe() does: a number as String(v)
// prints it ("3.5", "NaN", "-Infinity", "1e+21"), "string 'abc'" (the first 20 UTF-16
// units, then "..."), "undefined", "null", "boolean", "bigint", "symbol", "function",
// "array", "object". `cap` of 128 always holds the whole text.
void Describe(napi_env env, napi_value v, char* out, size_t cap);

// ---------------------------------------------------------------------------------------
// The argument count.

constexpr size_t kMaxArgs = 8;

struct Args {
  napi_value v[kMaxArgs];
  size_t argc;  // the number the caller passed, which may exceed kMaxArgs
};

// Missing arguments read as undefined (napi_get_cb_info fills the rest of argv), so
// optional parameters need no argc checks. `argc` is what the caller passed.
inline Args GetArgs(napi_env env, napi_callback_info info) {
  Args a;
  a.argc = kMaxArgs;
  napi_get_cb_info(env, info, &a.argc, a.v, nullptr, nullptr);
  return a;
}

// The argument count of a raw callback, checked as lib/check.ts's checkArgc does: fewer
// than `min` is a TypeError ERR_MISSING_ARGS naming the first missing parameter, more
// than `max` a TypeError ERR_TOO_MANY_ARGS. `params` names the parameters in order (at
// least `max` of them). napi_get_cb_info reports the number of arguments passed even when
// it is above the capacity of argv, so a capacity of `max` is enough to see extras.
// Throws the ERR_MISSING_ARGS / ERR_TOO_MANY_ARGS error for `argc` (out of line: cold).
void ThrowArgc(napi_env env, size_t argc, size_t min, size_t max, const char* fn,
               const char* const* params);
inline bool CheckArgc(napi_env env, size_t argc, size_t min, size_t max, const char* fn,
                      const char* const* params) {
  if (argc >= min && argc <= max) return true;
  ThrowArgc(env, argc, min, max, fn, params);
  return false;
}
// The same, for GetArgs.
inline bool CheckArgc(napi_env env, const Args& a, size_t min, size_t max, const char* fn,
                      const char* const* params) {
  return CheckArgc(env, a.argc, min, max, fn, params);
}

// ---------------------------------------------------------------------------------------
// Values.

inline bool IsNullish(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_undefined || t == napi_null;
}

// An integer-valued number in [min, max]; anything else throws and returns false.
inline bool GetInt(napi_env env, napi_value v, const char* fn, const char* param,
                   double min, double max, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    ThrowType(env, fn, param, "an integer", v);
    return false;
  }
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<int64_t>(d))) {
    char got[128];
    Describe(env, v, got, sizeof got);
    ThrowRange(env, fn, "%s must be an integer in [%.0f, %.0f], got %s", param, min, max, got);
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// As GetInt, but undefined (a missing argument) yields `def`. The number is tried first:
// on the hot path the argument is usually present, and that saves a napi_typeof. A null
// napi_value also yields `def`: hot callbacks mark arguments past argc that way (see
// OmitMissing), which skips napi_typeof's chain of ~8 type tests per argument.
inline bool GetOptInt(napi_env env, napi_value v, const char* fn, const char* param,
                      double min, double max, int64_t def, int64_t* out) {
  if (v == nullptr) {
    *out = def;
    return true;
  }
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    napi_valuetype t;
    napi_typeof(env, v, &t);
    if (t == napi_undefined) {
      *out = def;
      return true;
    }
  }
  return GetInt(env, v, fn, param, min, max, out);
}

// Marks the optional arguments the caller did not pass (index >= argc, from `first`) as
// nullptr, which GetOptInt/GetOptFlags read as absent without a napi_typeof. Only for
// parameters read through those two helpers.
inline void OmitMissing(napi_value* v, size_t argc, size_t first, size_t n) {
  for (size_t i = argc > first ? argc : first; i < n; i++) v[i] = nullptr;
}

// A C int argument (domain, level, cmd, ...): an integer in [INT32_MIN, INT32_MAX].
inline bool GetInt32(napi_env env, napi_value v, const char* fn, const char* param, int* out) {
  int64_t x;
  if (!GetInt(env, v, fn, param, INT32_MIN, INT32_MAX, &x)) return false;
  *out = static_cast<int>(x);
  return true;
}

// A file descriptor: an integer in [0, INT_MAX].
inline bool GetFd(napi_env env, napi_value v, const char* fn, const char* param, int* out) {
  int64_t x;
  if (!GetInt(env, v, fn, param, 0, INT_MAX, &x)) return false;
  *out = static_cast<int>(x);
  return true;
}

// A flags word: any int32 or uint32 bit pattern (JS `|` yields negative numbers when bit
// 31 is set, e.g. EPOLLIN | EPOLLET), returned as the 32-bit pattern.
inline bool GetFlags(napi_env env, napi_value v, const char* fn, const char* param,
                     uint32_t* out) {
  int64_t x;
  if (!GetInt(env, v, fn, param, INT32_MIN, UINT32_MAX, &x)) return false;
  *out = static_cast<uint32_t>(x);
  return true;
}
inline bool GetOptFlags(napi_env env, napi_value v, const char* fn, const char* param,
                        uint32_t* out) {
  int64_t x;
  if (!GetOptInt(env, v, fn, param, INT32_MIN, UINT32_MAX, 0, &x)) return false;
  *out = static_cast<uint32_t>(x);
  return true;
}

// ---------------------------------------------------------------------------------------
// Memory. Each of these takes a pointer into a caller's buffer: from here to the syscall,
// no JS (see THE RULE above).
//
// A detached ArrayBuffer (transferred, or structuredClone'd away) and every view over one
// report 0 bytes; read as 0 bytes, recv() into it would return 0 — end of file. So each
// helper checks for detachment, but only when it sees a length of 0, which keeps the check
// off the hot path.

// Any ArrayBufferView (TypedArray, Buffer, DataView) or ArrayBuffer, not detached: its bytes.
bool GetBytes(napi_env env, napi_value v, const char* fn, const char* param, uint8_t** data,
              size_t* len);

// A byte range inside a buffer argument: `buf` (required), then optional `len` and
// `offset` values. len defaults to everything after offset. Bounds are checked here, so
// the syscall can never touch memory outside the caller's buffer.
struct Span {
  uint8_t* data;
  size_t len;
};
bool GetSpan(napi_env env, napi_value buf, napi_value len, napi_value offset, const char* fn,
             Span* out);

// True (with the TypeError thrown) when `ab`, an ArrayBuffer, is detached.
bool IsDetachedThrow(napi_env env, napi_value ab, const char* fn, const char* param);

// The memory of an array argument. lib/ passes the ArrayBuffer that pollfd.array /
// epoll_event.array / fd_set own: napi_get_arraybuffer_info costs a fraction of
// napi_get_typedarray_info (which has to find the view's buffer; bench/README.md), and these are the
// hot paths bench/overhead compares with C. Any other view (a subarray, a Buffer) still
// works through GetBytes.
inline bool GetMem(napi_env env, napi_value v, const char* fn, const char* param,
                   uint8_t** data, size_t* len) {
  void* p;
  if (napi_get_arraybuffer_info(env, v, &p, len) == napi_ok) {
    if (*len == 0 && IsDetachedThrow(env, v, fn, param)) return false;
    *data = static_cast<uint8_t*>(p);
    return true;
  }
  return GetBytes(env, v, fn, param, data, len);
}

// An optional struct or set argument: null, undefined or an empty buffer mean C's NULL.
// lib/ passes a shared empty ArrayBuffer for "none", because checking a value for null
// (napi_typeof walks ~10 type tests) costs more than the whole ArrayBuffer read. A
// detached buffer is not "none": it is a TypeError.
inline bool GetOptMem(napi_env env, napi_value v, const char* fn, const char* param,
                      uint8_t** data, size_t* len) {
  void* p = nullptr;
  if (napi_get_arraybuffer_info(env, v, &p, len) == napi_ok) {
    if (*len == 0 && IsDetachedThrow(env, v, fn, param)) return false;
    *data = static_cast<uint8_t*>(p);
  } else if (IsNullish(env, v)) {
    *data = nullptr;
    *len = 0;
  } else if (!GetBytes(env, v, fn, param, data, len)) {
    return false;
  }
  if (*len == 0) *data = nullptr;
  return true;
}

// A struct timeval / timespec / epoll_event argument passed as its bytes (lib/struct.ts);
// "none" (GetOptMem) yields nullptr. The buffer must hold the whole struct.
inline bool GetStructArg(napi_env env, napi_value v, const char* fn, const char* param,
                         size_t size, void** out) {
  uint8_t* data;
  size_t len;
  if (!GetOptMem(env, v, fn, param, &data, &len)) return false;
  *out = data;
  if (data == nullptr) return true;
  if (len < size) {
    ThrowRange(env, fn, "%s must hold %zu bytes, got %zu", param, size, len);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Addresses (bind, connect, sendto, accept, getsockname, recvfrom, ...).

// An input address (bind, connect, sendto): `addr` is the struct's bytes, `addrlen` an
// integer no larger than them (undefined = all of them).
bool GetAddrIn(napi_env env, napi_value addr, napi_value addrlen, const char* fn,
               const sockaddr** out, socklen_t* len);

// An output address (accept, getsockname, recvfrom), C's value-result pair: `addr` may be
// null/undefined (no address wanted); `addrlen` may be a Uint32Array whose [0] holds the
// capacity in and the kernel's length out, or undefined (capacity = the whole buffer).
struct AddrOut {
  sockaddr* addr = nullptr;
  socklen_t len = 0;
  uint32_t* len_out = nullptr;  // where to write the kernel's length back, if anywhere
  socklen_t* len_ptr() { return addr != nullptr ? &len : nullptr; }
  void Store() {
    if (len_out != nullptr) *len_out = len;
  }
};
bool GetAddrOut(napi_env env, napi_value addr, napi_value addrlen, const char* fn,
                AddrOut* out);

// ---------------------------------------------------------------------------------------
// Registration: functions and struct layouts on the exports object (load time only).

void SetFunction(napi_env env, napi_value exports, const char* name, napi_callback cb);

struct LayoutField {
  const char* name;
  size_t value;
};
// exports.layout.<name> = { size, field: offset, ... }: lib/ never guesses a size or offset.
void SetLayout(napi_env env, napi_value exports, const char* name,
               std::initializer_list<LayoutField> fields);

}  // namespace sockfd
