// The user pseudonyms of run.anonymize_users: HMAC-SHA256 against a published test vector.
#include <gtest/gtest.h>

#include "framework/data/anonymize.hpp"

namespace tailrec {
namespace {

TEST(Anonymize, KnownHmacSha256) {
  // python3 -c "import hmac,hashlib; print(hmac.new(b'key', b'The quick brown fox jumps over the lazy dog', hashlib.sha256).hexdigest())"
  // = f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8 (the HMAC example on Wikipedia)
  EXPECT_EQ(anonymous_user_id("key", "The quick brown fox jumps over the lazy dog"), "f7bc83f430538424");
}

}  // namespace
}  // namespace tailrec
