#include "algorithms/content/porter_stemmer.hpp"

#include <algorithm>

namespace tailrec {

namespace {

// The word being stemmed; every rule reads it through measure/vowel tests on a stem prefix
// w[0, len) and rewrites its end. Names follow the paper: m, *v*, *d, *o.
class PorterWord {
 public:
  explicit PorterWord(std::string_view word) : w_(word) {}
  std::string take() { return std::move(w_); }

  void step1a() {
    if (ends("sses")) replace(4, "ss");
    else if (ends("ies")) replace(3, "i");
    else if (ends("ss")) return;
    else if (ends("s")) replace(1, "");
  }

  void step1b() {
    bool stripped = false;
    if (ends("eed")) {
      if (measure(w_.size() - 3) > 0) replace(3, "ee");
    } else if (ends("ed") && vowel_in(w_.size() - 2)) {
      replace(2, ""), stripped = true;
    } else if (ends("ing") && vowel_in(w_.size() - 3)) {
      replace(3, ""), stripped = true;
    }
    if (!stripped) return;
    if (ends("at") || ends("bl") || ends("iz")) {
      w_ += 'e';
    } else if (double_consonant(w_.size())) {
      const char last = w_.back();
      if (last != 'l' && last != 's' && last != 'z') w_.pop_back();
    } else if (measure(w_.size()) == 1 && cvc(w_.size())) {
      w_ += 'e';
    }
  }

  void step1c() {
    if (ends("y") && vowel_in(w_.size() - 1)) w_.back() = 'i';
  }

  void step2() {
    static constexpr Rule rules[] = {
        {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"},   {"anci", "ance"},   {"izer", "ize"},
        {"abli", "able"},   {"alli", "al"},     {"entli", "ent"},   {"eli", "e"},       {"ousli", "ous"},
        {"ization", "ize"}, {"ation", "ate"},   {"ator", "ate"},    {"alism", "al"},    {"iveness", "ive"},
        {"fulness", "ful"}, {"ousness", "ous"}, {"aliti", "al"},    {"iviti", "ive"},   {"biliti", "ble"}};
    apply_longest(rules, 0);
  }

  void step3() {
    static constexpr Rule rules[] = {{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
                                     {"ical", "ic"},  {"ful", ""},   {"ness", ""}};
    apply_longest(rules, 0);
  }

  void step4() {
    static constexpr Rule rules[] = {{"al", ""},  {"ance", ""}, {"ence", ""}, {"er", ""},  {"ic", ""},
                                     {"able", ""}, {"ible", ""}, {"ant", ""},  {"ement", ""}, {"ment", ""},
                                     {"ent", ""}, {"ion", ""},  {"ou", ""},   {"ism", ""}, {"ate", ""},
                                     {"iti", ""}, {"ous", ""},  {"ive", ""},  {"ize", ""}};
    const Rule* rule = longest(rules);
    if (!rule) return;
    const size_t stem = w_.size() - rule->suffix.size();
    if (rule->suffix == "ion" && (stem == 0 || (w_[stem - 1] != 's' && w_[stem - 1] != 't'))) return;
    if (measure(stem) > 1) w_.resize(stem);
  }

  void step5() {
    if (ends("e")) {
      const size_t stem = w_.size() - 1;
      const int m = measure(stem);
      if (m > 1 || (m == 1 && !cvc(stem))) w_.pop_back();
    }
    if (measure(w_.size()) > 1 && double_consonant(w_.size()) && w_.back() == 'l') w_.pop_back();
  }

 private:
  struct Rule {
    std::string_view suffix;
    std::string_view replacement;
  };

  bool consonant(size_t i) const {
    switch (w_[i]) {
      case 'a': case 'e': case 'i': case 'o': case 'u': return false;
      case 'y': return i == 0 || !consonant(i - 1);
      default: return true;
    }
  }
  // m in [C](VC)^m[V] of the prefix w[0, len).
  int measure(size_t len) const {
    size_t i = 0;
    int m = 0;
    while (i < len && consonant(i)) ++i;
    while (i < len) {
      while (i < len && !consonant(i)) ++i;
      if (i >= len) break;
      while (i < len && consonant(i)) ++i;
      ++m;
    }
    return m;
  }
  bool vowel_in(size_t len) const {
    for (size_t i = 0; i < len; ++i)
      if (!consonant(i)) return true;
    return false;
  }
  // *d: the prefix ends with a double consonant.
  bool double_consonant(size_t len) const { return len >= 2 && w_[len - 1] == w_[len - 2] && consonant(len - 1); }
  // *o: the prefix ends consonant-vowel-consonant, the last not w, x or y.
  bool cvc(size_t len) const {
    if (len < 3 || !consonant(len - 1) || consonant(len - 2) || !consonant(len - 3)) return false;
    const char c = w_[len - 1];
    return c != 'w' && c != 'x' && c != 'y';
  }
  bool ends(std::string_view suffix) const { return w_.size() >= suffix.size() && std::string_view(w_).ends_with(suffix); }
  void replace(size_t suffix_length, std::string_view with) {
    w_.resize(w_.size() - suffix_length);
    w_ += with;
  }
  // The paper picks the longest matching suffix of a step; its condition failing ends the step.
  template <size_t N>
  const Rule* longest(const Rule (&rules)[N]) const {
    const Rule* best = nullptr;
    for (const auto& r : rules)
      if (ends(r.suffix) && (!best || r.suffix.size() > best->suffix.size())) best = &r;
    return best;
  }
  template <size_t N>
  void apply_longest(const Rule (&rules)[N], int min_measure_exclusive) {
    const Rule* rule = longest(rules);
    if (rule && measure(w_.size() - rule->suffix.size()) > min_measure_exclusive)
      replace(rule->suffix.size(), rule->replacement);
  }

  std::string w_;
};

}  // namespace

std::string porter_stem(std::string_view word) {
  if (word.empty() || !std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return std::string(word);
  PorterWord w(word);
  w.step1a();
  w.step1b();
  w.step1c();
  w.step2();
  w.step3();
  w.step4();
  w.step5();
  return w.take();
}

}  // namespace tailrec
