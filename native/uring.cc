// uring.cc — io_uring(7): io_uring_setup(2), io_uring_enter(2), io_uring_register(2) and
// the three regions a C program mmaps (IORING_OFF_SQ_RING, IORING_OFF_CQ_RING,
// IORING_OFF_SQES). The prep helpers that fill SQEs are in uring_prep.cc.
//
// Why JS never sees the kernel's memory: an SQE carries raw addresses the kernel reads and
// writes, and the SQ ring's tail and index array say which SQEs the kernel consumes next.
// A JS write there (an addr, or a tail bumped over an SQE whose buffer is gone) would make
// the kernel touch arbitrary memory. So the addon maps the rings privately and gives JS
// copies laid out exactly as the kernel's regions (same sq_off/cq_off offsets): the SQE
// array copy shows what was prepared (with the caller's user_data, and 0 where the kernel
// sees the addon's addresses), the SQ ring copy shows head and tail, and the CQ ring copy
// receives the CQEs. JS consumes CQEs as in C: read cqes[head & mask] up to tail, then store
// head + n. The addon moves CQEs from the kernel's ring into that copy inside
// io_uring_enter, with the acquire/release ordering the ABI requires, and only while the
// copy has room (so the kernel's own overflow handling applies, not a drop).
//
// Why data is copied: the kernel reads and writes only addon-owned memory (uring.h
// Request). SEND copies the caller's bytes at prep time; RECV's bytes are copied into the
// caller's buffer when its CQE is moved (the buffer is referenced until then, so gc()
// cannot free it; if JS detached it meanwhile, the bytes are dropped).
//
// Why fd reuse cannot reach another ring's memory: the addon's mappings hold their own
// reference to the ring's file, so the memory it touches always belongs to the ring it
// mapped, whatever happens to the fd number. close() checks the number against the ring's
// dev/ino (each io_uring has its own inode) before it tears the ring down; a ring whose fd
// was closed behind sockfd's back (not through close()) keeps its memory allocated, since
// the kernel may still complete its requests into it (FindFd says what the hot calls do).
// (No private dup of the fd: code that closes every fd it does not know would close it.)
//
// Closing: close(fd) (socket.cc) calls UringBeforeClose, which cancels every request in
// flight (IORING_ASYNC_CANCEL_ANY, or one cancel per request on kernels before 5.19),
// waits for their CQEs (at most 2 s), then unmaps and frees. If the kernel still holds a
// request after that, its memory and the mappings are left allocated rather than freed
// under the kernel. The JS copies are detached.
//
// No callback here runs JS between taking a pointer into a caller's buffer and the syscall
// (args.h, THE RULE): the only caller buffers read are the params struct and register's
// arg, read with napi_get_*_info.
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "uring.h"

