#include "framework/metrics/metric_range.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "framework/config/registries.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

std::optional<MetricRange> declared_range(std::string_view description, int k) {
  for (const auto& line : split(description, '\n')) {
    const auto text = trim(line);
    if (!starts_with(text, "range: [")) continue;
    const auto body = text.substr(8);
    const auto comma = body.find(',');
    if (comma == std::string_view::npos || body.empty() || (body.back() != ']' && body.back() != ')')) return std::nullopt;
    const auto low = parse_double(body.substr(0, comma));
    const auto high_text = trim(body.substr(comma + 1, body.size() - comma - 2));
    std::optional<double> high;
    if (high_text == "inf") high = std::numeric_limits<double>::infinity();
    else if (high_text == "k") high = k;
    else high = parse_double(high_text);
    if (!low || !high) return std::nullopt;
    const auto number = [](double v) { return std::isinf(v) ? std::string("inf") : fmt::format("{}", v); };
    return MetricRange{*low, *high, fmt::format("[{}, {}{}", number(*low), number(*high), std::isinf(*high) ? ")" : "]")};
  }
  return std::nullopt;
}

std::optional<MetricRange> metric_range(const Registries& registries, const std::string& metric) {
  std::string name = metric;
  if (const auto bracket = name.find('['); bracket != std::string::npos) {
    if (name.substr(bracket) != "[full]") return std::nullopt;
    name.resize(bracket);
  }
  const auto at = name.find('@');
  const auto base = name.substr(0, at);
  int k = 0;
  if (at != std::string::npos) {
    const auto parsed = parse_int(name.substr(at + 1));
    if (!parsed || *parsed <= 0) return std::nullopt;
    k = static_cast<int>(std::min<int64_t>(*parsed, std::numeric_limits<int>::max()));
  }
  if (!registries.metrics.contains(base)) return std::nullopt;
  return declared_range(registries.metrics.at(base).description, k);
}

std::string range_problem(const nlohmann::json& value, const std::optional<MetricRange>& range) {
  if (value.is_null()) return "";
  if (!value.is_number()) return "not a number";
  const double v = value.get<double>();
  if (!std::isfinite(v)) return "not finite";
  if (!range) return "";
  const double margin = 1e-9 * std::max(1.0, std::isinf(range->high) ? 1.0 : std::abs(range->high));
  if (v < range->low - margin || v > range->high + margin) return "out of range " + range->text;
  return "";
}

}  // namespace tailrec
