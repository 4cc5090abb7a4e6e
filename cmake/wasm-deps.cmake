# The WebAssembly build's dependencies and flags (included when EMSCRIPTEN).
#
# find_package and pkg-config do not apply under the Emscripten toolchain, so the
# targets the native build gets from Debian are defined here under the SAME names,
# built from sources that scripts/fetch-wasm-sources verified and cached:
#   SQLite::SQLite3              static library from the SQLite amalgamation
#   PkgConfig::SODIUM            static libsodium from Debian's source package
#   PkgConfig::CBOR              static libcbor (its streaming decoder and encoders) from Debian's pool
#   nlohmann_json::nlohmann_json header-only, a copy of Debian's headers
#   Catch2::Catch2               header-only, a copy of Debian's headers
# Debian's /usr/include is never on emcc's include path: its headers are for the
# host; only the header-only libraries are copied into the build tree.

set(CASEKEEP_WASM_SQLITE "" CACHE PATH "SQLite amalgamation directory (from scripts/fetch-wasm-sources)")
set(CASEKEEP_WASM_SODIUM "" CACHE PATH "libsodium source tree (from scripts/fetch-wasm-sources)")
set(CASEKEEP_WASM_CBOR "" CACHE PATH "libcbor source tree (from scripts/fetch-wasm-sources)")
set(CASEKEEP_HOST_INCLUDE /usr/include CACHE PATH "Where Debian's header-only libraries are copied from")
set(CASEKEEP_HOST_CMAKE /usr/lib/cmake CACHE PATH "Where Debian's Catch2 CMake modules are copied from")
if(NOT EXISTS "${CASEKEEP_WASM_SQLITE}/sqlite3.c" OR NOT EXISTS "${CASEKEEP_WASM_SODIUM}/src/libsodium"
   OR NOT EXISTS "${CASEKEEP_WASM_CBOR}/src/cbor/streaming.c")
  message(FATAL_ERROR "The wasm build needs CASEKEEP_WASM_SQLITE, CASEKEEP_WASM_SODIUM and CASEKEEP_WASM_CBOR: "
                      "use scripts/build-wasm, or pass the -D lines scripts/fetch-wasm-sources prints.")
endif()

# Third-party C code: optimised even in Debug (the tests would crawl otherwise),
# without the project's warnings.
set(_third_party_options -O2 -w)

# --- SQLite ------------------------------------------------------------------
add_library(casekeep_wasm_sqlite3 STATIC "${CASEKEEP_WASM_SQLITE}/sqlite3.c")
set_target_properties(casekeep_wasm_sqlite3 PROPERTIES COMPILE_OPTIONS "${_third_party_options}")
target_include_directories(casekeep_wasm_sqlite3 SYSTEM PUBLIC "${CASEKEEP_WASM_SQLITE}")
target_compile_definitions(casekeep_wasm_sqlite3 PRIVATE
  SQLITE_THREADSAFE=0            # no threads in this build
  SQLITE_OMIT_LOAD_EXTENSION     # no dlopen
  SQLITE_DQS=0                   # "x" is an identifier, never a string
  SQLITE_DEFAULT_MEMSTATUS=0
  SQLITE_OMIT_DEPRECATED
  SQLITE_OMIT_SHARED_CACHE
  SQLITE_USE_ALLOCA)
add_library(SQLite::SQLite3 ALIAS casekeep_wasm_sqlite3)

# --- libsodium ---------------------------------------------------------------
# All of src/libsodium; the CPU-specific files compile to nothing without their
# HAVE_* macros. Randomness comes from libsodium's __EMSCRIPTEN__ path:
# crypto.getRandomValues in browsers and workers, require('crypto') under Node.
set(_sodium "${CASEKEEP_WASM_SODIUM}/src/libsodium")
file(GLOB_RECURSE _sodium_sources CONFIGURE_DEPENDS "${_sodium}/*.c")
# Its headers, copied so that the generated version.h sits beside export.h.
set(_sodium_include "${CMAKE_BINARY_DIR}/wasm-deps/sodium-include")
file(COPY "${_sodium}/include/" DESTINATION "${_sodium_include}" FILES_MATCHING PATTERN "*.h")
configure_file("${CASEKEEP_WASM_SODIUM}/builds/msvc/version.h" "${_sodium_include}/sodium/version.h" COPYONLY)
add_library(casekeep_wasm_sodium STATIC ${_sodium_sources})
set_target_properties(casekeep_wasm_sodium PROPERTIES COMPILE_OPTIONS "${_third_party_options}")
target_include_directories(casekeep_wasm_sodium SYSTEM
  PUBLIC "${_sodium_include}"
  PRIVATE "${_sodium_include}/sodium")
target_compile_definitions(casekeep_wasm_sodium
  PUBLIC SODIUM_STATIC
  # explicit_bzero (musl has it) for sodium_memzero, as configure finds natively:
  # without it, a volatile loop zeroes a byte at a time, 3% of a pull in Chromium.
  PRIVATE CONFIGURED=1 NATIVE_LITTLE_ENDIAN=1 HAVE_SYS_MMAN_H=1 HAVE_EXPLICIT_BZERO=1)