namespace sockfd {
namespace uring {

static std::mutex g_mu;
static std::unordered_map<napi_env, std::vector<Ring*>>* g_rings;
// Ring ids: an sqe handle reaches JS as the double id * 2**32 + seq, exact only while it
// is below 2**53, so ids stay below 2**21 (kIdLimit). They are handed out in turn and wrap
// around, skipping ids still in use (NextId, under g_mu): a process may make any number of
// rings over its life, at most 2**21 - 1 of them open at once.
static constexpr uint32_t kIdLimit = 1u << 21;
static uint32_t g_next_id = 1;

// Setup flags sockfd supports: each keeps the kernel on the submitting thread and the SQE
// size at 64 bytes. SQPOLL (a kernel thread reading the SQ ring at any time), IOPOLL,
// SQE128/CQE32, ATTACH_WQ, NO_MMAP/REGISTERED_FD_ONLY and the rest are a RangeError.
static const unsigned kSetupFlags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP |
                                    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
static const unsigned kEnterFlags = IORING_ENTER_GETEVENTS;

static std::vector<Ring*>& Rings(napi_env env) { return (*g_rings)[env]; }

// The next free ring id, in [1, kIdLimit); 0 when every id is in use. Caller holds g_mu.
static uint32_t NextId() {
  for (uint32_t tries = 1; tries < kIdLimit; ++tries) {
    uint32_t id = g_next_id;
    g_next_id = id + 1 < kIdLimit ? id + 1 : 1;
    bool used = false;
    for (auto& e : *g_rings) {
      for (Ring* r : e.second)
        if (r->id == id) { used = true; break; }
      if (used) break;
    }
    if (!used) return id;
  }
  return 0;
}

// The ring this thread found last, for its env. Every hot call (get_sqe, the prep helpers,
// enter) looks its ring up, and a loop drives one ring: this skips g_mu and the map. An
// env's rings are used only on the env's thread, and Destroy (on that thread) clears the
// entry before a ring is freed. A ring is listed under its fd number at most once (Setup
// ends any older ring under the number), so a hit by fd is the ring FindFd would find.
static thread_local napi_env t_env = nullptr;
static thread_local Ring* t_ring = nullptr;

static void Remember(napi_env env, Ring* r) {
  t_env = env;
  t_ring = r;
}

Ring* FindById(napi_env env, uint32_t id, const char* fn) {
  if (t_env == env && t_ring != nullptr && t_ring->id == id) return t_ring;
  std::lock_guard<std::mutex> lock(g_mu);
  for (Ring* r : Rings(env))
    if (r->id == id) {
      Remember(env, r);
      return r;
    }
  ThrowErrno(env, fn, EBADF);
  return nullptr;
}

// Whether the ring's fd still names the ring's file.
static bool Alive(Ring* r) {
  struct stat st;
  return fstat(r->fd, &st) == 0 && st.st_dev == r->dev && st.st_ino == r->ino;
}

// The ring the fd number names: the newest made under that number (an older one had its fd
// closed behind sockfd's back). `check`: also require the number to still name the ring's
// file (fstat; a syscall, so only on the cold path: close). The hot calls skip it: the
// addon's memory safety does not rest on it (its mappings hold the ring's file), and a
// number reused for another file only makes the syscall fail (EOPNOTSUPP) or act on a ring
// that is not sockfd's, never on addon memory.
static Ring* FindFd(napi_env env, int fd, bool check) {
  if (!check && t_env == env && t_ring != nullptr && t_ring->fd == fd) return t_ring;
  Ring* found = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto& v = Rings(env);
    for (auto it = v.rbegin(); it != v.rend(); ++it)
      if ((*it)->fd == fd) {
        found = *it;
        break;
      }
  }
  if (found != nullptr && check && !Alive(found)) return nullptr;
  if (found != nullptr && !check) Remember(env, found);
  return found;
}

Ring* FindByFd(napi_env env, napi_value v, const char* fn) {
  int fd;
  if (!GetFd(env, v, fn, "fd", &fd)) return nullptr;
  Ring* r = FindFd(env, fd, false);
  if (r == nullptr) ThrowType(env, fn, "fd", "an io_uring fd from io_uring_setup", v);
  return r;
}

void SyncLocal(Ring* r) {
  unsigned jl = __atomic_load_n(&r->ctl->local, __ATOMIC_RELAXED);
  unsigned khead = __atomic_load_n(r->ksq_head, __ATOMIC_ACQUIRE);
  // Valid: local <= jl and jl - khead <= entries (wrapping). get_sqe only ever advances the
  // count; taking a smaller one would strand prepared requests outside [published, local).
  // Anything else is not a count get_sqe could have reached.
  if (jl - r->local <= r->p.sq_entries - (r->local - khead)) r->local = jl;
  else r->ctl->local = r->local;
}

bool SlotOf(napi_env env, Ring* r, uint32_t seq, const char* fn, unsigned* idx) {
  SyncLocal(r);
  // Handed out and not yet published: seq in [published, local), in wrapping arithmetic.
  if (static_cast<unsigned>(seq - r->published) >= static_cast<unsigned>(r->local - r->published)) {
    ThrowRange(env, fn, "sqe was already submitted (or is not this ring's)");
    return false;
  }
  *idx = seq & r->sq_mask;
  return true;
}

void FreeRequest(napi_env env, Request* q) {
  if (q->target != nullptr) napi_delete_reference(env, q->target);
  if (q->target2 != nullptr) napi_delete_reference(env, q->target2);
  if (q->mem != q->small) free(q->mem);
  delete q;
}

void MirrorSqe(Ring* r, unsigned idx) {
  io_uring_sqe s = r->sqes[idx];
  s.user_data = r->slot_ud[idx];
  s.addr = 0;
  s.addr2 = 0;
  memcpy(r->ssqes + idx * sizeof(io_uring_sqe), &s, sizeof s);
}

// The bytes of a referenced buffer now, without throwing: nullptr when it was detached.
// napi_get_buffer_info takes any ArrayBufferView (a TypedArray, a Buffer, a DataView) in one
// call, where asking which kind it is first costs several V8 type tests.
static uint8_t* Peek(napi_env env, napi_ref ref, size_t* len) {
  napi_value v;
  *len = 0;
  if (napi_get_reference_value(env, ref, &v) != napi_ok || v == nullptr) return nullptr;
  void* data = nullptr;
  if (napi_get_buffer_info(env, v, &data, len) != napi_ok &&
      napi_get_arraybuffer_info(env, v, &data, len) != napi_ok)
    *len = 0;
  return *len == 0 ? nullptr : static_cast<uint8_t*>(data);
}

// What a request's CQE means for the caller's memory: RECV's bytes go into its buffer,
// ACCEPT's address into addr/addrlen. Runs no JS.
static void Deliver(napi_env env, Request* q, int32_t res) {
  if (res < 0) return;
  if (q->op == IORING_OP_RECV && res > 0) {
    size_t len;
    uint8_t* p = Peek(env, q->target, &len);
    size_t n = static_cast<size_t>(res) < q->len ? static_cast<size_t>(res) : q->len;  // MSG_TRUNC
    if (p != nullptr && q->target_off + n <= len) memcpy(p + q->target_off, q->mem, n);
  } else if (q->op == IORING_OP_ACCEPT && q->target != nullptr) {
    socklen_t klen;
    memcpy(&klen, q->mem + sizeof(sockaddr_storage), sizeof klen);
    size_t cap, lcap;
    uint8_t* a = Peek(env, q->target, &cap);
    uint8_t* l = q->target2 != nullptr ? Peek(env, q->target2, &lcap) : nullptr;
    size_t want = q->len;  // the capacity the caller named at prep time
    if (a != nullptr) memcpy(a, q->mem, std::min({static_cast<size_t>(klen), want, cap}));
    if (l != nullptr && lcap >= sizeof(uint32_t)) memcpy(l, &klen, sizeof(uint32_t));
  }
}

// Moves CQEs from the kernel's ring into the JS-visible copy while it has room. `closing`:
// nobody reads the copy any more; accepted fds are closed (nothing else will).
static void Reap(napi_env env, Ring* r, bool closing) {
  unsigned khead = *r->kcq_head;
  unsigned ktail = __atomic_load_n(r->kcq_tail, __ATOMIC_ACQUIRE);
  unsigned* shead = reinterpret_cast<unsigned*>(r->scq + r->p.cq_off.head);
  unsigned* stail = reinterpret_cast<unsigned*>(r->scq + r->p.cq_off.tail);
  io_uring_cqe* scqes = reinterpret_cast<io_uring_cqe*>(r->scq + r->p.cq_off.cqes);
  while (khead != ktail) {
    // The head is JS's to write; a wrong one only makes the copy look full.
    unsigned h = __atomic_load_n(shead, __ATOMIC_ACQUIRE);
    if (!closing && r->scq_tail - h >= r->p.cq_entries) break;
    io_uring_cqe c = r->kcqes[khead & r->cq_mask];
    khead++;
    if (c.user_data == 0) continue;  // the addon's own (a cancel, an unprepared slot)
    // Not a live request of this ring: posted from outside (IORING_OP_MSG_RING by another
    // holder of the ring fd). Skipped: its user_data is never taken for an address.
    if (!r->live.Contains(c.user_data)) continue;
    Request* q = reinterpret_cast<Request*>(static_cast<uintptr_t>(c.user_data));
    if (closing) {
      if (q->op == IORING_OP_ACCEPT && c.res >= 0) close(c.res);
    } else {
      Deliver(env, q, c.res);
      io_uring_cqe out = c;
      out.user_data = q->user_data;
      scqes[r->scq_tail & r->cq_mask] = out;
      r->scq_tail++;
    }
    if (!(c.flags & IORING_CQE_F_MORE)) {
      r->live.Remove(q);
      FreeRequest(env, q);
    }
  }
  __atomic_store_n(r->kcq_head, khead, __ATOMIC_RELEASE);
  __atomic_store_n(stail, r->scq_tail, __ATOMIC_RELEASE);
  unsigned* sover = reinterpret_cast<unsigned*>(r->scq + r->p.cq_off.overflow);
  *sover = __atomic_load_n(r->kcq_overflow, __ATOMIC_RELAXED);
}

// The SQ ring copy: the kernel's head, flags and dropped count, and the local tail.
static void SyncSq(Ring* r) {
  auto at = [r](unsigned off) { return reinterpret_cast<unsigned*>(r->ssq + off); };
  unsigned khead = __atomic_load_n(r->ksq_head, __ATOMIC_ACQUIRE);
  *at(r->p.sq_off.head) = khead;
  *at(r->p.sq_off.tail) = r->local;
  r->ctl->khead = khead;
  r->ctl->local = r->local;
  r->ctl->published = r->published;
  *at(r->p.sq_off.flags) = __atomic_load_n(r->ksq_flags, __ATOMIC_RELAXED);
  *at(r->p.sq_off.dropped) = __atomic_load_n(r->ksq_dropped, __ATOMIC_RELAXED);
}

// The tag of the submitted POLL_ADD whose user_data is `ud` (the newest such), or
// UINT64_MAX (a tag no request has: the kernel answers ENOENT as it would in C). Submitted:
// published, or earlier in the batch Publish is giving the kernel (those slots are cleared
// as it goes); a request still waiting in a slot is not.
static uint64_t PollTag(Ring* r, uint64_t ud) {
  for (Request* p : r->live) {
    if (p->op != IORING_OP_POLL_ADD || p->user_data != ud) continue;
    bool waiting = false;
    for (unsigned s = r->published; s != r->local; s++)
      if (r->slot[s & r->sq_mask] == p) waiting = true;
    if (!waiting) return p->tag;
  }
  return UINT64_MAX;
}

// Publishes n prepared SQEs: their requests are the kernel's from here on.
static void Publish(Ring* r, unsigned n, bool addon_sqe = false) {
  for (unsigned i = 0; i < n; i++) {
    unsigned idx = (r->published + i) & r->sq_mask;
    if (r->slot[idx] != nullptr) {
      Request* q = r->slot[idx];
      q->user_data = r->slot_ud[idx];
      r->slot[idx] = nullptr;  // before PollTag, which looks for requests still waiting
      if (q->op == IORING_OP_POLL_REMOVE) r->sqes[idx].addr = PollTag(r, q->match_ud);
    } else if (!addon_sqe) {
      // Handed out (by JS, through the control block) and never prepared: whatever an
      // earlier request left in the kernel's SQE must not run again. A NOP tagged 0.
      memset(&r->sqes[idx], 0, sizeof(io_uring_sqe));
    }
    r->slot[idx] = nullptr;
  }
  r->published += n;
  r->ctl->published = r->published;
  __atomic_store_n(r->ksq_tail, r->published, __ATOMIC_RELEASE);
}

static int Enter(Ring* r, unsigned to_submit, unsigned min_complete, unsigned flags, void* arg,
                 size_t argsz) {
  return static_cast<int>(
      syscall(__NR_io_uring_enter, r->fd, to_submit, min_complete, flags, arg, argsz));
}

static void Unmap(Ring* r) {
  if (r->sqes != nullptr) munmap(r->sqes, r->sqes_len);
  if (r->cq_map != nullptr && r->cq_map != r->sq_map) munmap(r->cq_map, r->cq_map_len);
  if (r->sq_map != nullptr) munmap(r->sq_map, r->sq_map_len);
}

// Ends a ring: cancels and waits for what is in flight, then frees (see the header).
static void Destroy(napi_env env, Ring* r, bool env_alive) {
  if (t_ring == r) Remember(nullptr, nullptr);
  if (!env_alive) {
    // The environment is being torn down: its references go with it.
    for (Request* q : r->live) q->target = q->target2 = nullptr;
    for (napi_ref& v : r->views) v = nullptr;
  }
  // Prepared but never published: the kernel never saw them.
  SyncLocal(r);
  for (unsigned s = r->published; s != r->local; s++) {
    Request* q = r->slot[s & r->sq_mask];
    if (q != nullptr) {
      r->live.Remove(q);
      FreeRequest(env, q);
    }
  }
  r->local = r->published;
  // An fd closed behind sockfd's back: nothing can reach this ring any more, and the
  // kernel may still complete into its memory. Leave it all allocated.
  bool leak = !r->live.empty() && !Alive(r);
  if (!leak && !r->live.empty()) {
    bool any = true;
    timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int round = 0; !r->live.empty(); round++) {
      // Cancel: CANCEL_ANY once; if the kernel refuses it (before 5.19), one per request.
      std::vector<uint64_t> tags;
      if (any) tags.push_back(0);
      else
        for (Request* q : r->live) tags.push_back(q->tag);
      for (uint64_t t : tags) {
        unsigned khead = __atomic_load_n(r->ksq_head, __ATOMIC_ACQUIRE);
        if (r->published - khead >= r->p.sq_entries) break;
        io_uring_sqe* s = &r->sqes[r->published & r->sq_mask];
        memset(s, 0, sizeof *s);
        s->opcode = IORING_OP_ASYNC_CANCEL;
        s->fd = -1;
        s->addr = t;
        s->cancel_flags = any ? IORING_ASYNC_CANCEL_ANY : 0;
        s->user_data = 0;
        r->slot[r->published & r->sq_mask] = nullptr;
        r->local++;
        Publish(r, 1, true);  // the addon's own SQE, written above
      }
      unsigned pending = r->published - __atomic_load_n(r->ksq_head, __ATOMIC_ACQUIRE);
      io_uring_getevents_arg ga{};
      __kernel_timespec ts{0, 100 * 1000 * 1000};
      ga.ts = reinterpret_cast<uint64_t>(&ts);
      int rc = Enter(r, pending, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ga, sizeof ga);
      if (rc < 0 && errno == EINVAL && round == 0) {  // no EXT_ARG (before 5.11): poll the fd
        Enter(r, pending, 0, 0, nullptr, 0);
        pollfd pfd{r->fd, POLLIN, 0};
        poll(&pfd, 1, 100);
      }
      // A cancel CQE has tag 0; CANCEL_ANY refused shows as -EINVAL there.
      unsigned khead = *r->kcq_head, ktail = __atomic_load_n(r->kcq_tail, __ATOMIC_ACQUIRE);
      for (unsigned h = khead; h != ktail; h++) {
        io_uring_cqe& c = r->kcqes[h & r->cq_mask];
        if (c.user_data == 0 && any && c.res == -EINVAL) any = false;
      }
      Reap(env, r, true);
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > 2000) {
        leak = !r->live.empty();
        break;
      }
    }
  }
  for (napi_ref& v : r->views) {
    if (v == nullptr) continue;
    napi_value ab;
    if (napi_get_reference_value(env, v, &ab) == napi_ok && ab != nullptr)
      napi_detach_arraybuffer(env, ab);
    napi_delete_reference(env, v);
    v = nullptr;
  }
  if (!leak) {
    // Each request's CQE was seen (or the ring never published it): nothing refers to
    // addon memory any more.
    while (!r->live.empty()) {
      Request* q = *r->live.begin();
      r->live.Remove(q);
      FreeRequest(env, q);
    }
    Unmap(r);
  } else if (!r->live.empty()) {
    fprintf(stderr, "sockfd: io_uring fd %d closed with %zu requests still in the kernel; "
            "their memory is left allocated\n", r->fd, r->live.size());
  }
  r->slot_ud = nullptr;  // was in the shadow block
  r->ctl = nullptr;
  r->shadow->Unref();
  delete[] r->slot;
  if (!leak) delete r;
}

}  // namespace uring

