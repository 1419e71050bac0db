#ifndef DXLEDGER_SERVICE_REPORT_ITEM_CUTS_H_
#define DXLEDGER_SERVICE_REPORT_ITEM_CUTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The report prints its principal goals twice, in the principal table and
// in the full list, and the two copies of a cell are cut into items in
// different places (one lost its ・ bullets to HTML markup, the other its
// paragraphs) and differ in small ways: okurigana (仕組づくり / 仕組みづくり),
// bracket style ([農業試験場] / 【農業試験場】), white space. Pure and
// thread-safe.
namespace dxledger::report {

// The text for telling whether two copies say the same: NFKC, without white
// space, brackets or hiragana.
std::string LooseKey(std::string_view text);

struct Piece {
  std::string text;
  size_t from = 0;  // the index of the item of `items` it was cut from
};

// `items` cut again wherever `other` cuts its copy of the same text, and
// where they cut already: every item of both copies gets its own piece, in
// `items`' words. nullopt when the two say different things (their
// LooseKeys differ).
std::optional<std::vector<Piece>> CutAsBoth(const std::vector<std::string>& items,
                                            const std::vector<std::string>& other);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_ITEM_CUTS_H_
