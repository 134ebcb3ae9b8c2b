// watch.cc — readiness watchers for the async layer (lib/async.ts), on libuv's uv_poll.
//
// man 7 epoll, man 2 poll, man 2 fstat; libuv docs "uv_poll_t — Poll handle".
//
// THE RULE: a watcher is bound to a file, not to a number. fd numbers are reused at once
// (the lowest free number comes back), and a close can come from another thread, from
// fs.closeSync, from a net.Socket's destroy() — anything that does not go through
// sockfd's close(). So each watcher records the identity of the file it was made for
// (fstat st_dev + st_ino, taken when it is created) and checks it
//   - when a waiter arms or re-arms it (Watch),
//   - on every wake-up, before any waiter runs a syscall (OnPoll),
//   - before libuv hands a pending start to epoll_ctl (OnPrepare: an ADD on a closed fd
//     makes libuv abort(), an ADD on a reused number would watch the new file),
//   - every kSweepMs while waiters are pending (OnSweep: a file closed elsewhere never
//     wakes its watcher — the kernel drops the epoll registration with the file — so
//     without this a wait on it would hang).
// A watcher whose fd no longer opens the same file (fstat EBADF, or another dev/ino) is
// retired: its uv_poll handle is closed and its waiters are rejected with ECANCELED
// (statuses kGone / kChanged below). The next wait on that number makes a fresh watcher
// for the file the number opens now. One fstat per arm and per wake-up is the price.
//
// dev + ino is no identity for anonymous-inode files: every epoll fd, eventfd, timerfd and
// signalfd shares one inode of the anon_inodefs. For those, once libuv's registration
// exists, the check asks the kernel instead: epoll_ctl(EPOLL_CTL_MOD) on libuv's own epoll
// fd (uv_backend_fd) with exactly the events and data libuv registered finds the entry
// only if the number still opens the registered file (the kernel keys an entry by file
// and number), so ENOENT means "closed and reused", and the MOD itself changes nothing.
//
// Residual window (documented in docs/api.md): another thread that closes the fd between
// the pre-poll check and libuv's epoll_ctl (microseconds) can still race libuv; and a
// file kept open by a dup elsewhere keeps its epoll registration (epoll(7), Q6).
//
// State has one owner each: this file owns the handle, the file identity, the started
// mask and the ref state; lib/async.ts owns every waiter (sets, timers, abort) and tells
// this file only "these events, ref'd or not" through watch(fd, events, ref).
//
// Why uv_poll and not the threadpool: a blocking accept/recv parked on a threadpool thread
// holds that thread until the peer acts, starves fs/dns work, and keeps process.exit() from
// returning (the `epoll`/`syscall-napi` failure modes in DESIGN.md). uv_poll puts the fd in
// the loop's own epoll set, so waiting costs nothing and the non-blocking syscall runs on
// the JS thread the moment the fd is ready.
//
// Why one watcher per fd: libuv refuses a second uv_poll on an fd its loop already watches
// (uv_poll_init -> EEXIST), and one epoll registration per fd is what the kernel wants.
//
// Why a wake-up leaves the watcher started: in a request/response loop the same fd is
// awaited again inside the dispatch (the awaiting code runs in its microtasks). uv_poll_start
// costs an epoll_ctl(DEL) at once and an ADD on the next poll, so the watcher stays started
// while it is re-armed within the same callback; one still idle when the poll phase ends
// (OnCheck, before setImmediate callbacks) or when the loop is about to poll again
// (OnPrepare, after timers) is retired. An idle watcher is unref'd, and no watcher outlives
// a loop phase without waiters — so after `await readable(fd)` and a setImmediate the fd can
// be handed to net.Socket, which libuv refuses while a uv_poll holds the number.
//
// Lifetimes: the loop is the environment's (napi_get_uv_event_loop; a worker has its own).
// uv_close frees a handle only in its close callback, after the current callback returns,
// so a watcher closed from JS re-entered inside its own callback stays valid until then.
// Teardown (process exit, worker.terminate()) uses an async cleanup hook: Node keeps the
// loop running until the hook reports that every handle's close callback has run, so the
// worker's uv_loop_close never sees an open handle and nothing is touched after free.
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "common.h"

