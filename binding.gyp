{
  # SOCKFD_SANITIZE=1 in the environment builds the addon with ASan + UBSan
  # (npm run test:asan does this, then runs the suite with libasan preloaded).
  "variables": {
    "sockfd_sanitize%": "<!(node -p \"process.env.SOCKFD_SANITIZE === '1' ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "sockfd",
      "sources": [
        "native/addon.cc",
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
        "native/bench.cc",
        "native/overhead.cc"
      ],
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
    }
  ]
}
