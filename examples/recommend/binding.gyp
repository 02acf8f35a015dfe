{
  "targets": [
    {
      "target_name": "recommend",
      "sources": ["src/native/recommend.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES"
      },
      "msvs_settings": { "VCCLCompilerTool": { "Optimization": 2, "ExceptionHandling": 1 } }
    }
  ]
}