namespace sockfd {

namespace {

// Statuses passed to the JS dispatch besides libuv's (0 or negative). All positive, so they
// cannot collide. Keep in step with lib/async.ts.
constexpr int kClosed = 1;   // close() through sockfd, before the number was released
constexpr int kGone = 2;     // fstat says EBADF: closed outside sockfd
constexpr int kChanged = 3;  // the number now opens another file (closed and reused)
constexpr int kRetired = 4;  // idle at the end of a loop phase: closed, no waiters

// How often pending waits re-check their file. A file closed outside sockfd is found at
// the next arm or wake-up, or at the latest after this long.
constexpr uint64_t kSweepMs = 500;

struct Registry;

struct Watcher {
  uv_poll_t handle;  // first member: uv callbacks get &handle
  Registry* reg;
  int fd;
  dev_t dev;         // identity of the file the watcher was made for
  ino_t ino;
  bool anon = false;  // an anonymous inode (epoll, eventfd, ...): dev + ino is shared
  int started = 0;   // events uv_poll_start was last called with; 0 = stopped
  int want = 0;      // events some waiter wants; 0 = idle
  bool closing = false;
  bool dirty = false;       // in reg->dirty: OnPrepare looks at it before the next poll
  bool start_pending = false;  // uv_poll_start since the last poll: an epoll ADD is queued
};

struct Registry {
  napi_env env = nullptr;
  uv_loop_t* loop = nullptr;
  napi_ref dispatch = nullptr;  // lib/async.ts dispatch(fd, events, status)
  napi_async_context actx = nullptr;
  napi_async_cleanup_hook_handle hook = nullptr;
  std::unordered_map<int, Watcher*> fds;
  std::vector<Watcher*> dirty;  // went idle or started since the last poll
  uv_prepare_t prepare;
  uv_check_t check;
  uv_timer_t sweep;
  bool own_handles = false;  // prepare, check and sweep are initialized and not yet closed
  int closing = 0;           // handles whose close callback has not run yet
  bool tearing_down = false;
  bool orphaned = false;     // env data freed while closes were pending: last close frees us
};

Registry* GetRegistry(napi_env env) {
  EnvData* d = GetEnvData(env);
  return d == nullptr ? nullptr : static_cast<Registry*>(d->watch);
}

// 0 when `fd` still opens the file (dev, ino); else kGone or kChanged.
int Identity(int fd, dev_t dev, ino_t ino) {
  struct stat st;
  if (fstat(fd, &st) != 0) return kGone;
  return st.st_dev == dev && st.st_ino == ino ? 0 : kChanged;
}

// The device of the anonymous-inode filesystem, read once from an eventfd of our own.
dev_t AnonDev() {
  static const dev_t dev = [] {
    dev_t d = 0;
    int fd = eventfd(0, EFD_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0) d = st.st_dev;
    if (fd >= 0) close(fd);
    return d;
  }();
  return dev;
}

// Identity, and for an anonymous inode whose registration libuv has made (`registered`),
// the kernel's own answer: see "dev + ino is no identity" at the top.
int Check(Watcher* w, bool registered) {
  int id = Identity(w->fd, w->dev, w->ino);
  if (id != 0 || !w->anon || !registered || w->started == 0) return id;
  epoll_event ev{};
  // What libuv's uv__io_poll registers for a uv_poll: its pevents (POLLIN/POLLOUT, the
  // same bits as EPOLLIN/EPOLLOUT) and data.fd.
  ev.events = ((w->started & UV_READABLE) ? POLLIN : 0) | ((w->started & UV_WRITABLE) ? POLLOUT : 0);
  ev.data.fd = w->fd;
  if (epoll_ctl(uv_backend_fd(w->reg->loop), EPOLL_CTL_MOD, w->fd, &ev) == 0) return 0;
  return errno == EBADF ? kGone : kChanged;
}

void HandleClosed(Registry* reg) {
  if (--reg->closing > 0) return;
  if (reg->orphaned) {
    delete reg;
    return;
  }
  if (reg->tearing_down && reg->hook != nullptr) {
    napi_async_cleanup_hook_handle hook = reg->hook;
    reg->hook = nullptr;
    napi_remove_async_cleanup_hook(hook);
  }
}

void OnClosed(uv_handle_t* h) {
  Watcher* w = reinterpret_cast<Watcher*>(h);
  Registry* reg = w->reg;
  if (w->dirty) reg->dirty.erase(std::remove(reg->dirty.begin(), reg->dirty.end(), w), reg->dirty.end());
  delete w;
  HandleClosed(reg);
}

void OnOwnClosed(uv_handle_t* h) { HandleClosed(static_cast<Registry*>(h->data)); }

void CloseWatcher(Registry* reg, Watcher* w) {
  w->closing = true;
  reg->closing++;
  uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), OnClosed);  // also stops it
}

