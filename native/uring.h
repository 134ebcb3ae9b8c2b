// uring.h — the ring state shared by uring.cc (setup, enter, register, the mapped rings,
// close) and uring_prep.cc (get_sqe and the prep helpers). Internal to the addon.
#pragma once

#include <linux/io_uring.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <unordered_set>

#include "common.h"

namespace sockfd {
namespace uring {

// One request the kernel may still act on. The SQE it was prepared into carries `tag`
// (never the caller's user_data, which JS could choose to collide with another request) and
// only addresses inside `mem`, which the addon allocated and frees only once the kernel has
// posted the request's last CQE (or the ring is gone with the kernel done).
//
// The tag is the Request's own address. A CQE's user_data is only trusted after the ring's
// live set says it is a Request of this ring: besides the tags the addon wrote (and 0 for the
// addon's own SQEs), any holder of the ring fd can post a CQE with a user_data of its choosing
// (IORING_OP_MSG_RING, Linux 5.18), and such a completion is skipped, never dereferenced.
struct Request {
  uint64_t tag = 0;
  uint64_t user_data = 0;  // the caller's, given back in the JS-visible CQE
  uint8_t op = 0;
  uint8_t* mem = nullptr;  // recv/send: the bytes; accept: sockaddr_storage + socklen_t; timeout: ts
  size_t len = 0;
  napi_ref target = nullptr;   // recv: the caller's buffer; accept: addr
  size_t target_off = 0;       // recv: where in `target` the bytes go
  napi_ref target2 = nullptr;  // accept: addrlen (a Uint32Array)
  uint64_t match_ud = 0;       // poll_remove: the user_data of the poll it removes
  Request* prev = nullptr;     // the ring's live list
  Request* next = nullptr;
  // `mem` for small requests (an accept's address, a timespec, a short recv or send), so
  // the hot path does not go through malloc.
  alignas(16) uint8_t small[sizeof(sockaddr_storage) + sizeof(socklen_t)];
};

// The requests of a ring that the kernel may still act on (published or not): an intrusive
// list to walk them, and a set of their addresses so a CQE's user_data is looked up before
// it is used as a Request (see Request).
class LiveList {
 public:
  void Add(Request* q) {
    ids_.insert(q);
    q->prev = nullptr;
    q->next = head_;
    if (head_ != nullptr) head_->prev = q;
    head_ = q;
    n_++;
  }
  void Remove(Request* q) {
    ids_.erase(q);
    if (q->prev != nullptr) q->prev->next = q->next;
    else head_ = q->next;
    if (q->next != nullptr) q->next->prev = q->prev;
    q->prev = q->next = nullptr;
    n_--;
  }
  // Whether `tag` is the address of one of this ring's live requests.
  bool Contains(uint64_t tag) const {
    return ids_.count(reinterpret_cast<const Request*>(static_cast<uintptr_t>(tag))) != 0;
  }
  bool empty() const { return n_ == 0; }
  size_t size() const { return n_; }
  struct It {
    Request* q;
    Request* operator*() const { return q; }
    It& operator++() { q = q->next; return *this; }
    bool operator!=(const It& o) const { return q != o.q; }
  };
  It begin() const { return It{head_}; }
  It end() const { return It{nullptr}; }

