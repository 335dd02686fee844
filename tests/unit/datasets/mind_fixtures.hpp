#pragma once
// Files in the MIND format (news.tsv, behaviors.tsv under MINDsmall_train/ and MINDsmall_dev/),
// written at test time with made-up news and clicks: nothing from MIND is committed, whose licence
// forbids redistribution. Two fixtures:
//   write_mind_tiny       a hand-checked one (8 news, 4 users, 6 dev impressions); the expected
//                         ids, pairs and metric values are worked out where the tests use them.
//   write_mind_generated  a few dozen news, users and impressions from a fixed pseudo-random
//                         stream, returning what a correct loader must find (pairs computed here
//                         with std::set, independently of the loader).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace tailrec::test {

inline void write_mind_file(const std::filesystem::path& file, const std::string& content) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
}

// Train news N1..N5; dev news repeat N3 (other title: the train file's text is kept) and N5, and add
// N6..N9 (N7 without abstract). N4 is only ever shown unclicked in training, so it is no item.
inline void write_mind_tiny(const std::filesystem::path& root) {
  write_mind_file(root / "MINDsmall_train/news.tsv",
                  "N1\tsports\tfootball\tCup final tonight\tThe final of the cup\thttps://example.org/n1\t[]\t[]\n"
                  "N2\tsports\ttennis\tOpen semifinal\tA long match\thttps://example.org/n2\t[]\t[]\n"
                  "N3\tnews\tpolitics\tElection results\tVotes counted\thttps://example.org/n3\t[]\t[]\n"
                  "N4\tfinance\tmarkets\tStocks rally\tShares climb\thttps://example.org/n4\t[]\t[]\n"
                  "N5\tlifestyle\tfood\tPasta recipe\tQuick dinner\thttps://example.org/n5\t[]\t[]\n");
  write_mind_file(root / "MINDsmall_dev/news.tsv",
                  "N3\tnews\tpolitics\tElection results, updated\tVotes recounted\thttps://example.org/n3\t[]\t[]\n"
                  "N5\tlifestyle\tfood\tPasta recipe\tQuick dinner\thttps://example.org/n5\t[]\t[]\n"
                  "N6\tsports\tfootball\tLeague table\tStandings after the cup\thttps://example.org/n6\t[]\t[]\n"
                  "N7\tweather\tforecast\tStorm warning\t\thttps://example.org/n7\t[]\t[]\n"
                  "N8\tfinance\tmarkets\tBond yields\tRates rise\thttps://example.org/n8\t[]\t[]\n"
                  "N9\tnews\tpolitics\tDebate tonight\tCandidates meet\thttps://example.org/n9\t[]\t[]\n");
  // U1's two lines repeat her history; U3 has none.
  write_mind_file(root / "MINDsmall_train/behaviors.tsv",
                  "1\tU1\t11/11/2019 9:05:58 AM\tN1 N2\tN3-1 N4-0 N5-0\n"
                  "2\tU2\t11/11/2019 10:00:00 AM\tN1\tN2-1 N3-0\n"
                  "3\tU1\t11/12/2019 1:00:00 PM\tN1 N2\tN5-1 N4-0\n"
                  "4\tU3\t11/12/2019 12:30:00 AM\t\tN1-1 N4-0\n");
  // Impression 4 has no click and 5 only clicks (both skipped by the protocol); U1's click on N3 in
  // impression 1 and U2's clicks in 5 are training pairs already.
  write_mind_file(root / "MINDsmall_dev/behaviors.tsv",
                  "1\tU1\t11/15/2019 8:00:00 AM\tN1 N2\tN6-1 N7-0 N1-0 N3-1\n"
                  "2\tU2\t11/15/2019 9:00:00 AM\tN1\tN8-0 N6-1 N2-0\n"
                  "3\tU4\t11/15/2019 12:00:00 PM\tN5\tN7-0 N8-1 N9-0\n"
                  "4\tU3\t11/15/2019 1:00:00 PM\t\tN6-0 N7-0\n"
                  "5\tU2\t11/15/2019 2:00:00 PM\tN1\tN1-1 N2-1\n"
                  "6\tU1\t11/15/2019 3:00:00 PM\tN1 N2\tN7-1 N8-0\n");
}

