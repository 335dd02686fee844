// Incremental update() of most_popular, tfidf and bert (protocol=replay): a model fitted on
// `previous` and updated with `added` must score exactly like a model fitted afresh on their union,
// with a brand-new user and a brand-new (previously cold) item among the added interactions.
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "experiments/register_all.hpp"
#include "framework/util/logger.hpp"
#include "unit/algorithms/bert_fixture.hpp"

namespace tailrec {
namespace {

using Triples = std::vector<std::array<float, 3>>;

InteractionLog log_of(const Triples& triples) {
  InteractionLog log;
  for (const auto& t : triples) log.push(static_cast<int32_t>(t[0]), static_cast<int32_t>(t[1]), t[2]);
  log.has_ratings = true;
  return log;
}

// previous + added as preprocessing resolves it: a pair in both keeps the added rating.
Interactions union_of(const Triples& previous, const Triples& added, int32_t users, int32_t items) {
  std::map<std::pair<int32_t, int32_t>, float> pairs;
  for (const auto* part : {&previous, &added})
    for (const auto& t : *part) pairs[{static_cast<int32_t>(t[0]), static_cast<int32_t>(t[1])}] = t[2];
  InteractionLog log;
  for (const auto& [key, rating] : pairs) log.push(key.first, key.second, rating);
  log.has_ratings = true;
  return Interactions(log, users, items);
}

std::unique_ptr<Algorithm> create(const std::string& name, const std::string& yaml) {
  const auto& entry = registries().algorithms.at(name);
  YAML::Node values = YAML::Load(yaml);
  if (!values.IsMap()) values = YAML::Node(YAML::NodeType::Map);
  const bool has_model = std::any_of(entry.params.begin(), entry.params.end(), [](const auto& p) { return p.name == "model"; });
  if (has_model && !values["model"]) values["model"] = test::tiny_bert();
  return entry.create(Params::from_yaml(entry.params, values, name));
}

FitContext context_of(const Interactions& train, const ItemContent& content) {
  return FitContext{train, content, nullptr, 7, 1, Device::Cpu, &Logger::null(), {}};
}

std::vector<float> all_scores(const Algorithm& a, int32_t users) {
  std::vector<int32_t> ids(static_cast<size_t>(users));
  for (int32_t u = 0; u < users; ++u) ids[static_cast<size_t>(u)] = u;
  std::vector<float> out(static_cast<size_t>(users) * static_cast<size_t>(a.num_items()));
  a.score(ids, out);
  return out;
}

struct Replay {
  int32_t users, items;
  Triples previous, added;
  const ItemContent& content;
};

// Fits `yaml` on previous, updates it with added, and checks it against a fresh fit on the union.
UpdateResult expect_update_equals_refit(const std::string& name, const std::string& yaml, const Replay& r) {
  const Interactions previous(log_of(r.previous), r.users, r.items);
  const InteractionLog added = log_of(r.added);
  const Interactions all = union_of(r.previous, r.added, r.users, r.items);
  auto updated = create(name, yaml);
  updated->fit(context_of(previous, r.content));
  const auto before = all_scores(*updated, r.users);
  const auto fit = context_of(all, r.content);
  const auto result = updated->update(UpdateContext{fit, previous, added});
  auto fresh = create(name, yaml);
  fresh->fit(context_of(all, r.content));
  const auto after = all_scores(*updated, r.users);
  // The same arithmetic on the same profile weights and item data: equal to the bit.
  EXPECT_EQ(after, all_scores(*fresh, r.users)) << name << " " << yaml;
  EXPECT_NE(after, before) << name << " " << yaml << ": the added interactions should change some score";
  return result;
}

// 4 users x 5 items. User 3 and item 4 first appear in `added`; (2, 3) is in both (a new rating of
// a known pair: it must not count twice in most_popular, and user 2's centered weights change).
Replay text_replay(const ItemContent& content) {
  return Replay{4,
                5,
                {{0, 0, 4}, {0, 1, 2}, {1, 0, 5}, {1, 2, 1}, {1, 3, 3}, {2, 3, 4}, {2, 1, 2}},
                {{0, 2, 5}, {3, 1, 3}, {3, 4, 4}, {1, 4, 2}, {2, 3, 1}, {3, 4, 4}},
                content};
}

ItemContent text_content() {
  ItemContent content(5);
  content.field("title") = {"space war", "space love", "love stories", "war stories", "space opera love"};
  return content;
}

TEST(ProfileUpdate, MostPopularAddsTheNewDistinctPairs) {
  const ItemContent content(5);
  const auto r = text_replay(content);
  const auto result = expect_update_equals_refit("most_popular", "{}", r);
  EXPECT_TRUE(result.incremental);
  // New pairs: (0,2), (3,1), (3,4), (1,4); (2,3) is known and (3,4) is repeated: items 1, 2, 4 change.
  EXPECT_EQ(result.how, "incremental: counts of 3 items");

  // By hand: counts before 0:2 1:2 2:1 3:2 4:0, after 0:2 1:3 2:2 3:2 4:2.
  const Interactions previous(log_of(r.previous), 4, 5);
  const Interactions all = union_of(r.previous, r.added, 4, 5);
  auto a = create("most_popular", "{}");
  a->fit(context_of(previous, content));
  const InteractionLog added = log_of(r.added);
  const auto fit = context_of(all, content);
  a->update(UpdateContext{fit, previous, added});
  std::vector<float> row(5);
  const int32_t user = 0;
  a->score(std::span<const int32_t>(&user, 1), row);
  EXPECT_EQ(row, (std::vector<float>{2, 3, 2, 2, 2}));
  EXPECT_FALSE(a->explains());
}

TEST(ProfileUpdate, TfidfUpdatesOnlyTheProfilesOfUsersWithNewInteractions) {
  const auto content = text_content();
  const auto r = text_replay(content);
  for (const std::string weights : {"binary", "centered"})
    for (const std::string mode : {"profile", "item_knn"}) {
      SCOPED_TRACE(weights + " " + mode);
      const auto result =
          expect_update_equals_refit("tfidf", "{mode: " + mode + ", k: 2, profile_weights: " + weights + "}", r);
      EXPECT_TRUE(result.incremental);
      EXPECT_EQ(result.how, "incremental: 4 user profiles");  // users 0, 1, 2, 3 appear in `added`
    }
}

TEST(ProfileUpdate, TfidfWithAnAddedBatchTouchingOneUser) {
  const auto content = text_content();
  Replay r = text_replay(content);
  r.added = {{3, 4, 5}, {3, 0, 1}};  // only the brand-new user 3
  const auto result = expect_update_equals_refit("tfidf", "{profile_weights: centered}", r);
  EXPECT_TRUE(result.incremental);
  EXPECT_EQ(result.how, "incremental: 1 user profiles");
}

TEST(ProfileUpdate, TfidfRefitsWhenPreviousIsNotWhatTheModelWasFittedOn) {
  const auto content = text_content();
  const auto r = text_replay(content);
  // The model was fitted on one interaction, but update() is told it was fitted on r.previous: the
  // rows of users without new interactions (0, 1, 2) do not match, so it must refit.
  const Interactions fitted_on(log_of({{0, 0, 4}}), 4, 5);
  const Interactions previous(log_of(r.previous), 4, 5);
  const Triples only_user_3{{3, 4, 4}};
  const InteractionLog added = log_of(only_user_3);
  const Interactions all = union_of(r.previous, only_user_3, 4, 5);
  auto a = create("tfidf", "{}");
  a->fit(context_of(fitted_on, content));
  const auto fit = context_of(all, content);
  const auto result = a->update(UpdateContext{fit, previous, added});
  EXPECT_FALSE(result.incremental);
  EXPECT_EQ(result.how, "refit: user 0 has no new interaction but 2 training items instead of 1");
  auto fresh = create("tfidf", "{}");
  fresh->fit(context_of(all, content));
  EXPECT_EQ(all_scores(*a, 4), all_scores(*fresh, 4));
}

TEST(ProfileUpdate, BertUpdatesOnlyTheProfilesOfUsersWithNewInteractions) {
  SKIP_WITHOUT_TINY_BERT();
  test::BertExample ex;
  // The example's 5 x 6 training data as triples; user 4 and item 5 first appear in `added`.
  Triples previous;
  for (int32_t u = 0; u < 5; ++u)
    for (size_t n = 0; n < ex.train.items_of(u).size(); ++n)
      previous.push_back({static_cast<float>(u), static_cast<float>(ex.train.items_of(u)[n]), ex.train.values_of(u)[n]});
  const Replay r{5, 6, previous, {{4, 5, 4}, {4, 1, 2}, {0, 3, 1}, {2, 5, 3}, {2, 0, 5}}, ex.content};
  for (const std::string weights : {"binary", "centered"})
    for (const std::string mode : {"profile", "item_knn"}) {
      SCOPED_TRACE(weights + " " + mode);
      const auto result = expect_update_equals_refit(
          "bert", "{fields: {title: 1, genres: 1}, mode: " + mode + ", k: 2, profile_weights: " + weights + "}", r);
      EXPECT_TRUE(result.incremental);
      EXPECT_EQ(result.how, "incremental: 3 user profiles");  // users 0, 2, 4
    }
}

}  // namespace
}  // namespace tailrec
