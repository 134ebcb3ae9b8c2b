// inet.cc — inet_pton, inet_ntop, inet_addr: man 3 inet_pton, man 3 inet_ntop,
// man 3 inet_addr.
//
// inet_pton converts into a stack buffer first and copies to the caller's bytes only on
// success, so an invalid string (return 0) leaves the destination exactly as it was.
// Byte-order helpers (htons & co.) are pure TypeScript: no syscall, no reason to cross.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "common.h"

namespace sockfd {
namespace {

// The address length for AF_INET / AF_INET6, or 0 (after throwing EAFNOSUPPORT as the
// C function reports it) for any other family.
size_t AddrLen(napi_env env, int64_t af, const char* fn) {
  if (af == AF_INET) return sizeof(in_addr);
  if (af == AF_INET6) return sizeof(in6_addr);
  ThrowErrno(env, fn, EAFNOSUPPORT);
  return 0;
}

bool GetString(napi_env env, napi_value v, const char* fn, const char* param, std::string* out) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &n) != napi_ok) {
    ThrowType(env, fn, param, "a string", v);
    return false;
  }
  out->resize(n);
  napi_get_value_string_utf8(env, v, &(*out)[0], n + 1, &n);
  if (out->find('\0') != std::string::npos) {
    ThrowRange(env, fn, "%s must not contain NUL characters", param);
    return false;
  }
  return true;
}

// inet_pton(af, src, dst) -> 1, or 0 when src is not a valid address of that family.
napi_value InetPton(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"af", "src", "dst"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 3, 3, "inet_pton", kParams)) return nullptr;
  int64_t af;
  if (!GetInt(env, a.v[0], "inet_pton", "af", INT32_MIN, INT32_MAX, &af)) return nullptr;
  std::string src;
  if (!GetString(env, a.v[1], "inet_pton", "src", &src)) return nullptr;
  uint8_t* dst;
  size_t cap;
  if (!GetBytes(env, a.v[2], "inet_pton", "dst", &dst, &cap)) return nullptr;
  size_t need = AddrLen(env, af, "inet_pton");
  if (need == 0) return nullptr;
  if (cap < need)
    return ThrowRange(env, "inet_pton", "dst has %zu bytes, af needs %zu", cap, need);
  unsigned char tmp[sizeof(in6_addr)];
  int r = inet_pton(static_cast<int>(af), src.c_str(), tmp);
  if (r == 1) memcpy(dst, tmp, need);
  return Int(env, r);
}

// inet_ntop(af, src) -> the presentation string. src must be exactly an in_addr (4 bytes)
// or an in6_addr (16): C's `const void *src` names one address, and a longer buffer is a
// mistake that would otherwise print a prefix of it.
napi_value InetNtop(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"af", "src"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, "inet_ntop", kParams)) return nullptr;
  int64_t af;
  if (!GetInt(env, a.v[0], "inet_ntop", "af", INT32_MIN, INT32_MAX, &af)) return nullptr;
  uint8_t* src;
  size_t cap;
  if (!GetBytes(env, a.v[1], "inet_ntop", "src", &src, &cap)) return nullptr;
  size_t need = AddrLen(env, af, "inet_ntop");
  if (need == 0) return nullptr;
  if (cap != need)
    return ThrowRange(env, "inet_ntop", "src must hold exactly %zu bytes for %s, got %zu", need,
                      af == AF_INET ? "AF_INET" : "AF_INET6", cap);
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(static_cast<int>(af), src, out, sizeof out) == nullptr)
    return ThrowErrno(env, "inet_ntop", errno);
  napi_value r;
  napi_create_string_utf8(env, out, NAPI_AUTO_LENGTH, &r);
  return r;
}

// inet_addr(cp) -> the address in network byte order as an unsigned 32-bit number, or
// INADDR_NONE (4294967295) for invalid input, exactly as C.
napi_value InetAddr(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"cp"};
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 1, 1, "inet_addr", kParams)) return nullptr;
  std::string cp;
  if (!GetString(env, a.v[0], "inet_addr", "cp", &cp)) return nullptr;
  napi_value r;
  napi_create_uint32(env, inet_addr(cp.c_str()), &r);
  return r;
}

}  // namespace

void InitInet(napi_env env, napi_value exports) {
  SetFunction(env, exports, "inet_pton", InetPton);
  SetFunction(env, exports, "inet_ntop", InetNtop);
  SetFunction(env, exports, "inet_addr", InetAddr);
}

}  // namespace sockfd
