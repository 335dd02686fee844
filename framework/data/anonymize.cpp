#include "framework/data/anonymize.hpp"

#include <unordered_set>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "framework/util/error.hpp"

namespace tailrec {

namespace {

std::string hex(const unsigned char* bytes, size_t size) {
  std::string out;
  out.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) out += fmt::format("{:02x}", bytes[i]);
  return out;
}

}  // namespace

std::string anonymous_user_id(const std::string& salt, const std::string& external_id) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
           reinterpret_cast<const unsigned char*>(external_id.data()), external_id.size(), digest, &length) == nullptr)
    fail("run.anonymize_users: OpenSSL's HMAC-SHA256 failed");
  return hex(digest, 8);
}

std::string generate_salt() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    fail("run.anonymize_users: OpenSSL could not draw random bytes for the salt; set run.anonymize_salt=TEXT");
  return hex(bytes, sizeof bytes);
}

UserNames::UserNames(const IdMap& users, const std::string& salt) : users_(&users) {
  if (salt.empty()) fail("run.anonymize_salt is empty; give a non-empty text, or null to generate one");
  hashed_.reserve(static_cast<size_t>(users.size()));
  std::unordered_set<std::string> seen;
  for (int32_t u = 0; u < users.size(); ++u) {
    hashed_.push_back(anonymous_user_id(salt, users.external(u)));
    if (!seen.insert(hashed_.back()).second)
      fail("run.anonymize_users: two users share the hashed id {} (a 64-bit collision); choose another "
           "run.anonymize_salt", hashed_.back());
  }
}

}  // namespace tailrec
