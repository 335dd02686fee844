// Evaluation protocols: full-ranking cases by hand, sampled negatives (disjointness, counts, seeding,
// popularity weights) and the NCF fixed-negatives file format with its errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "framework/config/registries.hpp"
#include "framework/protocols/protocol.hpp"
#include "framework/run/evaluation_loop.hpp"
#include "framework/run/settings.hpp"
#include "framework/util/error.hpp"

namespace tailrec {
namespace {

struct Triple {
  int32_t user;
  int32_t item;
  float rating;
};

Interactions matrix(const std::vector<Triple>& rows, int32_t users, int32_t items) {
  InteractionLog log;
  log.has_ratings = true;
  for (const auto& r : rows) log.push(r.user, r.item, r.rating);
  return Interactions(log, users, items);
}

// A registered protocol seen through its typed ranking view (Protocol::ranking()).
class RankingUnderTest {
 public:
  explicit RankingUnderTest(std::unique_ptr<Protocol> protocol) : owner_(std::move(protocol)) {
    if (!owner_->ranking()) throw std::invalid_argument("not a ranking protocol");
  }
  const RankingProtocol* operator->() const { return owner_->ranking(); }

 private:
  std::unique_ptr<Protocol> owner_;
};

RankingUnderTest make_protocol(const std::string& name, const std::string& yaml = "{}") {
  Registries registries;
  register_protocols(registries);
  const auto& entry = registries.protocols.at(name);
  return RankingUnderTest(entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "protocol")));
}

IdMap numbered(int32_t n) {
  std::vector<std::string> ids;
  for (int32_t i = 0; i < n; ++i) ids.push_back(std::to_string(i));
  return IdMap::from_ids(ids);
}

TEST(ProtocolsTest, RegistersEveryProtocol) {
  Registries registries;
  register_protocols(registries);
  EXPECT_EQ(registries.protocols.names(), (std::vector<std::string>{"fixed_negatives", "full", "impressions", "replay", "sampled"}));
}

TEST(ProtocolsTest, ConfigFilesListEveryParameter) {
  Registries registries;
  register_protocols(registries);
  for (const auto& entry : registries.protocols.entries()) {
    const auto path = std::string(TAILREC_SOURCE_DIR) + "/configs/protocol/" + entry.name + ".yaml";
    const YAML::Node file = YAML::LoadFile(path);
    EXPECT_EQ(file["name"].Scalar(), entry.name) << path;
    // name, the protocol's parameters and the protocol-level keys (settings_test checks their values)
    EXPECT_EQ(file.size(), entry.params.size() + 1 + settings_keys("protocol").size()) << path;
    for (const auto& p : entry.params) {
      ASSERT_TRUE(file[p.name]) << path << " lacks " << p.name;
      if (p.required) {
        EXPECT_TRUE(file[p.name].IsNull()) << path << ": a required value is left for the user";
      }
    }
    if (entry.name == "fixed_negatives") continue;  // its file is required
    YAML::Node params = YAML::Clone(file);
    params.remove("name");
    for (const auto& key : settings_keys("protocol")) params.remove(key);
    EXPECT_EQ(Params::from_yaml(entry.params, params, "protocol").to_json(), Params::defaults(entry.params).to_json())
        << path << ": values must be the defaults";
  }
}

TEST(ProtocolsTest, FullRankingOneCasePerUserWithRelevantItems) {
  Dataset data;
  const auto train = matrix({{0, 0, 4}, {1, 2, 3}, {2, 0, 1}}, 3, 5);
  // User 0 tested on items 3 (rating 2) and 1 (rating 5); user 1 on nothing; user 2 on item 4 (rating 4).
  const auto test = matrix({{0, 3, 2}, {0, 1, 5}, {2, 4, 4}}, 3, 5);
  const auto full = make_protocol("full");
  EXPECT_FALSE(full->relevant_loses_ties());

  auto cases = full->cases({data, train, test, std::nullopt, 0});
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].user, 0);
  EXPECT_EQ(cases[0].relevant, (std::vector<int32_t>{1, 3}));  // sorted
  EXPECT_TRUE(cases[0].candidates.empty());
  EXPECT_EQ(cases[1].user, 2);
  EXPECT_EQ(cases[1].relevant, (std::vector<int32_t>{4}));

  // Threshold 4: user 0 keeps item 1 (5 >= 4, 2 < 4), user 2 keeps item 4 (4 >= 4).
  cases = full->cases({data, train, test, 4.0, 0});
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].relevant, (std::vector<int32_t>{1}));
  EXPECT_EQ(cases[1].relevant, (std::vector<int32_t>{4}));
  // Threshold 5: only user 0 has a relevant item.
  cases = full->cases({data, train, test, 5.0, 0});
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].user, 0);
  EXPECT_EQ(relevant_items(test, 0, 2.5), (std::vector<int32_t>{1}));
}