 private:
  Request* head_ = nullptr;
  size_t n_ = 0;
  std::unordered_set<const Request*> ids_;
};

// A block of addon memory shared by the ring and the ArrayBuffers JS sees over it. Each
// holder (the ring, every ArrayBuffer made over it) counts one; the last one frees it. So
// native writes never reach freed memory even when JS transfers or drops its views.
struct Shadow {
  std::atomic<int> refs{1};
  uint8_t* mem = nullptr;
  size_t len = 0;
  void Unref() {
    if (refs.fetch_sub(1) == 1) {
      free(mem);
      delete this;
    }
  }
};

// The control block lib/uring.ts shares with the addon (io_uring_ctl), so io_uring_get_sqe
// and io_uring_sqe_set_data64 need no Node-API call: JS hands out SQEs by advancing `local`
// and stores each slot's user_data in `ud`. Only lib/uring.ts holds it (binding.ts does not
// export it), and nothing in it is trusted for memory safety: the addon reads `local` back
// through SyncLocal, which accepts it only inside the window the kernel left free, and a
// user_data is opaque (the kernel sees the request's tag). The addon writes the rest.
struct Ctl {
  uint32_t id;         // the ring's id (an sqe names its ring by it)
  uint32_t local;      // SQEs handed out (JS advances it; SyncLocal checks it)
  uint32_t published;  // SQEs given to the kernel
  uint32_t khead;      // the kernel's SQ head, as of the last io_uring_enter
  uint32_t entries;
  uint32_t mask;
  uint32_t pad[2];
  uint64_t ud[];       // the caller's user_data for each slot
};

struct Ring {
  uint32_t id = 0;  // in [1, 2**21), unique among open rings: an sqe names its ring by it
  int fd = -1;      // the ring's fd (checked against its dev/ino before every use)
  dev_t dev = 0;
  ino_t ino = 0;
  io_uring_params p{};
  // The kernel's mappings (never exposed to JS).
  void* sq_map = nullptr;
  size_t sq_map_len = 0;
  void* cq_map = nullptr;  // == sq_map with IORING_FEAT_SINGLE_MMAP
  size_t cq_map_len = 0;
  io_uring_sqe* sqes = nullptr;
  size_t sqes_len = 0;
  unsigned *ksq_head, *ksq_tail, *ksq_array, *ksq_flags, *ksq_dropped;
  unsigned *kcq_head, *kcq_tail, *kcq_overflow;
  io_uring_cqe* kcqes = nullptr;
  unsigned sq_mask = 0, cq_mask = 0;
  // Submission state: [published, local) are SQEs handed out by get_sqe and not yet given
  // to the kernel; the kernel owns [its head, published).
  unsigned local = 0;
  unsigned published = 0;
  Request** slot = nullptr;     // the request prepared in each slot, until published
  uint64_t* slot_ud = nullptr;  // the caller's user_data for each slot (ctl->ud)
  Ctl* ctl = nullptr;           // inside the shadow block, before the ring copies
  size_t ctl_len = 0;
  // The JS-visible copies, laid out as the kernel's regions (sq_off/cq_off offsets).
  Shadow* shadow = nullptr;
  uint8_t* ssq = nullptr;  // SQ ring copy (sq_ring_len bytes)
  uint8_t* scq = nullptr;  // CQ ring copy
  uint8_t* ssqes = nullptr;
  size_t sq_ring_len = 0, cq_ring_len = 0;
  unsigned scq_tail = 0;
  napi_ref views[4] = {nullptr, nullptr, nullptr, nullptr};  // weak: the ArrayBuffers handed out (3: ctl)
  LiveList live;  // every request not yet freed (published or not)
};

// The ring the caller's fd names (nullptr, with a TypeError thrown, when it is not one
// io_uring_setup made and still open under that number).
Ring* FindByFd(napi_env env, napi_value v, const char* fn);
// The ring with this id (nullptr and an error thrown when it is closed).
Ring* FindById(napi_env env, uint32_t id, const char* fn);
// The SQE slot for sequence number `seq` if it was handed out and not yet published.
bool SlotOf(napi_env env, Ring* r, uint32_t seq, const char* fn, unsigned* idx);
// Takes the handed-out count JS stored in the control block, if it lies in the window the
// kernel left free; otherwise puts the addon's own back. Every native path reads r->local
// only after this.
void SyncLocal(Ring* r);
// Frees a request's memory and references (the kernel is done with it).
void FreeRequest(napi_env env, Request* q);
// Writes the JS-visible copy of slot `idx` from the kernel's SQE, with the caller's
// user_data and without the addon's addresses.
void MirrorSqe(Ring* r, unsigned idx);

void InitPrep(napi_env env, napi_value exports);

}  // namespace uring
}  // namespace sockfd
