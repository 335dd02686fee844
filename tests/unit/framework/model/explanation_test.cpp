// The `why` text of explanations: items, users, terms and components, plain and anonymized.
#include <gtest/gtest.h>

#include "framework/data/anonymize.hpp"
#include "framework/model/explanation.hpp"

namespace tailrec {
namespace {

TEST(Explanation, RendersItemsUsersTermsAndComponents) {
  Dataset data;
  data.items = IdMap::from_ids({"10", "20"});
  data.users = IdMap::from_ids({"7", "8"});
  data.content = ItemContent(2);
  data.content.field("title")[1] = "Heat \"1995\"";
  const UserNames plain(data.users);
  std::vector<Reason> leaves{{Reason::Kind::Item, 1, "", 0.41234, {}}, {Reason::Kind::Item, 0, "", 0.2, {}}};
  EXPECT_EQ(render_reasons(leaves, data, plain), "item 20 \"Heat '1995'\" 0.412, item 10 0.2");
  std::vector<Reason> mixed{{Reason::Kind::Component, -1, "knn", 0.6, {{Reason::Kind::User, 1, "", 0.3, {}}}},
                            {Reason::Kind::Component, -1, "tfidf", 0.25, {{Reason::Kind::Term, -1, "space", 0.125, {}}}}};
  EXPECT_EQ(render_reasons(mixed, data, plain), "knn 0.6: user 8 0.3; tfidf 0.25: term \"space\" 0.125");
  // Anonymized runs name neighbours by their hash too.
  const UserNames hashed(data.users, "salt");
  EXPECT_EQ(render_reasons({{Reason::Kind::User, 0, "", 1.0, {}}}, data, hashed), "user " + hashed(0) + " 1");
}

}  // namespace
}  // namespace tailrec