// 30 users over 60 items; user u trains on items u..u+9 (mod 60) and is tested on u+10, u+11.
struct Fixture {
  Dataset data;
  Interactions train;
  Interactions test;
  explicit Fixture(int32_t users = 30) {
    std::vector<Triple> tr;
    std::vector<Triple> te;
    for (int32_t u = 0; u < users; ++u) {
      for (int32_t k = 0; k < 10; ++k) tr.push_back({u, (u + k) % 60, 1});
      te.push_back({u, (u + 10) % 60, 1});
      te.push_back({u, (u + 11) % 60, 1});
    }
    train = matrix(tr, users, 60);
    test = matrix(te, users, 60);
  }
  ProtocolInput input(uint64_t seed = 1) const { return {data, train, test, std::nullopt, seed}; }
};

TEST(ProtocolsTest, SampledNegativesAreDisjointDistinctAndCounted) {
  const Fixture f;
  const auto phi = f.train.item_user_counts();  // items 0..38 have training users, 39..59 none
  for (const std::string distribution : {"uniform", "popularity"}) {
    const auto sampled = make_protocol("sampled", "{negatives: 20, distribution: " + distribution + "}");
    EXPECT_TRUE(sampled->relevant_loses_ties());
    const auto cases = sampled->cases(f.input());
    ASSERT_EQ(cases.size(), 60u);  // one per (user, test item): 30 users x 2
    for (const auto& c : cases) {
      ASSERT_EQ(c.relevant.size(), 1u);
      // The item + 20 negatives (popularity: each user has >= 39 - 12 = 27 items with phi > 0 left).
      EXPECT_EQ(c.candidates.size(), 21u);
      EXPECT_TRUE(std::is_sorted(c.candidates.begin(), c.candidates.end()));
      EXPECT_EQ(std::set<int32_t>(c.candidates.begin(), c.candidates.end()).size(), c.candidates.size());
      EXPECT_TRUE(std::binary_search(c.candidates.begin(), c.candidates.end(), c.relevant[0]));
      for (int32_t item : c.candidates) {
        if (item == c.relevant[0]) continue;
        EXPECT_FALSE(f.train.contains(c.user, item)) << "negative in train";
        EXPECT_FALSE(f.test.contains(c.user, item)) << "negative in test";
        if (distribution == "popularity") {
          EXPECT_GT(phi[static_cast<size_t>(item)], 0);
        }
      }
    }
  }
}

TEST(ProtocolsTest, SampledIsSeededAndPerUser) {
  const Fixture f;
  const auto sampled = make_protocol("sampled", "{negatives: 5}");
  const auto a = sampled->cases(f.input(1));
  EXPECT_EQ(a.size(), 60u);
  const auto b = sampled->cases(f.input(1));
  const auto c = sampled->cases(f.input(2));
  bool differs = false;
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].candidates, b[k].candidates);
    differs |= a[k].candidates != c[k].candidates;
  }
  EXPECT_TRUE(differs);
  // The protocol's own seed overrides the run seed.
  const auto fixed_seed = make_protocol("sampled", "{negatives: 5, seed: 9}");
  EXPECT_EQ(fixed_seed->cases(f.input(1))[7].candidates, fixed_seed->cases(f.input(2))[7].candidates);
  // Users 0..19 alone get the same negatives as within 30 users (per-user streams).
  const Fixture smaller(20);
  const auto d = sampled->cases(smaller.input(1));
  ASSERT_EQ(d.size(), 40u);
  for (size_t k = 0; k < d.size(); ++k) EXPECT_EQ(d[k].candidates, a[k].candidates);
  EXPECT_EQ(sampled->describe(),
            (nlohmann::json{{"name", "sampled"}, {"negatives", 5}, {"distribution", "uniform"}, {"seed", nullptr}}));
}