using namespace uring;

void UringBeforeClose(napi_env env, int fd) {
  if (g_rings == nullptr) return;
  Ring* r = FindFd(env, fd, true);
  if (r == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto& v = Rings(env);
    v.erase(std::find(v.begin(), v.end(), r));
  }
  Destroy(env, r, true);
}

static void CleanupEnv(void* arg) {
  napi_env env = static_cast<napi_env>(arg);
  std::vector<Ring*> rs;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    rs.swap(Rings(env));
    g_rings->erase(env);
  }
  for (Ring* r : rs) Destroy(env, r, false);
}

static bool MapRing(Ring* r) {
  io_uring_params& p = r->p;
  r->sq_ring_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  r->cq_ring_len = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  r->sq_map_len = r->sq_ring_len;
  r->cq_map_len = r->cq_ring_len;
  bool single = p.features & IORING_FEAT_SINGLE_MMAP;
  if (single) r->sq_map_len = r->cq_map_len = std::max(r->sq_ring_len, r->cq_ring_len);
  void* sq = mmap(nullptr, r->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
                  IORING_OFF_SQ_RING);
  if (sq == MAP_FAILED) return false;
  r->sq_map = sq;
  void* cq = sq;
  if (!single) {
    cq = mmap(nullptr, r->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
              IORING_OFF_CQ_RING);
    if (cq == MAP_FAILED) return false;
  }
  r->cq_map = cq;
  r->sqes_len = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
                    IORING_OFF_SQES);
  if (sqes == MAP_FAILED) return false;
  r->sqes = static_cast<io_uring_sqe*>(sqes);
  uint8_t* s = static_cast<uint8_t*>(sq);
  uint8_t* c = static_cast<uint8_t*>(cq);
  r->ksq_head = reinterpret_cast<unsigned*>(s + p.sq_off.head);
  r->ksq_tail = reinterpret_cast<unsigned*>(s + p.sq_off.tail);
  r->ksq_array = reinterpret_cast<unsigned*>(s + p.sq_off.array);
  r->ksq_flags = reinterpret_cast<unsigned*>(s + p.sq_off.flags);
  r->ksq_dropped = reinterpret_cast<unsigned*>(s + p.sq_off.dropped);
  r->kcq_head = reinterpret_cast<unsigned*>(c + p.cq_off.head);
  r->kcq_tail = reinterpret_cast<unsigned*>(c + p.cq_off.tail);
  r->kcq_overflow = reinterpret_cast<unsigned*>(c + p.cq_off.overflow);
  r->kcqes = reinterpret_cast<io_uring_cqe*>(c + p.cq_off.cqes);
  r->sq_mask = *reinterpret_cast<unsigned*>(s + p.sq_off.ring_mask);
  r->cq_mask = *reinterpret_cast<unsigned*>(c + p.cq_off.ring_mask);
  // Slot i always holds SQE i: the index array is written once.
  for (unsigned i = 0; i < p.sq_entries; i++) r->ksq_array[i] = i;
  // Every SQE starts as a NOP the addon owns (tag 0), so nothing stale can be submitted.
  memset(r->sqes, 0, r->sqes_len);
  return true;
}

