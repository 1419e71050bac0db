#include "service/report/cells.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "fmt/format.h"
#include "proto/notation/event_text.h"
#include "service/domain/text.h"

namespace dxledger::report {
namespace {

constexpr std::string_view kBullet = "・";
constexpr char kBoundary = '\x1f';  // an item boundary while splitting

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Decodes the code point at `i` (advancing it); -1 for an ill-formed byte.
UChar32 Next(std::string_view s, int32_t& i) {
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
  return c;
}

// HTML list markup becomes item boundaries; other '<' stays text.
std::string MarkupToBoundaries(std::string_view cell) {
  static constexpr std::string_view kTags[] = {"ul", "/ul", "li", "/li", "p", "/p", "br", "br/"};
  std::string out;
  for (size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == '<') {
      const size_t close = cell.find('>', i);
      if (close != std::string_view::npos) {
        std::string_view inner = cell.substr(i + 1, close - i - 1);
        std::string_view name = inner.substr(0, inner.find_first_of(" \t/>", 1));
        if (name == "br" || name.empty()) name = inner.substr(0, inner.find(' '));
        if (std::find(std::begin(kTags), std::end(kTags), name) != std::end(kTags)) {
          out.push_back(kBoundary);
          i = close;
          continue;
        }
      }
    }
    out.push_back(cell[i] == '\n' || cell[i] == '\r' ? kBoundary : cell[i]);
  }
  return out;
}

// A ・ that starts the text or follows white space starts a new item.
std::string BulletsToBoundaries(std::string_view text) {
  std::string out;
  bool after_space = true;
  for (int32_t i = 0; i < static_cast<int32_t>(text.size());) {
    const int32_t start = i;
    const UChar32 c = Next(text, i);
    std::string_view piece = text.substr(start, i - start);
    if (piece == kBullet && after_space) {
      out.push_back(kBoundary);
    } else {
      out.append(piece);
    }
    after_space = c == kBoundary || (c >= 0 && u_isUWhiteSpace(c));
  }
  return out;
}

// Trims, turns white space runs (U+3000 too) into one space, joins spaced
// single ASCII letters and digits ("D X" → "DX", "S D G s" → "SDGs").
std::string Tidy(std::string_view text) {
  std::string spaced;
  bool pending_space = false;
  for (int32_t i = 0; i < static_cast<int32_t>(text.size());) {
    const int32_t start = i;
    const UChar32 c = Next(text, i);
    if (c >= 0 && u_isUWhiteSpace(c)) {
      pending_space = !spaced.empty();
      continue;
    }
    if (pending_space) spaced.push_back(' ');
    pending_space = false;
    spaced.append(text.substr(start, i - start));
  }
  // A space between two lone ASCII alphanumerics is a PDF artefact.
  std::string out;
  for (size_t i = 0; i < spaced.size(); ++i) {
    if (spaced[i] == ' ' && i >= 1 && i + 1 < spaced.size() && IsAsciiAlnum(spaced[i - 1]) &&
        IsAsciiAlnum(spaced[i + 1]) && (i < 2 || !IsAsciiAlnum(spaced[i - 2])) &&
        (i + 2 >= spaced.size() || !IsAsciiAlnum(spaced[i + 2]) || spaced[i + 2] == ' ')) {
      continue;
    }
    out.push_back(spaced[i]);
  }
  return out;
}

std::vector<std::string> SplitOn(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = text.find(separator, start)) != std::string_view::npos; start = at + 1) {
    parts.emplace_back(text.substr(start, at - start));
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

// Tags of a trailing 【…】 marker whose words are all DT, DL or DX; the marker
// is removed from `item`. Empty when there is none.
std::vector<v1::Tag> TakeMarker(std::string& item) {
  constexpr std::string_view kOpen = "【", kClose = "】";
  if (!std::string_view(item).ends_with(kClose)) return {};
  const size_t open = item.rfind(kOpen);
  if (open == std::string::npos) return {};
  const std::string inner = domain::MatchKey(
      item.substr(open + kOpen.size(), item.size() - open - kOpen.size() - kClose.size()));
  std::set<int> tags;
  for (size_t i = 0; i + 2 <= inner.size(); i += 2) {
    std::string_view word = std::string_view(inner).substr(i, 2);
    if (word == "DT")
      tags.insert(v1::TAG_DT);
    else if (word == "DL")
      tags.insert(v1::TAG_DL);
    else if (word == "DX")
      tags.insert(v1::TAG_DX);
    else
      return {};
  }
  if (tags.empty() || inner.size() % 2 != 0) return {};
  item = Tidy(item.substr(0, open));
  std::vector<v1::Tag> out;
  for (int tag : tags) out.push_back(static_cast<v1::Tag>(tag));
  return out;
}

// The last parenthesised group of `text` ((…) or （…）): where it starts and
// its inside; npos when there is none.
std::pair<size_t, std::string_view> LastGroup(std::string_view text) {
  for (auto [open, close] :
       {std::pair<std::string_view, std::string_view>{"（", "）"}, {"(", ")"}}) {
    const size_t end = text.rfind(close);
    if (end == std::string_view::npos) continue;
    const size_t begin = text.rfind(open, end);
    if (begin == std::string_view::npos) continue;
    return {begin, text.substr(begin + open.size(), end - begin - open.size())};
  }
  return {std::string_view::npos, {}};
}

// "1,500人" → 1500 and 人; "40回程度" → 40 and 回. False when no figure leads.
bool ParseFigure(std::string_view text, double& value, std::string& unit) {
  std::string digits;
  size_t i = 0;
  while (i < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == ',' || text[i] == '.')) {
    if (text[i] != ',') digits.push_back(text[i]);
    ++i;
  }
  if (digits.empty()) return false;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return false;
  std::string_view rest = text.substr(i);
  while (rest.starts_with(" ")) rest.remove_prefix(1);
  for (std::string_view qualifier : {"以上", "以下", "程度", "未満", "前後", "超"}) {
    if (rest.ends_with(qualifier)) rest.remove_suffix(qualifier.size());
  }
  if (rest.empty() || rest.size() > 12 || rest.find_first_of("0123456789 ") != rest.npos) {
    return false;
  }
  unit = std::string(rest);
  return true;
}

