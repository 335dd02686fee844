#pragma once
// The Porter (1980) suffix-stripping stemmer, as published ("An algorithm for suffix stripping",
// Program 14(3)), without the later departures of Porter's C release (bli->ble, logi->log, short
// words skipped); it gives the same stems as Snowball's `porter` algorithm.
#include <string>
#include <string_view>

namespace tailrec {

// Stem of a lowercase word. Only words made of ASCII letters a-z are stemmed: anything else
// (digits, accents, other scripts) is returned unchanged, since the rules are English-only.
std::string porter_stem(std::string_view word);

}  // namespace tailrec