// io_uring_setup(entries, params) -> fd
static napi_value Setup(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"entries", "params"};
  const char* fn = "io_uring_setup";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, fn, kParams)) return nullptr;
  int64_t entries;
  if (!GetInt(env, a.v[0], fn, "entries", 1, 32768, &entries)) return nullptr;
  void* pmem;
  if (!GetStructArg(env, a.v[1], fn, "params", sizeof(io_uring_params), &pmem)) return nullptr;
  if (pmem == nullptr) return ThrowType(env, fn, "params", "an io_uring_params", a.v[1]);
  io_uring_params p;
  memcpy(&p, pmem, sizeof p);
  if (p.flags & ~kSetupFlags)
    return ThrowRange(env, fn, "params.flags 0x%x has flags sockfd does not support (allowed: "
                      "IORING_SETUP_CQSIZE, _CLAMP, _SUBMIT_ALL, _COOP_TASKRUN)", p.flags);
  int fd = static_cast<int>(syscall(__NR_io_uring_setup, static_cast<unsigned>(entries), &p));
  if (fd < 0) return ThrowErrno(env, fn, errno);
  // From here the fd is ours to close on any failure. The kernel's fd is CLOEXEC already
  // (io_uring_setup sets O_CLOEXEC on it).
  Ring* r = new Ring();
  r->fd = fd;
  r->p = p;
  struct stat st;
  int err = 0;
  if (fstat(fd, &st) < 0 || !MapRing(r)) err = errno;
  if (err == 0) {
    r->dev = st.st_dev;
    r->ino = st.st_ino;
    r->slot = new Request*[p.sq_entries]();
    r->shadow = new Shadow();
    // The control block first, rounded to 64 bytes so the ring copies keep their alignment.
    r->ctl_len = (sizeof(Ctl) + p.sq_entries * sizeof(uint64_t) + 63) & ~size_t{63};
    r->shadow->len = r->ctl_len + r->sq_ring_len + r->cq_ring_len + r->sqes_len;
    r->shadow->mem = static_cast<uint8_t*>(calloc(1, r->shadow->len));
    if (r->shadow->mem == nullptr) err = ENOMEM;
  }
  // Undoes the above before anything else has seen the ring, and throws `e`.
  auto fail = [&](int e) {
    Unmap(r);
    close(fd);
    if (r->shadow != nullptr) r->shadow->Unref();
    delete[] r->slot;
    delete r;
    return ThrowErrno(env, fn, e);
  };
  if (err != 0) return fail(err);
  r->ctl = reinterpret_cast<Ctl*>(r->shadow->mem);
  r->slot_ud = r->ctl->ud;
  r->ctl->entries = p.sq_entries;
  r->ctl->mask = p.sq_entries - 1;
  r->ssq = r->shadow->mem + r->ctl_len;
  r->scq = r->ssq + r->sq_ring_len;
  r->ssqes = r->scq + r->cq_ring_len;
  // The copies start as the kernel's regions: offsets, masks, entries, the index array.
  memcpy(r->ssq, r->sq_map, r->sq_ring_len);
  memcpy(r->scq, r->cq_map, p.cq_off.cqes);
  // A ring still listed under this number had its fd closed behind sockfd's back: end it
  // now (Destroy sees its file is gone and keeps whatever the kernel may still use).
  std::vector<Ring*> orphans;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto& v = Rings(env);
    for (auto it = v.begin(); it != v.end();) {
      if ((*it)->fd == fd) {
        orphans.push_back(*it);
        it = v.erase(it);
      } else {
        ++it;
      }
    }
    r->id = NextId();  // under g_mu with the push, so no other thread takes the same id
    if (r->id != 0) v.push_back(r);
  }
  for (Ring* o : orphans) Destroy(env, o, true);
  if (r->id == 0) return fail(EMFILE);  // 2**21 - 1 rings open at once
  r->ctl->id = r->id;
  memcpy(pmem, &p, sizeof p);  // the same buffer: no JS ran since it was read
  return Int(env, fd);
}

