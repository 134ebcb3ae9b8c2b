// struct ucred — man 7 unix: the credentials of a peer. SO_PEERCRED fills one through
// getsockopt (lib/sockopt.ts); SCM_CREDENTIALS carries one in a control message (the msg
// family). Its own small file so both families import the one class. Layout from the addon
// (native/sockopt.cc).
import { binding } from './binding';
import { checkArgc, checkInt } from './check';
import { LE, Struct, receiverError } from './struct';

const UC = binding.layout.ucred;

/** struct ucred — `pid`, `uid`, `gid` (man 7 unix). */
export class ucred extends Struct {
  /** Brand: every instance made by this class's constructor (and its subclasses') has it. */
  #brand: undefined;
  /** The receiver check of every accessor and method (see receiverError in struct.ts). */
  static #check(o: unknown, member: string): void {
    if (typeof o !== 'object' || o === null || !(#brand in o)) throw receiverError('ucred', member, o);
  }
  /**
   * A zeroed ucred, or a view over `bytes`; each field given is checked and written (into
   * `bytes` too: `new ucred(undefined, undefined, undefined, cmsgData)` only views it).
   */
  constructor(pid?: number, uid?: number, gid?: number, bytes?: Uint8Array) {
    checkArgc('ucred', arguments.length, 0, ['pid', 'uid', 'gid', 'bytes']);
    // Checked before the struct exists, so a bad field never half-writes a caller's bytes.
    if (pid !== undefined) checkInt('ucred', 'pid', pid, -(2 ** 31), 2 ** 31 - 1);
    if (uid !== undefined) checkInt('ucred', 'uid', uid, 0, 0xffffffff);
    if (gid !== undefined) checkInt('ucred', 'gid', gid, 0, 0xffffffff);
    super(UC.size, bytes);
    if (pid !== undefined) this.pid = pid;
    if (uid !== undefined) this.uid = uid;
    if (gid !== undefined) this.gid = gid;
  }
  /** Process id (pid_t). */
  get pid(): number {
    ucred.#check(this, 'pid');
    return this.view.getInt32(UC.pid, LE);
  }
  set pid(v: number) {
    ucred.#check(this, 'pid');
    this.view.setInt32(UC.pid, checkInt('ucred', 'pid', v, -(2 ** 31), 2 ** 31 - 1), LE);
  }
  /** User id (uid_t). */
  get uid(): number {
    ucred.#check(this, 'uid');
    return this.view.getUint32(UC.uid, LE);
  }
  set uid(v: number) {
    ucred.#check(this, 'uid');
    this.view.setUint32(UC.uid, checkInt('ucred', 'uid', v, 0, 0xffffffff), LE);
  }
  /** Group id (gid_t). */
  get gid(): number {
    ucred.#check(this, 'gid');
    return this.view.getUint32(UC.gid, LE);
  }
  set gid(v: number) {
    ucred.#check(this, 'gid');
    this.view.setUint32(UC.gid, checkInt('ucred', 'gid', v, 0, 0xffffffff), LE);
  }
}