void CloseOwnHandles(Registry* reg) {
  if (!reg->own_handles) return;
  reg->own_handles = false;
  reg->closing += 3;
  uv_close(reinterpret_cast<uv_handle_t*>(&reg->prepare), OnOwnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&reg->check), OnOwnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&reg->sweep), OnOwnClosed);
}

void MarkDirty(Registry* reg, Watcher* w) {
  if (w->dirty) return;
  w->dirty = true;
  reg->dirty.push_back(w);
}

// Calls the JS dispatch. From a uv callback there is no JS on the stack, so this opens a
// handle scope and goes through napi_make_callback, which enters the async context and
// runs process.nextTick callbacks and microtasks (the awaiting code) before returning.
void Dispatch(Registry* reg, int fd, int events, int status, bool from_loop) {
  if (reg->tearing_down || reg->dispatch == nullptr) return;
  napi_env env = reg->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[3], result;
  if (napi_get_reference_value(env, reg->dispatch, &fn) == napi_ok && fn != nullptr) {
    // napi_make_callback needs an object receiver (undefined throws TypeError).
    napi_get_global(env, &recv);
    napi_create_int32(env, fd, &argv[0]);
    napi_create_int32(env, events, &argv[1]);
    napi_create_int32(env, status, &argv[2]);
    napi_status s = from_loop ? napi_make_callback(env, reg->actx, recv, fn, 3, argv, &result)
                              : napi_call_function(env, recv, fn, 3, argv, &result);
    if (s != napi_ok) {
      // The dispatch catches each waiter's errors, so this is a bug or the environment
      // stopping (worker.terminate()). From the loop, report it as an uncaught exception;
      // inside close() or watch(), never let it stop the fd from being closed.
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value err;
        napi_get_and_clear_last_exception(env, &err);
        if (from_loop) napi_fatal_exception(env, err);
      }
    }
  }
  napi_close_handle_scope(env, scope);
}

// Ends a watcher: forgets it, closes its handle, then tells JS why (which rejects its
// waiters, or for kRetired drops the fd's idle state). Forgotten first, so a JS waiter
// created from the dispatch makes a fresh watcher.
void Retire(Registry* reg, Watcher* w, int status, bool from_loop) {
  int fd = w->fd;
  auto it = reg->fds.find(fd);
  if (it != reg->fds.end() && it->second == w) reg->fds.erase(it);
  CloseWatcher(reg, w);
  Dispatch(reg, fd, 0, status, from_loop);
}

