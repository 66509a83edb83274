{
  "targets": [
    {
      "target_name": "iad_native",
      "sources": [
        "native/src/binding.cc",
        "native/src/content.cc",
        "native/src/crypto.cc",
        "native/src/forensics.cc",
        "native/src/jpeg_scaled.cc",
        "native/src/keyring.cc",
        "native/src/open_capture.cc",
        "native/src/scene.cc",
        "native/src/warp.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2", "-fvect-cost-model=dynamic", "-ffp-contract=off"]
    }
  ]
}
