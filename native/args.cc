// args.cc — the native argument layer declared in args.h: describing values, the argument
// errors, buffers, addresses and registration. Nothing here runs user JavaScript (args.h,
// THE RULE); the one call into JS is Describe's built-in Array.isArray, captured at load and
// made only on the way to a throw.
#include "args.h"

#include "common.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sockfd {

// A finite double as JavaScript's Number.prototype.toString prints it (ECMA-262
// Number::toString): the shortest digits that read back as the same double, in plain
// notation for exponents in [-7, 21) and as "1.5e+21" / "1e-7" outside it.
static void FormatNumber(double d, char* out, size_t cap) {
  if (d == 0) {  // 0 and -0 both print "0"
    snprintf(out, cap, "0");
    return;
  }
  char e[40];
  int prec = 1;
  for (; prec <= 17; prec++) {
    snprintf(e, sizeof e, "%.*e", prec - 1, d);
    if (strtod(e, nullptr) == d) break;
  }
  // e is "[-]D[.DDD]e[+-]XX": split into sign, digits and the decimal exponent.
  const char* p = e;
  bool neg = *p == '-';
  if (neg) p++;
  char digits[20];
  size_t k = 0;
  for (; *p != 'e'; p++)
    if (*p != '.') digits[k++] = *p;
  while (k > 1 && digits[k - 1] == '0') k--;
  digits[k] = '\0';
  int n = atoi(p + 1) + 1;  // the position of the decimal point after the first digit
  char body[64];
  const int ki = static_cast<int>(k);
  if (ki <= n && n <= 21) {
    snprintf(body, sizeof body, "%s%.*s", digits, n - ki, "000000000000000000000");
  } else if (0 < n && n <= 21) {
    snprintf(body, sizeof body, "%.*s.%s", n, digits, digits + n);
  } else if (-6 < n && n <= 0) {
    snprintf(body, sizeof body, "0.%.*s%s", -n, "000000", digits);
  } else if (k == 1) {
    snprintf(body, sizeof body, "%ce%c%d", digits[0], n - 1 >= 0 ? '+' : '-', std::abs(n - 1));
  } else {
    snprintf(body, sizeof body, "%c.%se%c%d", digits[0], digits + 1, n - 1 >= 0 ? '+' : '-',
             std::abs(n - 1));
  }
  snprintf(out, cap, "%s%s", neg ? "-" : "", body);
}

// Appends UTF-16 code units to `out` as UTF-8 (a lone surrogate becomes U+FFFD, which is
// also what V8 makes of it when the message string is built).
static size_t AppendUtf8(const char16_t* s, size_t n, char* out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = s[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && s[i + 1] >= 0xdc00 && s[i + 1] <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s[i + 1] - 0xdc00);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    char b[4];
    size_t m;
    if (c < 0x80) {
      b[0] = static_cast<char>(c);
      m = 1;
    } else if (c < 0x800) {
      b[0] = static_cast<char>(0xc0 | (c >> 6));
      b[1] = static_cast<char>(0x80 | (c & 0x3f));
      m = 2;
    } else if (c < 0x10000) {
      b[0] = static_cast<char>(0xe0 | (c >> 12));
      b[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      b[2] = static_cast<char>(0x80 | (c & 0x3f));
      m = 3;
    } else {
      b[0] = static_cast<char>(0xf0 | (c >> 18));
      b[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      b[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      b[3] = static_cast<char>(0x80 | (c & 0x3f));
      m = 4;
    }
    if (o + m >= cap) break;
    memcpy(out + o, b, m);
    o += m;
  }
  out[o] = '\0';
  return o;
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
        FormatNumber(d, out, cap);
      return;
    }
    case napi_string: {
      // lib/check.ts: `string '${v.length > 20 ? v.slice(0, 20) + '...' : v}'` — 20 UTF-16
      // code units, as JavaScript counts a string's length.
      char16_t s[21];
      size_t len = 0, n = 0;
      napi_get_value_string_utf16(env, v, nullptr, 0, &len);
      napi_get_value_string_utf16(env, v, s, sizeof s / sizeof s[0], &n);
      char text[4 * 20 + 1];
      AppendUtf8(s, n, text, sizeof text);
      snprintf(out, cap, "string '%s%s'", text, len > 20 ? "..." : "");
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
      // Array.isArray(v), as describe() asks: napi_is_array first (no call), then for a
      // Proxy the Array.isArray captured at load, which looks through to the target
      // without running a trap. Describe only runs on the way to a throw, never between a
      // pointer and a syscall.
      bool is = false;
      napi_is_array(env, v, &is);
      EnvData* data = GetEnvData(env);
      napi_value fn, global, r;
      if (!is && data != nullptr && data->is_array != nullptr &&
          napi_get_reference_value(env, data->is_array, &fn) == napi_ok && fn != nullptr) {
        napi_get_global(env, &global);
        if (napi_call_function(env, global, fn, 1, &v, &r) == napi_ok)
          napi_get_value_bool(env, r, &is);
        else  // a revoked Proxy: Array.isArray throws; describe() would too, say object
          napi_get_and_clear_last_exception(env, &r);
      }
      snprintf(out, cap, is ? "array" : "object");
      return;
    }
  }
}