void OnPoll(uv_poll_t* h, int status, int events) {
  Watcher* w = reinterpret_cast<Watcher*>(h);
  Registry* reg = w->reg;
  if (w->closing || reg->tearing_down) return;
  w->start_pending = false;  // the registration exists: it just reported
  // Before any waiter runs a syscall on this number: is it still our file?
  int id = Check(w, true);
  if (id != 0) {
    Retire(reg, w, id, true);
    return;
  }
  if (status < 0) {
    // EPOLLERR: libuv has already stopped the handle. Wake every waiter; each one's
    // syscall then reports the socket's real error (ECONNREFUSED, ECONNRESET...).
    w->started = 0;
    events = UV_READABLE | UV_WRITABLE;
  } else if (w->want == 0) {
    return;  // idle since the last wake-up; OnCheck retires it
  }
  // Each wake-up consumes the want: the watcher goes idle (and unref'd) and the dispatch
  // re-arms it only for waiters still pending afterwards. In a request/response loop the
  // one waiter is resolved and the next one arms it again: one native call per cycle.
  w->want = 0;
  uv_unref(reinterpret_cast<uv_handle_t*>(h));
  MarkDirty(reg, w);
  Dispatch(reg, w->fd, events, status, true);
}

// Right after the poll phase (OnCheck, before setImmediate callbacks) and right before the
// next poll (OnPrepare, after timers): retire watchers left idle, and check the file of
// every watcher whose epoll ADD libuv is about to issue.
void ProcessDirty(Registry* reg, bool before_poll) {
  if (reg->dirty.empty() || reg->tearing_down) return;
  std::vector<Watcher*> list;
  list.swap(reg->dirty);  // a dispatch below may mark others dirty
  for (Watcher* w : list) w->dirty = false;
  for (Watcher* w : list) {
    if (w->closing) continue;  // closed by an earlier dispatch in this loop; freed later
    if (w->want == 0) {
      Retire(reg, w, kRetired, true);
      continue;
    }
    if (!w->start_pending) continue;
    if (!before_poll) {
      // JS (setImmediate callbacks, timers) still runs before the poll: check then.
      MarkDirty(reg, w);
      continue;
    }
    w->start_pending = false;
    int id = Identity(w->fd, w->dev, w->ino);
    if (id != 0) Retire(reg, w, id, true);
  }
}

void OnPrepare(uv_prepare_t* p) { ProcessDirty(static_cast<Registry*>(p->data), true); }
void OnCheck(uv_check_t* c) { ProcessDirty(static_cast<Registry*>(c->data), false); }

// Every kSweepMs while some watcher is wanted: find files closed outside sockfd, which
// never wake their watcher.
void OnSweep(uv_timer_t* t) {
  Registry* reg = static_cast<Registry*>(t->data);
  if (reg->tearing_down) return;
  std::vector<std::pair<Watcher*, int>> stale;
  bool wanted = false;
  for (auto& kv : reg->fds) {
    Watcher* w = kv.second;
    if (w->want == 0) continue;
    int id = Check(w, !w->start_pending);
    if (id != 0)
      stale.emplace_back(w, id);
    else
      wanted = true;
  }
  if (!wanted) uv_timer_stop(t);  // Watch() starts it again
  for (auto& s : stale)
    if (!s.first->closing) Retire(reg, s.first, s.second, true);
}