static void FinalizeView(napi_env, void*, void* hint) { static_cast<Shadow*>(hint)->Unref(); }

// The ArrayBuffer over views[which] of the shadow block: the same one while it is alive.
static napi_value View(napi_env env, Ring* r, int which, uint8_t* mem, size_t len) {
  napi_value ab = nullptr;
  if (r->views[which] != nullptr) {
    napi_get_reference_value(env, r->views[which], &ab);
    bool detached = false;
    if (ab != nullptr) napi_is_detached_arraybuffer(env, ab, &detached);
    if (ab != nullptr && !detached) return ab;
    napi_delete_reference(env, r->views[which]);
    r->views[which] = nullptr;
  }
  r->shadow->refs++;
  if (napi_create_external_arraybuffer(env, mem, len, FinalizeView, r->shadow, &ab) != napi_ok) {
    r->shadow->Unref();
    return nullptr;
  }
  napi_create_reference(env, ab, 0, &r->views[which]);
  return ab;
}

// io_uring_mmap(fd, offset) -> ArrayBuffer: the JS-visible copy of the region mmap(2) maps
// at `offset` (IORING_OFF_SQ_RING, IORING_OFF_CQ_RING, IORING_OFF_SQES). The same
// ArrayBuffer while it is alive; detached when the ring is closed.
static napi_value Mmap(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "offset"};
  const char* fn = "io_uring_mmap";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 2, 2, fn, kParams)) return nullptr;
  Ring* r = FindByFd(env, a.v[0], fn);
  if (r == nullptr) return nullptr;
  int64_t off;
  if (!GetInt(env, a.v[1], fn, "offset", 0, 9007199254740991.0, &off)) return nullptr;
  int which;
  uint8_t* mem;
  size_t len;
  if (off == IORING_OFF_SQ_RING) {
    which = 0, mem = r->ssq, len = r->sq_ring_len;
  } else if (off == IORING_OFF_CQ_RING) {
    which = 1, mem = r->scq, len = r->cq_ring_len;
  } else if (off == static_cast<int64_t>(IORING_OFF_SQES)) {
    which = 2, mem = r->ssqes, len = r->sqes_len;
  } else {
    return ThrowRange(env, fn, "offset must be IORING_OFF_SQ_RING, IORING_OFF_CQ_RING or "
                      "IORING_OFF_SQES, got %lld", static_cast<long long>(off));
  }
  return View(env, r, which, mem, len);
}

