// The functions the WebAssembly module exports to casekeep.mjs. Strings cross
// as UTF-8; a returned string is malloc'd here and freed by ck_free. Nothing
// throws across this line: Api::call turns every failure into JSON.
#include <emscripten/emscripten.h>

#include <cstdlib>
#include <cstring>

#include "api.hpp"

using casekeep::js::Api;

extern "C" {

EMSCRIPTEN_KEEPALIVE Api* ck_open(const char* vault_path) { return new Api(vault_path); }

EMSCRIPTEN_KEEPALIVE char* ck_call(Api* api, const char* method, const char* args_json) {
  const std::string answer = api->call(method, args_json);
  char* out = static_cast<char*>(std::malloc(answer.size() + 1));
  if (out != nullptr) std::memcpy(out, answer.c_str(), answer.size() + 1);
  return out;  // null only when out of memory; casekeep.mjs reports that
}

EMSCRIPTEN_KEEPALIVE void ck_free(char* text) { std::free(text); }

// The exchange's byte buffer (Api::buffer): its data, after resizing it to
// `size` bytes when `size` is not negative (to write an answer into it).
EMSCRIPTEN_KEEPALIVE char* ck_buffer(Api* api, long size) {
  if (size >= 0) api->buffer().resize(static_cast<std::size_t>(size));
  return api->buffer().data();
}

}  // extern "C"