// watch(fd, events, ref): make the fd's watcher report `events` (UV_READABLE=1 |
// UV_WRITABLE=2), or go idle for 0; `ref` decides whether it keeps the loop alive.
// Checks the fd's file first: a watcher made for another file is retired (its waiters
// rejected, synchronously, before this returns) and a fresh one is made; a closed fd is
// ErrnoError EBADF from fstat.
napi_value Watch(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  int64_t events;
  bool ref = false;
  if (!GetFd(env, a.v[0], "watch", "fd", &fd)) return nullptr;
  if (!GetInt(env, a.v[1], "watch", "events", 0, UV_READABLE | UV_WRITABLE, &events))
    return nullptr;
  if (napi_get_value_bool(env, a.v[2], &ref) != napi_ok)
    return ThrowType(env, "watch", "ref", "a boolean", a.v[2]);
  Registry* reg = GetRegistry(env);
  if (reg == nullptr || reg->tearing_down) return ThrowErrno(env, "uv_poll_start", ECANCELED, fd);

  Watcher* w = nullptr;
  auto it = reg->fds.find(fd);
  if (it != reg->fds.end()) w = it->second;
  uv_handle_t* h;
  if (events == 0) {
    // Nobody waits any more: no syscall needed; OnCheck/OnPrepare retire it unless re-armed.
    if (w == nullptr) return Undefined(env);
    w->want = 0;
    uv_unref(reinterpret_cast<uv_handle_t*>(&w->handle));
    MarkDirty(reg, w);
    return Undefined(env);
  }

  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    if (w != nullptr) Retire(reg, w, kGone, false);
    return ThrowErrno(env, "fstat", err, fd);
  }
  if (w != nullptr && (st.st_dev != w->dev || st.st_ino != w->ino ||
                       (w->anon && Check(w, !w->start_pending) != 0))) {
    Retire(reg, w, kChanged, false);
    w = nullptr;
  }
  if (w == nullptr) {
    // uv_poll_init switches the fd to O_NONBLOCK. The async layer never changes the fd's
    // mode (lib/async.ts, the O_NONBLOCK policy), so the caller's mode is restored:
    // `await readable(fd)` must not change what a later plain recv(fd) does.
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1) return ThrowErrno(env, "fcntl", errno, fd);
    w = new Watcher();
    w->reg = reg;
    w->fd = fd;
    w->dev = st.st_dev;
    w->ino = st.st_ino;
    w->anon = st.st_dev == AnonDev();
    int r = uv_poll_init(reg->loop, &w->handle, fd);
    if (r < 0) {
      // EEXIST: another handle of this loop (a net.Socket, say) watches the number.
      delete w;  // never registered with the loop
      return ThrowErrno(env, "uv_poll_init", -r, fd);
    }
    if (!(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags);
    reg->fds.emplace(fd, w);
  }

  w->want = static_cast<int>(events);
  h = reinterpret_cast<uv_handle_t*>(&w->handle);
  if (w->started != events) {
    int r = uv_poll_start(&w->handle, static_cast<int>(events), OnPoll);
    if (r < 0) {
      // Nothing registered: retire it, so no stale handle stays behind.
      Retire(reg, w, kGone, false);
      return ThrowErrno(env, "uv_poll_start", -r, fd);
    }
    w->started = static_cast<int>(events);
    w->start_pending = true;
    MarkDirty(reg, w);
  }
  if (ref)
    uv_ref(h);
  else
    uv_unref(h);
  if (reg->own_handles && !uv_is_active(reinterpret_cast<uv_handle_t*>(&reg->sweep)))
    uv_timer_start(&reg->sweep, OnSweep, kSweepMs, kSweepMs);
  return Undefined(env);
}

// watching(fd): the events the fd's watcher currently wants (0 when idle), or -1 when the
// fd has no watcher. For tests: shows the shared mask and that watchers go away.
napi_value Watching(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  int fd;
  if (!GetFd(env, a.v[0], "watching", "fd", &fd)) return nullptr;
  Registry* reg = GetRegistry(env);
  if (reg == nullptr) return Int(env, -1);
  auto it = reg->fds.find(fd);
  return Int(env, it == reg->fds.end() ? -1 : it->second->want);
}

// watchInit(dispatch): registers lib/async.ts's dispatch(fd, events, status), once per
// environment.
napi_value WatchInit(napi_env env, napi_callback_info info) {
  Args a = GetArgs(env, info);
  napi_valuetype t;
  napi_typeof(env, a.v[0], &t);
  if (t != napi_function) return ThrowType(env, "watchInit", "dispatch", "a function", a.v[0]);
  Registry* reg = GetRegistry(env);
  if (reg == nullptr) return Undefined(env);
  if (reg->dispatch != nullptr) napi_delete_reference(env, reg->dispatch);
  napi_create_reference(env, a.v[0], 1, &reg->dispatch);
  return Undefined(env);
}

