// ioctl, if_nametoindex, if_indextoname — man 2 ioctl, man 7 socket, man 3 if_nametoindex.
// Each is the addon's function itself, which checks its arguments (native/netif.cc).
import { binding } from './binding';

/**
 * ioctl(fd, request, argp) — the int-argument socket requests only: FIONREAD (= SIOCINQ),
 * SIOCOUTQ, FIONBIO. `argp` is C's `int *`: an Int32Array whose [0] is read (FIONBIO) or
 * filled (FIONREAD, SIOCOUTQ). Any other request is a RangeError. Returns 0.
 */
export const ioctl: (fd: number, request: number, argp: Int32Array) => number = binding.ioctl;

/** if_nametoindex(ifname) — the interface's index; an unknown name throws ENODEV. */
export const if_nametoindex: (ifname: string) => number = binding.if_nametoindex;

/** if_indextoname(ifindex) — the interface's name; an unknown index throws ENXIO. */
export const if_indextoname: (ifindex: number) => string = binding.if_indextoname;