napi_value ThrowType(napi_env env, const char* fn, const char* param, const char* what,
                     napi_value got) {
  char g[128], msg[512];
  Describe(env, got, g, sizeof g);
  snprintf(msg, sizeof msg, "%s: %s must be %s, got %s", fn, param, what, g);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return nullptr;
}

napi_value ThrowRange(napi_env env, const char* fn, const char* fmt, ...) {
  char body[448], msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(body, sizeof body, fmt, ap);
  va_end(ap);
  snprintf(msg, sizeof msg, "%s: %s", fn, body);
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
  return nullptr;
}

napi_value ThrowDetached(napi_env env, const char* fn, const char* param) {
  char msg[256];
  snprintf(msg, sizeof msg,
           "%s: %s must be an ArrayBufferView or ArrayBuffer, got a detached buffer", fn, param);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return nullptr;
}

void ThrowArgc(napi_env env, size_t argc, size_t min, size_t max, const char* fn,
               const char* const* params) {
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
}

bool IsDetachedThrow(napi_env env, napi_value ab, const char* fn, const char* param) {
  bool detached = false;
  napi_is_detached_arraybuffer(env, ab, &detached);
  if (detached) ThrowDetached(env, fn, param);
  return detached;
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
  // The hot path (send, recv, tryRecv ... with a Uint8Array or Buffer): napi_get_buffer_info
  // accepts any ArrayBufferView and returns its bytes and byte length in one call, where
  // napi_get_typedarray_info also walks V8's chain of typed-array kind tests to name the
  // element type. A length of 0 (possibly detached) takes the checked path below.
  void* q;
  if (napi_get_buffer_info(env, v, &q, len) == napi_ok && *len > 0) {
    *data = static_cast<uint8_t*>(q);
    return true;
  }
  napi_typedarray_type type;
  size_t length;
  void* p;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &p, nullptr, nullptr) == napi_ok) {
    if (length == 0) {
      napi_get_typedarray_info(env, v, &type, &length, &p, &ab, nullptr);
      if (IsDetachedThrow(env, ab, fn, param)) return false;
    }
    *data = static_cast<uint8_t*>(p);
    *len = length * ElementSize(type);
    return true;
  }
  bool is = false;
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_get_dataview_info(env, v, len, &p, &ab, nullptr);
    if (*len == 0 && IsDetachedThrow(env, ab, fn, param)) return false;
    *data = static_cast<uint8_t*>(p);
    return true;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    napi_get_arraybuffer_info(env, v, &p, len);
    if (*len == 0 && IsDetachedThrow(env, v, fn, param)) return false;
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

bool GetAddrIn(napi_env env, napi_value addr, napi_value addrlen, const char* fn,
               const sockaddr** out, socklen_t* len) {
  uint8_t* p;
  size_t size;
  if (!GetBytes(env, addr, fn, "addr", &p, &size)) return false;
  int64_t n;
  if (!GetOptInt(env, addrlen, fn, "addrlen", 0, static_cast<double>(size),
                 static_cast<int64_t>(size), &n))
    return false;
  *out = reinterpret_cast<const sockaddr*>(p);
  *len = static_cast<socklen_t>(n);
  return true;
}

bool GetAddrOut(napi_env env, napi_value addr, napi_value addrlen, const char* fn,
                AddrOut* out) {
  if (IsNullish(env, addr)) return true;
  uint8_t* p;
  size_t size;
  if (!GetBytes(env, addr, fn, "addr", &p, &size)) return false;
  out->addr = reinterpret_cast<sockaddr*>(p);
  out->len = static_cast<socklen_t>(size);
  if (IsNullish(env, addrlen)) return true;
  napi_typedarray_type type;
  size_t n;
  void* data;
  if (napi_get_typedarray_info(env, addrlen, &type, &n, &data, nullptr, nullptr) != napi_ok ||
      type != napi_uint32_array || n < 1) {
    ThrowType(env, fn, "addrlen", "a Uint32Array of length >= 1", addrlen);
    return false;
  }
  uint32_t cap = *static_cast<uint32_t*>(data);
  if (cap > size) {
    ThrowRange(env, fn, "addrlen %u exceeds the %zu bytes of addr", cap, size);
    return false;
  }
  out->len = cap;
  out->len_out = static_cast<uint32_t*>(data);
  return true;
}

void SetFunction(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

// Reads back `exports.layout` (an object this file created at load), never a caller's.
void SetLayout(napi_env env, napi_value exports, const char* name,
               std::initializer_list<LayoutField> fields) {
  napi_value layout;
  bool has = false;
  napi_has_named_property(env, exports, "layout", &has);
  if (has) {
    napi_get_named_property(env, exports, "layout", &layout);
  } else {
    napi_create_object(env, &layout);
    napi_set_named_property(env, exports, "layout", layout);
  }
  napi_value obj;
  napi_create_object(env, &obj);
  for (const LayoutField& f : fields) {
    napi_value n;
    napi_create_uint32(env, static_cast<uint32_t>(f.value), &n);
    napi_set_named_property(env, obj, f.name, n);
  }
  napi_set_named_property(env, layout, name, obj);
}

}  // namespace sockfd