// io_uring_ctl(fd) -> ArrayBuffer: the ring's control block (uring.h Ctl), for lib/uring.ts
// only. Detached when the ring is closed, as the region copies are.
static napi_value CtlCb(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd"};
  const char* fn = "io_uring_ctl";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 1, 1, fn, kParams)) return nullptr;
  Ring* r = FindByFd(env, a.v[0], fn);
  if (r == nullptr) return nullptr;
  return View(env, r, 3, reinterpret_cast<uint8_t*>(r->ctl), r->ctl_len);
}

// io_uring_enter(fd, to_submit, min_complete, flags) -> the number of SQEs submitted
static napi_value EnterCb(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "to_submit", "min_complete", "flags"};
  const char* fn = "io_uring_enter";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 4, 4, fn, kParams)) return nullptr;
  int64_t to_submit, min_complete;
  uint32_t flags;
  if (!GetInt(env, a.v[1], fn, "to_submit", 0, UINT32_MAX, &to_submit) ||
      !GetInt(env, a.v[2], fn, "min_complete", 0, UINT32_MAX, &min_complete) ||
      !GetFlags(env, a.v[3], fn, "flags", &flags))
    return nullptr;
  if (flags & ~kEnterFlags)
    return ThrowRange(env, fn, "flags 0x%x: only IORING_ENTER_GETEVENTS is supported", flags);
  Ring* r = FindByFd(env, a.v[0], fn);
  if (r == nullptr) return nullptr;
  SyncLocal(r);
  unsigned ready = r->local - r->published;
  unsigned n = to_submit < ready ? static_cast<unsigned>(to_submit) : ready;
  Publish(r, n);
  // Everything published and not yet consumed (an earlier call may have left some).
  unsigned pending = r->published - __atomic_load_n(r->ksq_head, __ATOMIC_ACQUIRE);
  int rc = Enter(r, pending, static_cast<unsigned>(min_complete), flags, nullptr, 0);
  int err = rc < 0 ? errno : 0;
  Reap(env, r, false);
  SyncSq(r);
  if (rc < 0) return ThrowErrno(env, fn, err, r->fd);
  return Int(env, rc);
}

