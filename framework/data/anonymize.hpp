#pragma once
// run.anonymize_users: every output file names users by a salted hash instead of their id, so a
// run folder can be shared without user ids. The hash is HMAC-SHA256 keyed by the salt over the
// external id, cut to its first 16 hex digits (64 bits; a collision among the dataset's users is
// an error). Without the salt the ids cannot be recovered by hashing candidate ids; with it (the
// run's private/anonymization_salt, never in a shared file) the owner can map them back.
#include <cstdint>
#include <string>
#include <vector>

#include "framework/data/interactions.hpp"

namespace tailrec {

// The first 16 hex digits of HMAC-SHA256(key = salt, message = external id).
std::string anonymous_user_id(const std::string& salt, const std::string& external_id);

// 32 random bytes as 64 hex digits (OpenSSL's RAND_bytes).
std::string generate_salt();

// How output files name dense user indices: the external id, or its salted hash.
class UserNames {
 public:
  explicit UserNames(const IdMap& users) : users_(&users) {}
  UserNames(const IdMap& users, const std::string& salt);

  const std::string& operator()(int32_t dense) const {
    return hashed_.empty() ? users_->external(dense) : hashed_[static_cast<size_t>(dense)];
  }
  bool anonymized() const { return !hashed_.empty(); }

 private:
  const IdMap* users_;
  std::vector<std::string> hashed_;  // per dense user; empty = plain ids
};

}  // namespace tailrec
