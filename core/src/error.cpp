#include "casekeep/error.hpp"

namespace casekeep {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
#define CASEKEEP_X(name, num, text) \
  case ErrorCode::name:             \
    return #name;
    CASEKEEP_ERROR_CODES(CASEKEEP_X)
#undef CASEKEEP_X
  }
  return "unknown";
}

}  // namespace casekeep