// Environment teardown: close every handle; Node runs the loop until the last close
// callback removes this hook.
void OnCleanup(napi_async_cleanup_hook_handle hook, void* arg) {
  Registry* reg = static_cast<Registry*>(arg);
  reg->tearing_down = true;
  for (auto& kv : reg->fds) CloseWatcher(reg, kv.second);
  reg->fds.clear();
  CloseOwnHandles(reg);
  if (reg->closing == 0 && reg->hook != nullptr) {
    reg->hook = nullptr;
    napi_remove_async_cleanup_hook(hook);
  }
}

// EnvData::watch_free: runs from the instance-data finalizer. The cleanup hook holds a
// reference on the environment, so this normally runs after every handle is closed.
void FreeRegistry(void* p) {
  Registry* reg = static_cast<Registry*>(p);
  if (reg == nullptr) return;
  napi_env env = reg->env;
  if (reg->dispatch != nullptr) napi_delete_reference(env, reg->dispatch);
  reg->dispatch = nullptr;
  if (reg->actx != nullptr) napi_async_destroy(env, reg->actx);
  reg->actx = nullptr;
  // Defensive: a handle still open here would be freed by libuv later; leave the
  // registry to its last close callback rather than free memory libuv still points into.
  reg->tearing_down = true;
  for (auto& kv : reg->fds) CloseWatcher(reg, kv.second);
  reg->fds.clear();
  CloseOwnHandles(reg);
  if (reg->closing > 0) {
    reg->orphaned = true;
    return;
  }
  delete reg;
}

}  // namespace

// Called by close() (socket.cc) before the fd number is released: retires the fd's watcher
// (its epoll_ctl(DEL) happens while the fd is still open) and rejects its waiters, so no
// waiter can ever run a syscall on a new fd that reuses the number.
void WatchBeforeClose(napi_env env, int fd) {
  Registry* reg = GetRegistry(env);
  if (reg == nullptr) return;
  auto it = reg->fds.find(fd);
  if (it == reg->fds.end()) return;
  Retire(reg, it->second, kClosed, false);
}

void InitWatch(napi_env env, napi_value exports) {
  EnvData* d = GetEnvData(env);
  if (d == nullptr) return;
  Registry* reg = new Registry();
  reg->env = env;
  if (napi_get_uv_event_loop(env, &reg->loop) != napi_ok || reg->loop == nullptr) {
    delete reg;
    return;
  }
  // No handle here keeps the loop alive: they only serve watchers, which do when ref'd.
  uv_prepare_init(reg->loop, &reg->prepare);
  reg->prepare.data = reg;
  uv_prepare_start(&reg->prepare, OnPrepare);
  uv_unref(reinterpret_cast<uv_handle_t*>(&reg->prepare));
  uv_check_init(reg->loop, &reg->check);
  reg->check.data = reg;
  uv_check_start(&reg->check, OnCheck);
  uv_unref(reinterpret_cast<uv_handle_t*>(&reg->check));
  uv_timer_init(reg->loop, &reg->sweep);
  reg->sweep.data = reg;
  uv_unref(reinterpret_cast<uv_handle_t*>(&reg->sweep));
  reg->own_handles = true;
  napi_value name;
  napi_create_string_utf8(env, "sockfd.watch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &reg->actx);
  napi_add_async_cleanup_hook(env, OnCleanup, reg, &reg->hook);
  d->watch = reg;
  d->watch_free = FreeRegistry;
  SetFunction(env, exports, "watchInit", WatchInit);
  SetFunction(env, exports, "watch", Watch);
  SetFunction(env, exports, "watching", Watching);
}

}  // namespace sockfd
