// watch.cc — readiness watchers for the async layer (lib/async.ts), on libuv's uv_poll.
//
// man 7 epoll, man 2 poll; libuv docs "uv_poll_t — Poll handle".
//
// Why uv_poll and not the threadpool: a blocking accept/recv parked on a threadpool thread
// holds that thread until the peer acts, starves fs/dns work, and keeps process.exit() from
// returning (the `epoll`/`syscall-napi` failure modes in DESIGN.md). uv_poll puts the fd in
// the loop's own epoll set, so waiting costs nothing and the non-blocking syscall runs on
// the JS thread the moment the fd is ready.
//
// Why one watcher per fd: libuv refuses a second uv_poll on an fd its loop already watches
// (uv_poll_init -> EEXIST), and one epoll registration per fd is what the kernel wants.
// The waiters (promises, timers, abort listeners) live in JS; native code keeps only the
// uv_poll_t, its started mask and ref state, and calls one JS dispatch function per event.
//
// Why watchers stop lazily: in a request/response loop the same fd is awaited again a few
// microseconds after each wake-up. Stopping at once would cost an epoll_ctl(DEL) and an
// epoll_ctl(ADD) per round trip. Each wake-up makes the watcher idle and the dispatch
// re-arms it for the waiters still pending; an idle watcher stays started but unref'd (it
// never keeps the process alive), and if it fires while still idle it is stopped then.
//
// Lifetimes: the loop is the environment's (napi_get_uv_event_loop; a worker has its own).
// uv_close frees a handle only in its close callback, after the current callback returns,
// so a watcher closed from JS re-entered inside its own callback stays valid until then.
// Teardown (process exit, worker.terminate()) uses an async cleanup hook: Node keeps the
// loop running until the hook reports that every handle's close callback has run, so the
// worker's uv_loop_close never sees an open handle and nothing is touched after free.
#include <fcntl.h>
#include <uv.h>

#include <unordered_map>

#include "common.h"