add_library(PkgConfig::SODIUM ALIAS casekeep_wasm_sodium)

# --- libcbor -----------------------------------------------------------------
# Only its streaming decoder (src/cbor/streaming.c and the loaders it calls)
# and its head encoders (src/cbor/encoding.c and internal/encoders.c): casekeep
# reads and writes items itself (core/src/cbor_reader.cpp, cbor_writer.cpp). The two headers
# libcbor's CMake would generate are written here with its defaults.
set(_cbor "${CASEKEEP_WASM_CBOR}/src")
set(_cbor_include "${CMAKE_BINARY_DIR}/wasm-deps/cbor-include")
file(COPY "${_cbor}/cbor.h" DESTINATION "${_cbor_include}")
file(COPY "${_cbor}/cbor/" DESTINATION "${_cbor_include}/cbor" FILES_MATCHING PATTERN "*.h")
file(WRITE "${_cbor_include}/cbor/cbor_export.h" "#define CBOR_EXPORT\n")
file(WRITE "${_cbor_include}/cbor/configuration.h"
  "#define CBOR_MAJOR_VERSION 0\n#define CBOR_MINOR_VERSION 10\n#define CBOR_PATCH_VERSION 2\n"
  "#define CBOR_BUFFER_GROWTH 2\n#define CBOR_MAX_STACK_SIZE 2048\n#define CBOR_PRETTY_PRINTER 0\n"
  "#define CBOR_RESTRICT_SPECIFIER restrict\n#define CBOR_INLINE_SPECIFIER inline\n")
add_library(casekeep_wasm_cbor STATIC "${_cbor}/cbor/streaming.c" "${_cbor}/cbor/internal/loaders.c"
            "${_cbor}/cbor/encoding.c" "${_cbor}/cbor/internal/encoders.c")
set_target_properties(casekeep_wasm_cbor PROPERTIES COMPILE_OPTIONS "${_third_party_options}")
target_include_directories(casekeep_wasm_cbor SYSTEM PUBLIC "${_cbor_include}")
add_library(PkgConfig::CBOR ALIAS casekeep_wasm_cbor)

# --- Header-only libraries and Catch2's CMake modules, copied ------------------
set(_copied "${CMAKE_BINARY_DIR}/wasm-deps/include")
foreach(_dir nlohmann catch2)
  if(NOT EXISTS "${CASEKEEP_HOST_INCLUDE}/${_dir}")
    message(FATAL_ERROR "${CASEKEEP_HOST_INCLUDE}/${_dir} is missing (scripts/install-deps installs it)")
  endif()
  file(COPY "${CASEKEEP_HOST_INCLUDE}/${_dir}" DESTINATION "${_copied}")
endforeach()
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
target_include_directories(nlohmann_json::nlohmann_json SYSTEM INTERFACE "${_copied}")
add_library(Catch2::Catch2 INTERFACE IMPORTED)
target_include_directories(Catch2::Catch2 SYSTEM INTERFACE "${_copied}")
file(COPY "${CASEKEEP_HOST_CMAKE}/Catch2/Catch.cmake" "${CASEKEEP_HOST_CMAKE}/Catch2/CatchAddTests.cmake"
     DESTINATION "${CMAKE_BINARY_DIR}/wasm-deps/cmake")
list(APPEND CMAKE_MODULE_PATH "${CMAKE_BINARY_DIR}/wasm-deps/cmake")

# --- Flags for everything built to wasm --------------------------------------
# One static wasm module: position-independent code would only add GOT indirection.
set(CMAKE_POSITION_INDEPENDENT_CODE OFF)
# C++ exceptions are off by default in Emscripten; the core throws casekeep::Error.
# WebAssembly's own exceptions (-fwasm-exceptions; Debian's frozen cache has the
# -except libc++, libc++abi and libunwind they need), not Emscripten's JS ones:
# with those, every call that may unwind through a destructor went out to a JS
# invoke_* wrapper and back. Alternating S8 runs: the core's time in S1a
# 1.47 -> 1.19 s, in S3 1.72 -> 1.38 s (medians; docs/performance.md, the ninth
# round). Chromium and Node 20 run them.
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fwasm-exceptions>)
add_link_options(-fwasm-exceptions)
# ctest and Catch2's test discovery run the .js through CMAKE_CROSSCOMPILING_EMULATOR.
# emcmake's default adds a threads flag Node 20 rejects; Node >= 18 also needs
# --no-experimental-fetch, or 3.1.6's loader fetches the .wasm by URL and fails.
if(CMAKE_CROSSCOMPILING_EMULATOR MATCHES "--experimental-wasm-threads")
  list(GET CMAKE_CROSSCOMPILING_EMULATOR 0 _node)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${_node};--no-experimental-fetch" CACHE STRING
      "Runs the wasm tests (Node)" FORCE)
endif()
# Optimised links run Emscripten's acorn-based JS optimiser; Debian ships acorn
# under /usr/share/nodejs, which a Node from elsewhere does not search.
if(NOT CMAKE_CXX_LINKER_LAUNCHER AND EXISTS /usr/share/nodejs/acorn)
  set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
  set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
endif()