// One indicator's text, and what joins it to the one before it in its item.
struct Part {
  std::string joined_by;
  std::string text;
};

// Splits "A（1,500人）、B（90人）" and "A（25件）とB（20人）" after each target figure.
std::vector<Part> SplitTargets(const std::string& item) {
  std::vector<Part> parts;
  std::string joined_by;
  size_t start = 0;
  for (size_t at = 0; at < item.size();) {
    size_t next = std::string::npos;
    size_t width = 0;
    for (std::string_view close : {"）、", ")、", "）と", ")と"}) {
      const size_t found = item.find(close, at);
      if (found < next) {
        next = found;
        width = close.size();
      }
    }
    if (next == std::string::npos) break;
    // "、" and "と" are both three bytes in UTF-8.
    const size_t comma = next + width - std::string_view("、").size();
    double value;
    std::string unit;
    auto [open, inside] = LastGroup(std::string_view(item).substr(start, comma - start));
    if (open != std::string_view::npos && ParseFigure(inside, value, unit)) {
      parts.push_back({std::exchange(joined_by, item.substr(comma, std::string_view("、").size())),
                       Tidy(item.substr(start, comma - start))});
      start = comma + std::string_view("、").size();
    }
    at = next + width;
  }
  parts.push_back({std::move(joined_by), Tidy(item.substr(start))});
  return parts;
}

}  // namespace

std::vector<std::string> SplitItems(std::string_view cell) {
  std::vector<std::string> items;
  for (const std::string& part :
       SplitOn(BulletsToBoundaries(MarkupToBoundaries(cell)), kBoundary)) {
    std::string item = Tidy(part);
    if (!item.empty()) items.push_back(std::move(item));
  }
  return items;
}