// io_uring_register(fd, opcode, arg, nr_args) -> the kernel's result. Only opcodes whose
// argument sockfd can bound: IORING_REGISTER_PROBE (arg: an io_uring_probe buffer the
// kernel fills, nr_args ops), IORING_REGISTER_EVENTFD / _EVENTFD_ASYNC (arg: an Int32Array
// holding the eventfd, nr_args 1), IORING_UNREGISTER_EVENTFD (arg null, nr_args 0).
// Registering buffers or files would let SQEs name memory or fds outside these checks.
static napi_value Register(napi_env env, napi_callback_info info) {
  static const char* const kParams[] = {"fd", "opcode", "arg", "nr_args"};
  const char* fn = "io_uring_register";
  Args a = GetArgs(env, info);
  if (!CheckArgc(env, a, 4, 4, fn, kParams)) return nullptr;
  int64_t op, nr;
  if (!GetInt(env, a.v[1], fn, "opcode", 0, UINT32_MAX, &op) ||
      !GetInt(env, a.v[3], fn, "nr_args", 0, 256, &nr))
    return nullptr;
  Ring* r = FindByFd(env, a.v[0], fn);
  if (r == nullptr) return nullptr;
  uint8_t* data = nullptr;
  size_t len = 0;
  int efd;
  void* arg = nullptr;
  if (op == IORING_REGISTER_PROBE) {
    if (!GetBytes(env, a.v[2], fn, "arg", &data, &len)) return nullptr;
    size_t need = sizeof(io_uring_probe) + nr * sizeof(io_uring_probe_op);
    if (len < need)
      return ThrowRange(env, fn, "arg must hold %zu bytes for %lld ops, got %zu", need,
                        static_cast<long long>(nr), len);
    arg = data;
  } else if (op == IORING_REGISTER_EVENTFD || op == IORING_REGISTER_EVENTFD_ASYNC) {
    if (!GetBytes(env, a.v[2], fn, "arg", &data, &len)) return nullptr;
    if (len < sizeof(int)) return ThrowRange(env, fn, "arg must hold an int, got %zu bytes", len);
    if (nr != 1) return ThrowRange(env, fn, "nr_args must be 1, got %lld", static_cast<long long>(nr));
    memcpy(&efd, data, sizeof efd);
    arg = &efd;
  } else if (op == IORING_UNREGISTER_EVENTFD) {
    if (!IsNullish(env, a.v[2])) return ThrowType(env, fn, "arg", "null", a.v[2]);
  } else {
    return ThrowRange(env, fn, "opcode %lld is not supported (IORING_REGISTER_PROBE, "
                      "IORING_REGISTER_EVENTFD, IORING_REGISTER_EVENTFD_ASYNC, "
                      "IORING_UNREGISTER_EVENTFD)", static_cast<long long>(op));
  }
  int rc = static_cast<int>(syscall(__NR_io_uring_register, r->fd, static_cast<unsigned>(op), arg,
                                    static_cast<unsigned>(nr)));
  if (rc < 0) return ThrowErrno(env, fn, errno, r->fd);
  return Int(env, rc);
}