TEST(ProtocolsTest, SampledTakesAllWhenFewerAreAvailable) {
  const Fixture f;
  // Each user has 12 of the 60 items in train or test, so 48 remain: 100 asked -> all 48.
  const auto cases = make_protocol("sampled", "{negatives: 100}")->cases(f.input());
  for (const auto& c : cases) EXPECT_EQ(c.candidates.size(), 49u);
}

TEST(ProtocolsTest, PopularitySamplingFollowsTrainingUsers) {
  // Users 0..999 train on item 0 and are tested on item 1, so only items 2 and 3 can be negatives.
  // Users 1000..1002 give phi(2) = 1, phi(3) = 3 (phi(4) = 0: item 4 is never trained).
  std::vector<Triple> tr;
  std::vector<Triple> te;
  for (int32_t u = 0; u < 1000; ++u) {
    tr.push_back({u, 0, 1});
    te.push_back({u, 1, 1});
  }
  tr.push_back({1000, 2, 1});
  for (int32_t u = 1000; u < 1003; ++u) tr.push_back({u, 3, 1});
  Dataset data;
  const auto train = matrix(tr, 1003, 5);
  const auto test = matrix(te, 1003, 5);
  const ProtocolInput input{data, train, test, std::nullopt, 3};
  int draws_of_3 = 0;
  for (const auto& c : make_protocol("sampled", "{negatives: 1, distribution: popularity}")->cases(input)) {
    ASSERT_EQ(c.candidates.size(), 2u);
    EXPECT_NE(c.candidates[1], 4) << "phi = 0 item drawn";
    draws_of_3 += c.candidates[1] == 3;  // candidates sorted: {1, negative}
  }
  // P(3) = 3 / (1 + 3) = 0.75: expect 750 of 1000, sd = sqrt(1000 * 0.75 * 0.25) ~ 13.7; allow ~4 sd.
  EXPECT_GT(draws_of_3, 690);
  EXPECT_LT(draws_of_3, 810);
  // Uniform draws among 2, 3 and 4 (1/3 each): ~333, sd ~ 14.9.
  int uniform_3 = 0;
  for (const auto& c : make_protocol("sampled", "{negatives: 1}")->cases(input)) uniform_3 += c.candidates[1] == 3;
  EXPECT_GT(uniform_3, 273);
  EXPECT_LT(uniform_3, 393);
  // Asking for more than there are: popularity takes only the phi > 0 items (2 and 3), never item 4.
  for (const auto& c : make_protocol("sampled", "{negatives: 5, distribution: popularity}")->cases(input))
    EXPECT_EQ(c.candidates, (std::vector<int32_t>{1, 2, 3}));
}

// A user who has every item in train or test leaves a case with no negative: its one candidate
// would rank first for any algorithm (random's hit@1 = 1), so the protocol refuses, naming the user.
TEST(ProtocolsTest, SampledRefusesACaseWithoutANegative) {
  Dataset data;
  data.users = numbered(2);
  data.items = numbered(4);
  // User 0 trains on 0..2 and is tested on 3 (nothing left); user 1 trains on 0 and is tested on 1.
  const auto train = matrix({{0, 0, 1}, {0, 1, 1}, {0, 2, 1}, {1, 0, 1}}, 2, 4);
  const auto test = matrix({{0, 3, 1}, {1, 1, 1}}, 2, 4);
  const ProtocolInput input{data, train, test, std::nullopt, 1};
  for (const char* params : {"{negatives: 1}", "{negatives: 100}", "{negatives: 1, distribution: popularity}"}) {
    std::string m;
    try {
      make_protocol("sampled", params)->cases(input);
    } catch (const Error& e) {
      m = e.what();
    }
    EXPECT_NE(m.find("protocol=sampled: 1 test cases have no negative item"), std::string::npos) << params << ": " << m;
    EXPECT_NE(m.find("user '0'"), std::string::npos) << m;
  }
  // Without user 0 every case has a negative (user 1 may draw items 2 and 3).
  const auto test_1 = matrix({{1, 1, 1}}, 2, 4);
  const auto cases = make_protocol("sampled", "{negatives: 100}")->cases({data, train, test_1, std::nullopt, 1});
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].candidates, (std::vector<int32_t>{1, 2, 3}));
}

