// Protocol `impressions` and split `predefined` on a hand-built dataset: one case per impression,
// training items kept among the candidates, skipped impressions counted, and the split check.
#include <gtest/gtest.h>

#include "framework/config/registries.hpp"
#include "framework/protocols/protocol.hpp"
#include "framework/util/error.hpp"

namespace tailrec {
namespace {

IdMap numbered(int32_t n) {
  std::vector<std::string> ids;
  for (int32_t i = 0; i < n; ++i) ids.push_back(std::to_string(i));
  return IdMap::from_ids(ids);
}

// 3 users, 5 items. Training: 0-0, 0-1, 1-0; test (the impressions' new clicks): 1-2, 2-3.
Dataset impressions_dataset() {
  Dataset data;
  data.name = "tiny_news";
  data.users = numbered(3);
  data.items = numbered(5);
  const std::vector<std::array<int32_t, 3>> rows{{0, 0, 0}, {0, 1, 0}, {1, 0, 0}, {1, 2, 1}, {2, 3, 1}};
  for (const auto& [u, i, fold] : rows) {
    data.log.push(u, i, 1.0f);
    data.predefined_fold.push_back(static_cast<uint8_t>(fold));
  }
  data.impressions = {
      {"a", 0, 100, {2, 0, 3}, {1, 0, 0}},  // item 0 is one of user 0's training items: it stays
      {"b", 1, 200, {4, 2}, {0, 1}},
      {"c", 2, 300, {3}, {1}},        // only clicks: skipped
      {"d", 2, 400, {1, 4}, {0, 0}},  // no click: skipped
  };
  return data;
}

struct Built {
  Registries registries;
  std::unique_ptr<Protocol> protocol;
  Built() {
    register_splits(registries);
    register_protocols(registries);
    const auto& entry = registries.protocols.at("impressions");
    protocol = entry.create(Params::defaults(entry.params));
  }
  SplitResult split(const std::string& name, const Dataset& data) const {
    const auto& entry = registries.splits.at(name);
    return entry.create(Params::defaults(entry.params))->split(data, 42);
  }
};

TEST(ImpressionsProtocol, OneCasePerImpressionWithItsShownItems) {
  const Built b;
  const auto data = impressions_dataset();
  const auto split = b.split("predefined", data);
  EXPECT_EQ(split.train.size(), 3u);
  EXPECT_EQ(split.test.size(), 2u);
  const Interactions train(split.train, 3, 5), test(split.test, 3, 5);
  const auto cases = b.protocol->ranking()->cases({data, train, test, std::nullopt, 0});
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].user, 0);
  EXPECT_EQ(cases[0].candidates, (std::vector<int32_t>{0, 2, 3}));  // sorted; training item 0 kept
  EXPECT_EQ(cases[0].relevant, (std::vector<int32_t>{2}));
  EXPECT_EQ(cases[1].user, 1);
  EXPECT_EQ(cases[1].candidates, (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(cases[1].relevant, (std::vector<int32_t>{2}));
  const auto described = b.protocol->describe();
  EXPECT_EQ(described["name"], "impressions");
  EXPECT_EQ(described["skipped_all_clicked"], 1);
  EXPECT_EQ(described["skipped_without_click"], 1);
  EXPECT_EQ(described["impressions_hash"].get<std::string>().size(), 16u);
  EXPECT_TRUE(b.protocol->has_candidate_lists());
  EXPECT_FALSE(b.protocol->ranking()->relevant_loses_ties());
}

TEST(ImpressionsProtocol, NeedsTheDatasetsOwnSplitAndImpressions) {
  const Built b;
  auto data = impressions_dataset();
  // A random holdout moves other rows to test: the model would train on evaluated clicks.
  const auto holdout = b.split("random_holdout", data);
  const Interactions train(holdout.train, 3, 5), test(holdout.test, 3, 5);
  try {
    b.protocol->ranking()->cases({data, train, test, std::nullopt, 0});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("use split=predefined"), std::string::npos) << e.what();
  }
  data.impressions.clear();
  try {
    b.protocol->ranking()->cases({data, train, test, std::nullopt, 0});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dataset 'tiny_news' has no impressions to rank"), std::string::npos)
        << e.what();
  }
}

TEST(PredefinedSplit, FollowsTheFoldMarksAndRefusesDatasetsWithout) {
  const Built b;
  auto data = impressions_dataset();
  const auto split = b.split("predefined", data);
  EXPECT_EQ(split.test.users, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(split.test.items, (std::vector<int32_t>{2, 3}));
  data.predefined_fold.clear();
  try {
    b.split("predefined", data);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("split=predefined uses the train/test division a dataset defines itself"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tailrec