void InitUring(napi_env env, napi_value exports) {
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (g_rings == nullptr) g_rings = new std::unordered_map<napi_env, std::vector<Ring*>>();
  }
  napi_add_env_cleanup_hook(env, CleanupEnv, env);
  SetFunction(env, exports, "io_uring_setup", Setup);
  SetFunction(env, exports, "io_uring_enter", EnterCb);
  SetFunction(env, exports, "io_uring_register", Register);
  SetFunction(env, exports, "io_uring_mmap", Mmap);
  SetFunction(env, exports, "io_uring_ctl", CtlCb);
  SetLayout(env, exports, "io_uring_params",
            {{"size", sizeof(io_uring_params)},
             {"sq_entries", offsetof(io_uring_params, sq_entries)},
             {"cq_entries", offsetof(io_uring_params, cq_entries)},
             {"flags", offsetof(io_uring_params, flags)},
             {"sq_thread_cpu", offsetof(io_uring_params, sq_thread_cpu)},
             {"sq_thread_idle", offsetof(io_uring_params, sq_thread_idle)},
             {"features", offsetof(io_uring_params, features)},
             {"wq_fd", offsetof(io_uring_params, wq_fd)},
             {"resv", offsetof(io_uring_params, resv)},
             {"sq_off", offsetof(io_uring_params, sq_off)},
             {"cq_off", offsetof(io_uring_params, cq_off)}});
  SetLayout(env, exports, "io_sqring_offsets",
            {{"size", sizeof(io_sqring_offsets)},
             {"head", offsetof(io_sqring_offsets, head)},
             {"tail", offsetof(io_sqring_offsets, tail)},
             {"ring_mask", offsetof(io_sqring_offsets, ring_mask)},
             {"ring_entries", offsetof(io_sqring_offsets, ring_entries)},
             {"flags", offsetof(io_sqring_offsets, flags)},
             {"dropped", offsetof(io_sqring_offsets, dropped)},
             {"array", offsetof(io_sqring_offsets, array)}});
  SetLayout(env, exports, "io_cqring_offsets",
            {{"size", sizeof(io_cqring_offsets)},
             {"head", offsetof(io_cqring_offsets, head)},
             {"tail", offsetof(io_cqring_offsets, tail)},
             {"ring_mask", offsetof(io_cqring_offsets, ring_mask)},
             {"ring_entries", offsetof(io_cqring_offsets, ring_entries)},
             {"overflow", offsetof(io_cqring_offsets, overflow)},
             {"cqes", offsetof(io_cqring_offsets, cqes)},
             {"flags", offsetof(io_cqring_offsets, flags)}});
  SetLayout(env, exports, "io_uring_sqe",
            {{"size", sizeof(io_uring_sqe)},
             {"opcode", offsetof(io_uring_sqe, opcode)},
             {"flags", offsetof(io_uring_sqe, flags)},
             {"ioprio", offsetof(io_uring_sqe, ioprio)},
             {"fd", offsetof(io_uring_sqe, fd)},
             {"off", offsetof(io_uring_sqe, off)},
             {"addr", offsetof(io_uring_sqe, addr)},
             {"len", offsetof(io_uring_sqe, len)},
             {"op_flags", offsetof(io_uring_sqe, rw_flags)},
             {"user_data", offsetof(io_uring_sqe, user_data)}});
  SetLayout(env, exports, "io_uring_cqe",
            {{"size", sizeof(io_uring_cqe)},
             {"user_data", offsetof(io_uring_cqe, user_data)},
             {"res", offsetof(io_uring_cqe, res)},
             {"flags", offsetof(io_uring_cqe, flags)}});
  InitPrep(env, exports);
}

}  // namespace sockfd