TEST(ProtocolsTest, SampledSeedIsANonNegative64BitInteger) {
  Registries registries;
  register_protocols(registries);
  const auto& entry = registries.protocols.at("sampled");
  for (const char* seed : {"-1", "18446744073709551616", "1e3"})
    EXPECT_THROW(Params::from_yaml(entry.params, YAML::Load(std::string("{seed: ") + seed + "}"), "protocol"), Error) << seed;
  EXPECT_NO_THROW(Params::from_yaml(entry.params, YAML::Load("{seed: 9223372036854775807}"), "protocol"));
}

// Users "7" and "9" (dense 0, 1), items "100".."500" (dense 0..4).
struct NcfFixture {
  Dataset data;
  Interactions train;
  Interactions test;
  NcfFixture() {
    data.name = "tiny";
    data.users = IdMap::from_ids({"9", "7"});
    data.items = IdMap::from_ids({"500", "100", "200", "300", "400"});
    train = matrix({{0, 0, 1}, {1, 3, 1}}, 2, 5);
    test = matrix({{0, 1, 1}, {1, 2, 1}}, 2, 5);  // (7,200) is a test pair, (9,100) is not
  }
  ProtocolInput input() const { return {data, train, test, std::nullopt, 0}; }
};

std::string data_file(const std::string& name) { return std::string(TAILREC_TEST_DATA) + "/protocols/" + name; }

