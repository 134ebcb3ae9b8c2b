{
  # SOCKFD_SANITIZE=1 in the environment builds with ASan + UBSan
  # (npm run test:asan does this, then runs the suite with libasan preloaded).
  "variables": {
    "sockfd_sanitize%": "<!(node -p \"process.env.SOCKFD_SANITIZE === '1' ? 1 : 0\")"
  },
  # What both targets share: headers, defines, flags.
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
    "cflags_cc": ["-std=gnu++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
    "conditions": [
      ["sockfd_sanitize==1", {
        "cflags_cc": ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-O1", "-g"],
        "ldflags": ["-fsanitize=address,undefined"]
      }, {
        "cflags_cc": ["-O2", "-D_FORTIFY_SOURCE=2"]
      }]
    ]
  },
  "targets": [
    {
      # The addon: build/Release/sockfd.node, the only .node file, which node-gyp-build loads.
      "target_name": "sockfd",
      "sources": [
        "native/addon.cc",
        "native/env.cc",
        "native/args.cc",
        "native/errors.cc",
        "native/constants.cc",
        "native/sockaddr.cc",
        "native/inet.cc",
        "native/socket.cc",
        "native/io.cc",
        "native/sockopt.cc",
        "native/netif.cc",
        "native/select.cc",
        "native/poll.cc",
        "native/epoll.cc",
        "native/eventfd.cc",
        "native/msg.cc",
        "native/netns.cc",
        "native/watch.cc",
        "native/uring.cc",
        "native/uring_prep.cc"
      ]
    },
    {
      # The benchmark's C loops (native/bench/bench.h): build/Release/sockfd_bench.so, a
      # Node-API module that is deliberately not named *.node, so node-gyp-build can never
      # load it as the addon. bench/native.ts loads it with process.dlopen.
      "target_name": "sockfd_bench",
      # (node-gyp's addon.gypi names every loadable_module *.node in a target condition,
      # which only a target condition of our own, applied after it, can override.)
      "target_conditions": [["_type=='loadable_module'", {"product_extension": "so"}]],
      "sources": [
        "native/bench/addon.cc",
        "native/bench/scale.cc",
        "native/bench/overhead.cc",
        "native/bench/stream.cc",
        "native/bench/scan.cc",
        "native/bench/uring.cc",
        "native/env.cc",
        "native/args.cc",
        "native/errors.cc"
      ]
    }
  ]
}
