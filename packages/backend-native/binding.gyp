{
  "targets": [
    {
      "target_name": "apb_native",
      "sources": [
        "native/addon.cc",
        "native/conv.cc",
        "native/conv-single-channel.cc",
        "native/matmul.cc",
        "native/pool.cc",
        "native/elementwise.cc",
        "native/adam.cc",
        "native/apb-step.cc",
        "native/threads.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-fopenmp", "-fexceptions", "-Wall"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
