// netns.cc — namespaces and the rtnetlink structs: unshare, setns, and the layouts of
// nlmsghdr, nlmsgerr, rtattr, ifinfomsg, ifaddrmsg, rtmsg, sockaddr_nl, tcmsg, tc_ratespec
// and tc_tbf_qopt.
//
// man 2 unshare, man 2 setns, man 7 namespaces, man 7 network_namespaces, man 7 netlink,
// man 7 rtnetlink, man 3 netlink, man 3 rtnetlink, man 8 tc-tbf.
//
// unshare and setns change the namespaces of the calling *thread* only (the kernel task, not
// the process): in Node the natural unit is a worker_thread, whose sockets are then created in
// the new network namespace. The main thread's and the libuv threadpool's sockets stay where
// they were (lib/netns.ts says what that means for dns.lookup and fs). No fd is created here,
// so there is nothing to make CLOEXEC; neither call blocks, so EINTR is not retried.
//
// Netlink itself needs no native code: socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), bind with
// a sockaddr_nl, sendto/recv of byte buffers. lib/netns.ts builds the messages as structs over
// one buffer at the offsets published here; nothing in TypeScript guesses one.
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sched.h>

#include <cstddef>

#include "common.h"

namespace sockfd {
namespace {

const char* const kUnshareParams[] = {"flags"};
const char* const kSetnsParams[] = {"fd", "nstype"};

// unshare(flags) -> 0. The flags are C's int; EINVAL/EPERM/ENOMEM/ENOSPC/EUSERS come back as
// ErrnoError.
napi_value Unshare(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int flags;
  if (!CheckArgc(env, a, 1, 1, "unshare", kUnshareParams) ||
      !GetInt32(env, a.v[0], "unshare", "flags", &flags))
    return nullptr;
  if (unshare(flags) < 0) return ThrowErrno(env, "unshare", errno);
  return Int(env, 0);
}

// setns(fd, nstype) -> 0. `fd` is a namespace file (/proc/<pid>/task/<tid>/ns/net) or a
// pidfd; nstype 0 accepts any kind, CLONE_NEWNET only a network namespace.
napi_value Setns(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd, nstype;
  if (!CheckArgc(env, a, 2, 2, "setns", kSetnsParams) || !GetFd(env, a.v[0], "setns", "fd", &fd) ||
      !GetInt32(env, a.v[1], "setns", "nstype", &nstype))
    return nullptr;
  if (setns(fd, nstype) < 0) return ThrowErrno(env, "setns", errno, fd);
  return Int(env, 0);
}

}  // namespace

void InitNetns(napi_env env, napi_value exports) {
  SetFunction(env, exports, "unshare", Unshare);
  SetFunction(env, exports, "setns", Setns);
  SetLayout(env, exports, "nlmsghdr",
            {{"size", sizeof(nlmsghdr)},
             {"nlmsg_len", offsetof(nlmsghdr, nlmsg_len)},
             {"nlmsg_type", offsetof(nlmsghdr, nlmsg_type)},
             {"nlmsg_flags", offsetof(nlmsghdr, nlmsg_flags)},
             {"nlmsg_seq", offsetof(nlmsghdr, nlmsg_seq)},
             {"nlmsg_pid", offsetof(nlmsghdr, nlmsg_pid)}});
  SetLayout(env, exports, "nlmsgerr",
            {{"size", sizeof(nlmsgerr)},
             {"error", offsetof(nlmsgerr, error)},
             {"msg", offsetof(nlmsgerr, msg)}});
  SetLayout(env, exports, "rtattr",
            {{"size", sizeof(rtattr)},
             {"rta_len", offsetof(rtattr, rta_len)},
             {"rta_type", offsetof(rtattr, rta_type)}});
  SetLayout(env, exports, "ifinfomsg",
            {{"size", sizeof(ifinfomsg)},
             {"ifi_family", offsetof(ifinfomsg, ifi_family)},
             {"ifi_type", offsetof(ifinfomsg, ifi_type)},
             {"ifi_index", offsetof(ifinfomsg, ifi_index)},
             {"ifi_flags", offsetof(ifinfomsg, ifi_flags)},
             {"ifi_change", offsetof(ifinfomsg, ifi_change)}});
  SetLayout(env, exports, "ifaddrmsg",
            {{"size", sizeof(ifaddrmsg)},
             {"ifa_family", offsetof(ifaddrmsg, ifa_family)},
             {"ifa_prefixlen", offsetof(ifaddrmsg, ifa_prefixlen)},
             {"ifa_flags", offsetof(ifaddrmsg, ifa_flags)},
             {"ifa_scope", offsetof(ifaddrmsg, ifa_scope)},
             {"ifa_index", offsetof(ifaddrmsg, ifa_index)}});
  SetLayout(env, exports, "rtmsg",
            {{"size", sizeof(rtmsg)},
             {"rtm_family", offsetof(rtmsg, rtm_family)},
             {"rtm_dst_len", offsetof(rtmsg, rtm_dst_len)},
             {"rtm_src_len", offsetof(rtmsg, rtm_src_len)},
             {"rtm_tos", offsetof(rtmsg, rtm_tos)},
             {"rtm_table", offsetof(rtmsg, rtm_table)},
             {"rtm_protocol", offsetof(rtmsg, rtm_protocol)},
             {"rtm_scope", offsetof(rtmsg, rtm_scope)},
             {"rtm_type", offsetof(rtmsg, rtm_type)},
             {"rtm_flags", offsetof(rtmsg, rtm_flags)}});
  SetLayout(env, exports, "sockaddr_nl",
            {{"size", sizeof(sockaddr_nl)},
             {"nl_family", offsetof(sockaddr_nl, nl_family)},
             {"nl_pid", offsetof(sockaddr_nl, nl_pid)},
             {"nl_groups", offsetof(sockaddr_nl, nl_groups)}});
  SetLayout(env, exports, "tcmsg",
            {{"size", sizeof(tcmsg)},
             {"tcm_family", offsetof(tcmsg, tcm_family)},
             {"tcm_ifindex", offsetof(tcmsg, tcm_ifindex)},
             {"tcm_handle", offsetof(tcmsg, tcm_handle)},
             {"tcm_parent", offsetof(tcmsg, tcm_parent)},
             {"tcm_info", offsetof(tcmsg, tcm_info)}});
  SetLayout(env, exports, "tc_ratespec",
            {{"size", sizeof(tc_ratespec)},
             {"cell_log", offsetof(tc_ratespec, cell_log)},
             {"linklayer", offsetof(tc_ratespec, linklayer)},
             {"overhead", offsetof(tc_ratespec, overhead)},
             {"cell_align", offsetof(tc_ratespec, cell_align)},
             {"mpu", offsetof(tc_ratespec, mpu)},
             {"rate", offsetof(tc_ratespec, rate)}});
  SetLayout(env, exports, "tc_tbf_qopt",
            {{"size", sizeof(tc_tbf_qopt)},
             {"rate", offsetof(tc_tbf_qopt, rate)},
             {"peakrate", offsetof(tc_tbf_qopt, peakrate)},
             {"limit", offsetof(tc_tbf_qopt, limit)},
             {"buffer", offsetof(tc_tbf_qopt, buffer)},
             {"mtu", offsetof(tc_tbf_qopt, mtu)}});
}

}  // namespace sockfd