std::vector<std::vector<v1::Tag>> ExtractTags(std::vector<std::string>& items) {
  std::vector<std::vector<v1::Tag>> tags(items.size());
  size_t marked = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    tags[i] = TakeMarker(items[i]);
    marked += !tags[i].empty();
  }
  // A marker standing alone (its own <p>) belongs to the item before it.
  for (size_t i = items.size(); i-- > 1;) {
    if (items[i].empty() && !tags[i].empty() && tags[i - 1].empty()) tags[i - 1] = tags[i];
  }
  for (size_t i = items.size(); i-- > 0;) {
    if (items[i].empty()) {
      items.erase(items.begin() + i);
      tags.erase(tags.begin() + i);
    }
  }
  const bool cell_marker = marked == 1 && !tags.empty() && !tags.back().empty();
  if (cell_marker) std::fill(tags.begin(), tags.end(), tags.back());
  return tags;
}

std::vector<std::string> SplitDepartments(std::string_view cell) {
  std::vector<std::string> departments;
  std::string current;
  for (int32_t i = 0; i < static_cast<int32_t>(cell.size());) {
    const int32_t start = i;
    const UChar32 c = Next(cell, i);
    std::string_view piece = cell.substr(start, i - start);
    if (c >= 0 && u_isUWhiteSpace(c)) continue;
    if (piece == kBullet) {
      if (!current.empty()) departments.push_back(std::move(current));
      current.clear();
      continue;
    }
    current.append(piece);
  }
  if (!current.empty()) departments.push_back(std::move(current));
  return departments;
}

std::vector<v1::ReportIndicator> ParseIndicators(const std::vector<std::string>& items) {
  std::vector<v1::ReportIndicator> indicators;
  for (const std::string& item : items) {
    for (auto& [joined_by, text] : SplitTargets(item)) {
      if (text.empty()) continue;
      v1::ReportIndicator indicator;
      indicator.set_joined_by(joined_by);
      auto [open, inside] = LastGroup(text);
      double value;
      std::string unit;
      if (open != std::string_view::npos && ParseFigure(domain::MatchKey(inside), value, unit)) {
        indicator.set_target_value(value);
        indicator.set_unit(unit);
      }
      indicator.set_text(std::move(text));
      indicators.push_back(std::move(indicator));
    }
  }
  return indicators;
}

void FindActuals(const std::vector<v1::ReportActivity>& activities,
                 std::vector<v1::ReportIndicator>& indicators) {
  for (v1::ReportIndicator& indicator : indicators) {
    if (!indicator.has_target_value()) continue;
    const size_t open = LastGroup(indicator.text()).first;
    const std::string name = indicator.text().substr(0, open);
    if (name.empty()) continue;
    for (const v1::ReportActivity& activity : activities) {
      const size_t at = activity.text().find(name);
      if (at == std::string::npos) continue;
      std::string_view rest = std::string_view(activity.text()).substr(at + name.size());
      while (rest.starts_with(" ")) rest.remove_prefix(1);
      rest = rest.substr(0, rest.find(' '));
      double value;
      std::string unit;
      if (ParseFigure(rest, value, unit) && unit == indicator.unit()) {
        indicator.set_actual_value(value);
        break;
      }
    }
  }
}

std::string JoinItems(const std::vector<std::string>& items) {
  if (items.size() == 1) return items.front();
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += '\n';
    out.append(kBullet).append(item);
  }
  return out;
}

std::vector<std::string> IndicatorItems(
    const google::protobuf::RepeatedPtrField<v1::ReportIndicator>& indicators) {
  std::vector<std::string> items;
  for (const v1::ReportIndicator& indicator : indicators) {
    if (indicator.joined_by().empty() || items.empty()) {
      items.push_back(indicator.text());
    } else {
      items.back().append(indicator.joined_by()).append(indicator.text());
    }
  }
  return items;
}

std::string JoinActivities(const google::protobuf::RepeatedPtrField<v1::ReportActivity>& items) {
  const bool shared = std::all_of(items.begin(), items.end(), [&](const v1::ReportActivity& a) {
    return std::equal(a.tags().begin(), a.tags().end(), items[0].tags().begin(),
                      items[0].tags().end());
  });
  std::vector<std::string> texts;
  for (int i = 0; i < items.size(); ++i) {
    const bool marked = !shared || i + 1 == items.size();
    const std::string marker = marked ? notation::TagMarker(items[i].tags()) : "";
    texts.push_back(marker.empty() ? items[i].text() : items[i].text() + " " + marker);
  }
  return JoinItems(texts);
}

}  // namespace dxledger::report