namespace sockfd {

namespace {

// Status passed to the JS dispatch when the fd is being closed through the package.
// libuv statuses are 0 or negative, so a positive value cannot collide.
constexpr int kClosedStatus = 1;

struct Registry;

struct Watcher {
  uv_poll_t handle;  // first member: uv callbacks get &handle
  Registry* reg;
  int fd;
  int started = 0;  // events uv_poll_start was last called with; 0 = stopped
  int want = 0;     // events some waiter wants; 0 = idle (lazily stopped)
  bool closing = false;
};

struct Registry {
  napi_env env = nullptr;
  uv_loop_t* loop = nullptr;
  napi_ref dispatch = nullptr;  // lib/async.ts dispatch(fd, events, status)
  napi_async_context actx = nullptr;
  napi_async_cleanup_hook_handle hook = nullptr;
  std::unordered_map<int, Watcher*> fds;
  int closing = 0;          // handles whose close callback has not run yet
  bool tearing_down = false;
  bool orphaned = false;    // env data freed while closes were pending: last close frees us
};

Registry* GetRegistry(napi_env env) {
  EnvData* d = GetEnvData(env);
  return d == nullptr ? nullptr : static_cast<Registry*>(d->watch);
}

void OnClosed(uv_handle_t* h) {
  Watcher* w = reinterpret_cast<Watcher*>(h);
  Registry* reg = w->reg;
  delete w;
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

void CloseWatcher(Registry* reg, Watcher* w) {
  w->closing = true;
  reg->closing++;
  uv_close(reinterpret_cast<uv_handle_t*>(&w->handle), OnClosed);  // also stops it
}

// Calls the JS dispatch. From a uv callback there is no JS on the stack, so this opens a
// handle scope and goes through napi_make_callback, which enters the async context and
// runs process.nextTick callbacks and microtasks (the awaiting code) before returning.
void Dispatch(Registry* reg, int fd, int events, int status, bool from_loop) {
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
      // inside close(), never let it stop the fd from being closed.
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

void OnPoll(uv_poll_t* h, int status, int events) {
  Watcher* w = reinterpret_cast<Watcher*>(h);
  Registry* reg = w->reg;
  if (w->closing || reg->tearing_down) return;
  if (status < 0) {
    // EPOLLERR: libuv has already stopped the handle. Wake every waiter; each one's
    // syscall then reports the socket's real error (ECONNREFUSED, ECONNRESET...).
    w->started = 0;
    events = UV_READABLE | UV_WRITABLE;
  } else if (w->want == 0) {
    uv_poll_stop(h);  // idle since the last wake-up: stop now (see "lazily" above)
    w->started = 0;
    return;
  }
  // Each wake-up consumes the want: the watcher goes idle (and unref'd) and the dispatch
  // re-arms it only for waiters still pending afterwards. In a request/response loop the
  // one waiter is resolved and the next one arms it again: one native call per cycle.
  w->want = 0;
  uv_unref(reinterpret_cast<uv_handle_t*>(h));
  Dispatch(reg, w->fd, events, status, true);
}

// watch(fd, events, ref): make the fd's watcher report `events` (UV_READABLE=1 |
// UV_WRITABLE=2), or go idle for 0; `ref` decides whether it keeps the loop alive.
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

  Watcher* w;
  auto it = reg->fds.find(fd);
  if (it != reg->fds.end()) {
    w = it->second;
  } else {
    if (events == 0) return Undefined(env);
    // uv_poll_init switches the fd to O_NONBLOCK. The package's async calls pass
    // MSG_DONTWAIT or set the flag themselves, so the caller's blocking mode is restored:
    // `await readable(fd)` must not change what a later plain recv(fd) does.
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1) return ThrowErrno(env, "fcntl", errno, fd);
    w = new Watcher();
    w->reg = reg;
    w->fd = fd;
    int r = uv_poll_init(reg->loop, &w->handle, fd);
    if (r < 0) {
      delete w;  // never registered with the loop
      return ThrowErrno(env, "uv_poll_init", -r, fd);
    }
    if (!(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags);
    reg->fds.emplace(fd, w);
  }

  w->want = static_cast<int>(events);
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&w->handle);
  if (events == 0) {
    uv_unref(h);  // idle: stays started until it fires or is wanted again
    return Undefined(env);
  }
  if (w->started != events) {
    int r = uv_poll_start(&w->handle, static_cast<int>(events), OnPoll);
    if (r < 0) {
      w->want = 0;
      return ThrowErrno(env, "uv_poll_start", -r, fd);
    }
    w->started = static_cast<int>(events);
  }
  if (ref)
    uv_ref(h);
  else
    uv_unref(h);
  return Undefined(env);
}

// watching(fd): the events the fd's watcher currently wants (0 when idle), or -1 when the
// fd has no watcher. For tests: shows the shared mask and that close() removes watchers.
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
  // Defensive: a watcher still open here would be freed by libuv later; leave the
  // registry to its last close callback rather than free memory libuv still points into.
  for (auto& kv : reg->fds) CloseWatcher(reg, kv.second);
  reg->fds.clear();
  if (reg->closing > 0) {
    reg->orphaned = true;
    return;
  }
  delete reg;
}

}  // namespace

// Called by close() (socket.cc) before the fd number is released: stops the fd's watcher
// and rejects its waiters, so no waiter can ever run a syscall on a new fd that reuses
// the number.
void WatchBeforeClose(napi_env env, int fd) {
  Registry* reg = GetRegistry(env);
  if (reg == nullptr) return;
  auto it = reg->fds.find(fd);
  if (it == reg->fds.end()) return;
  Watcher* w = it->second;
  reg->fds.erase(it);
  CloseWatcher(reg, w);  // epoll_ctl(DEL) happens here, while the fd is still open
  if (!reg->tearing_down && reg->dispatch != nullptr) Dispatch(reg, fd, 0, kClosedStatus, false);
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