struct MindGenerated {
  std::set<std::pair<std::string, std::string>> train;  // (user, news) training pairs
  std::set<std::pair<std::string, std::string>> test;   // dev clicks that are not training pairs
  std::set<std::string> items;                          // every news id a behaviour line names
  size_t users = 0;
  size_t impressions = 0;  // dev lines
};

// 36 news in 4 topics (9 each, titles sharing the topic's words), 12 users with a favourite topic;
// each user has 2 train lines (a history of 3 favourite-topic news, an impression of 4 with one
// click) and 2 dev lines (an impression of 6: 2 favourite-topic news, one clicked, and 4 others).
inline MindGenerated write_mind_generated(const std::filesystem::path& root, uint64_t seed = 7) {
  const char* topics[4][4] = {{"sports", "football", "match", "goal"},
                              {"finance", "markets", "stocks", "bank"},
                              {"weather", "forecast", "storm", "rain"},
                              {"lifestyle", "food", "recipe", "dinner"}};
  uint64_t state = seed;
  const auto next = [&](uint64_t bound) {  // a 64-bit LCG (Knuth's MMIX constants)
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % bound;
  };
  const auto news_id = [](int topic, uint64_t k) { return fmt::format("N{}", 100 + topic * 9 + static_cast<int>(k)); };
  std::string news;
  for (int t = 0; t < 4; ++t)
    for (int k = 0; k < 9; ++k) {
      const auto* w = topics[t];
      news += fmt::format("{}\t{}\t{}\t{} {} story {}\tAbout {} and {}\thttps://example.org/{}\t[]\t[]\n",
                          news_id(t, static_cast<uint64_t>(k)), w[0], w[1], w[2], w[3], k, w[2], w[3], t * 9 + k);
    }
  write_mind_file(root / "MINDsmall_train/news.tsv", news);
  write_mind_file(root / "MINDsmall_dev/news.tsv", news);

  MindGenerated g;
  g.users = 12;
  std::string train, dev;
  int impression_id = 1;
  for (int u = 0; u < 12; ++u) {
    const std::string user = fmt::format("U{}", u + 1);
    const int favourite = u % 4;
    std::string history;
    std::set<std::string> hist;
    while (hist.size() < 3) hist.insert(news_id(favourite, next(9)));
    for (const auto& h : hist) {
      if (!history.empty()) history += ' ';
      history += h;
      g.train.insert({user, h});
      g.items.insert(h);
    }
    for (int line = 0; line < 2; ++line) {
      // Train: 4 shown news, the first one of the favourite topic and clicked.
      const auto clicked = news_id(favourite, next(9));
      g.train.insert({user, clicked});
      g.items.insert(clicked);
      std::string shown = fmt::format("{}-1", clicked);
      for (int k = 0; k < 3; ++k) shown += fmt::format(" {}-0", news_id(static_cast<int>(next(4)), next(9)));
      train += fmt::format("{}\t{}\t11/1{}/2019 {}:0{}:00 AM\t{}\t{}\n", impression_id++, user, 1 + line, 1 + u % 12,
                           line, history, shown);
    }
    for (int line = 0; line < 2; ++line) {
      // Dev: 6 distinct shown news, 2 of the favourite topic (the first clicked), 4 of other topics.
      std::vector<std::string> shown;
      const auto add_distinct = [&](int topic) {
        for (;;) {
          auto id = news_id(topic, next(9));
          bool seen = false;
          for (const auto& s : shown) seen = seen || s == id;
          if (!seen) return shown.push_back(id);
        }
      };
      add_distinct(favourite);
      add_distinct(favourite);
      for (int k = 0; k < 4; ++k) add_distinct((favourite + 1 + k % 3) % 4);
      std::string text;
      for (size_t k = 0; k < shown.size(); ++k) {
        text += fmt::format("{}{}-{}", k ? " " : "", shown[k], k == 0 ? 1 : 0);
        g.items.insert(shown[k]);
      }
      if (!g.train.count({user, shown[0]})) g.test.insert({user, shown[0]});
      dev += fmt::format("{}\t{}\t11/15/2019 {}:3{}:00 PM\t{}\t{}\n", impression_id++, user, 1 + u % 12, line, history,
                         text);
      ++g.impressions;
    }
  }
  write_mind_file(root / "MINDsmall_train/behaviors.tsv", train);
  write_mind_file(root / "MINDsmall_dev/behaviors.tsv", dev);
  return g;
}

}  // namespace tailrec::test