std::string error_of(const std::string& file, const NcfFixture& f) {
  try {
    make_protocol("fixed_negatives", "{file: '" + file + "'}")->cases(f.input());
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ProtocolsTest, FixedNegativesReadsNcfLines) {
  const NcfFixture f;
  const auto protocol = make_protocol("fixed_negatives", "{file: '" + data_file("negatives.txt") + "'}");
  EXPECT_TRUE(protocol->relevant_loses_ties());
  const auto cases = protocol->cases(f.input());
  ASSERT_EQ(cases.size(), 2u);
  // Line 1 "(7,200) 300 400 300 200": user 0, item 1; 300 repeated and 200 (the held-out item) dropped.
  EXPECT_EQ(cases[0].user, 0);
  EXPECT_EQ(cases[0].relevant, (std::vector<int32_t>{1}));
  EXPECT_EQ(cases[0].candidates, (std::vector<int32_t>{1, 2, 3}));
  // Line 2 "(9,100) 200 500": user 1, item 0, negatives 1 and 4.
  EXPECT_EQ(cases[1].user, 1);
  EXPECT_EQ(cases[1].relevant, (std::vector<int32_t>{0}));
  EXPECT_EQ(cases[1].candidates, (std::vector<int32_t>{0, 1, 4}));
  const auto described = protocol->describe();
  EXPECT_EQ(described["name"], "fixed_negatives");
  EXPECT_EQ(described["file"], data_file("negatives.txt"));
  EXPECT_EQ(described["file_hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(described["held_out_not_in_test"], 1);  // (9,100)
  EXPECT_EQ(described["negatives_dropped"], 2);     // 5 listed ids on line 1 -> 3 distinct candidates
}

TEST(ProtocolsTest, FixedNegativesErrorsNameTheLine) {
  const NcfFixture f;
  const auto unknown = data_file("negatives_unknown_item.txt");
  EXPECT_NE(error_of(unknown, f).find(unknown + ":3: item 99999 at line 3 is not in the dataset's catalog"),
            std::string::npos)
      << error_of(unknown, f);

  const auto dir = std::filesystem::path(testing::TempDir());
  const auto bad_syntax = (dir / "tailrec_bad_syntax.negative").string();
  std::ofstream(bad_syntax) << "(7,200)\t300\n7,200\t300\n";
  EXPECT_NE(error_of(bad_syntax, f).find(bad_syntax + ":2: expected '(user,item)'"), std::string::npos)
      << error_of(bad_syntax, f);
  const auto bad_user = (dir / "tailrec_bad_user.negative").string();
  std::ofstream(bad_user) << "(8,200)\t300\n";
  EXPECT_NE(error_of(bad_user, f).find(bad_user + ":1: user 8 at line 1"), std::string::npos) << error_of(bad_user, f);
  EXPECT_THROW(make_protocol("fixed_negatives", "{file: '/nonexistent/x.negative'}"), Error);
  EXPECT_THROW(make_protocol("fixed_negatives"), Error);  // file is required
}

TEST(ProtocolsTest, FixedNegativesParsesTheRealNcfFileHead) {
  const std::string ncf = std::string(TAILREC_SHARED_DIR) + "/datasets/ml-1m/ncf/";
  if (!std::filesystem::exists(ncf + "ml-1m.test.negative")) GTEST_SKIP() << "NCF files not available";
  // NCF ids: users 0..6039, items 0..3705.
  Dataset data;
  data.name = "ml-1m-ncf";
  data.users = numbered(6040);
  data.items = numbered(3706);
  std::ifstream ratings(ncf + "ml-1m.test.rating");
  std::vector<Triple> held_out;
  for (int k = 0; k < 10; ++k) {
    int64_t user, item, rating, time;
    ratings >> user >> item >> rating >> time;
    held_out.push_back({static_cast<int32_t>(user), static_cast<int32_t>(item), 1});
  }
  const auto test = matrix(held_out, 6040, 3706);
  const Interactions train = matrix({}, 6040, 3706);
  const auto head = (std::filesystem::path(testing::TempDir()) / "tailrec_ncf_head.negative").string();
  {
    std::ifstream in(ncf + "ml-1m.test.negative");
    std::ofstream out(head);
    std::string line;
    for (int k = 0; k < 10 && std::getline(in, line); ++k) out << line << '\n';
  }
  const auto protocol = make_protocol("fixed_negatives", "{file: '" + head + "'}");
  const auto cases = protocol->cases({data, train, test, std::nullopt, 0});
  ASSERT_EQ(cases.size(), 10u);
  // Line 1 is "(0,25)" then 99 negatives starting 1064 174 ...
  EXPECT_EQ(cases[0].user, 0);
  EXPECT_EQ(cases[0].relevant, (std::vector<int32_t>{25}));
  EXPECT_TRUE(std::binary_search(cases[0].candidates.begin(), cases[0].candidates.end(), 1064));
  for (size_t k = 0; k < cases.size(); ++k) {
    EXPECT_EQ(cases[k].user, static_cast<int32_t>(k));
    EXPECT_EQ(cases[k].relevant[0], held_out[k].item);
    EXPECT_GE(cases[k].candidates.size(), 99u);  // 99 negatives + the item, 98 when one equals the item
    EXPECT_LE(cases[k].candidates.size(), 100u);
  }
  EXPECT_EQ(protocol->describe()["held_out_not_in_test"], 0);
}

}  // namespace
}  // namespace tailrec

namespace tailrec {
namespace {

// Every registered protocol declares its loop and its needs; only the replay protocol has no single
// set of cases and needs a global time cut without a validation carve-out.
TEST(ProtocolsContract, EachDeclaresItsLoopAndNeeds) {
  Registries registries;
  register_protocols(registries);
  for (const auto& entry : registries.protocols.entries()) {
    if (entry.name == "fixed_negatives") continue;  // reads its file when built (above)
    const auto protocol = entry.create(Params::defaults(entry.params));
    EXPECT_NE(protocol->make_loop(), nullptr) << entry.name;
    const auto needs = protocol->needs();
    const bool replay = entry.name == "replay";
    EXPECT_EQ(protocol->ranking() == nullptr, replay) << entry.name;
    EXPECT_EQ(needs.global_time_cut, replay) << entry.name;
    EXPECT_EQ(needs.validation_carve_out, !replay) << entry.name;
    EXPECT_EQ(needs.evaluate_on_validation, !replay) << entry.name;
    EXPECT_EQ(needs.reason.empty(), !replay) << entry.name;
  }
}

}  // namespace
}  // namespace tailrec
