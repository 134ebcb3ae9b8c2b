// netif.cc — the socket ioctls scripts use, and interface names: ioctl, if_nametoindex,
// if_indextoname.
//
// man 2 ioctl, man 7 socket (SIOCINQ/FIONREAD, SIOCOUTQ), man 7 tcp, man 7 udp,
// man 2 ioctl_tty (FIONBIO), man 3 if_nametoindex.
//
// ioctl's third argument is an untyped pointer, so a general ioctl(fd, request, number)
// would let any request write through any address. Only the requests whose argument is an
// int are accepted (FIONREAD = SIOCINQ, SIOCOUTQ, FIONBIO); any other request is a
// RangeError, and the int is C's `int n; ioctl(fd, FIONREAD, &n)`: a caller's Int32Array,
// of which [0] is read (FIONBIO) or written (FIONREAD, SIOCOUTQ). Nothing here reads a
// property or runs JS: the checks use napi_get_typedarray_info and
// napi_get_value_string_utf8 only (args.h THE RULE).
//
// EINTR: none of these blocks; each is one syscall and nothing is retried.
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "common.h"

namespace sockfd {
namespace {

const char* const kIoctlParams[] = {"fd", "request", "argp"};
const char* const kNameParams[] = {"ifname"};
const char* const kIndexParams[] = {"ifindex"};

// ioctl(fd, request, argp: Int32Array) -> 0
napi_value Ioctl(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  int64_t request;
  if (!CheckArgc(env, a, 3, 3, "ioctl", kIoctlParams) || !GetFd(env, a.v[0], "ioctl", "fd", &fd) ||
      !GetInt(env, a.v[1], "ioctl", "request", INT32_MIN, UINT32_MAX, &request))
    return nullptr;
  switch (static_cast<unsigned long>(request)) {
    case FIONREAD:  // == SIOCINQ
    case SIOCOUTQ:
    case FIONBIO:
      break;
    default:
      return ThrowRange(env, "ioctl",
                        "request %lld is not supported (FIONREAD, SIOCINQ, SIOCOUTQ, FIONBIO)",
                        static_cast<long long>(request));
  }
  bool is_typed = false;
  napi_is_typedarray(env, a.v[2], &is_typed);
  napi_typedarray_type type = napi_uint8_array;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  size_t byte_offset;
  if (is_typed) napi_get_typedarray_info(env, a.v[2], &type, &length, &data, &ab, &byte_offset);
  if (!is_typed || type != napi_int32_array)
    return ThrowType(env, "ioctl", "argp", "an Int32Array", a.v[2]);
  if (length == 0) {
    if (IsDetachedThrow(env, ab, "ioctl", "argp")) return nullptr;
    return ThrowRange(env, "ioctl", "argp must hold at least 1 int, got 0");
  }
  int* argp = static_cast<int*>(data);
  if (ioctl(fd, static_cast<unsigned long>(request), argp) < 0)
    return ThrowErrno(env, "ioctl", errno, fd);
  return Int(env, 0);
}

// if_nametoindex(ifname: string) -> the index; an unknown name throws ENODEV.
napi_value IfNametoindex(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 1, 1, "if_nametoindex", kNameParams)) return nullptr;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, a.v[0], nullptr, 0, &len) != napi_ok)
    return ThrowType(env, "if_nametoindex", "ifname", "a string", a.v[0]);
  if (len >= IF_NAMESIZE)
    return ThrowRange(env, "if_nametoindex",
                      "ifname must be shorter than IF_NAMESIZE (%d) bytes, got %zu", IF_NAMESIZE,
                      len);
  char name[IF_NAMESIZE];
  napi_get_value_string_utf8(env, a.v[0], name, sizeof name, &len);
  if (strlen(name) != len)
    return ThrowRange(env, "if_nametoindex", "ifname must not contain a NUL character");
  unsigned int index = if_nametoindex(name);
  if (index == 0) return ThrowErrno(env, "if_nametoindex", errno);
  return Int(env, index);
}

// if_indextoname(ifindex) -> the name (C's char *ifname buffer is the returned string);
// an unknown index throws ENXIO.
napi_value IfIndextoname(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int64_t index;
  if (!CheckArgc(env, a, 1, 1, "if_indextoname", kIndexParams) ||
      !GetInt(env, a.v[0], "if_indextoname", "ifindex", 0, UINT32_MAX, &index))
    return nullptr;
  char name[IF_NAMESIZE] = {0};
  if (if_indextoname(static_cast<unsigned int>(index), name) == nullptr)
    return ThrowErrno(env, "if_indextoname", errno);
  napi_value r;
  napi_create_string_utf8(env, name, strnlen(name, sizeof name), &r);
  return r;
}

}  // namespace

void InitNetif(napi_env env, napi_value exports) {
  SetFunction(env, exports, "ioctl", Ioctl);
  SetFunction(env, exports, "if_nametoindex", IfNametoindex);
  SetFunction(env, exports, "if_indextoname", IfIndextoname);
}

}  // namespace sockfd
