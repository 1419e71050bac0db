// Queries: views, indexes and the log, paginated; goals folded from their streams.
#include "service/ledger/queries.h"

#include <charconv>

#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/domain/fiscal_years.h"
#include "service/domain/goal.h"
#include "service/domain/limits.h"
#include "service/domain/text.h"
#include "service/ledger/codec.h"
#include "service/ledger/page_token.h"
#include "service/ledger/projection.h"
#include "storage/keys.h"

namespace dxledger::ledger {
namespace {

absl::StatusOr<uint64_t> DecodeNumberToken(std::string_view kind, std::string_view token) {
  absl::StatusOr<std::string> key = DecodePageToken(kind, token);
  if (!key.ok()) return key.status();
  uint64_t value = 0;
  auto [end, error] = std::from_chars(key->data(), key->data() + key->size(), value);
  if (error != std::errc() || end != key->data() + key->size() || value == 0) {
    return absl::InvalidArgumentError(
        "page_token is malformed: pass the next_page_token of the previous page unchanged");
  }
  return value;
}

// Where a key-ordered listing resumes: the token's key, which must lie under
// the listing's prefix (a token of another filter is refused).
absl::StatusOr<std::string> ResumeKey(std::string_view kind, std::string_view prefix,
                                      std::string_view token) {
  if (token.empty()) return std::string(prefix);
  absl::StatusOr<std::string> key = DecodePageToken(kind, token);
  if (!key.ok()) return key.status();
  if (!std::string_view(*key).starts_with(prefix)) {
    return absl::InvalidArgumentError(
        "page_token is malformed: pass the next_page_token of the previous page unchanged");
  }
  return key;
}

// Page tokens carry the filter they were made for, so a token is refused by
// a listing with other filters.
std::string TokenKind(const GoalFilter& f) {
  return fmt::format("goals|{}|{}|{}|{}|{}|{}|{}|{}", f.organization, f.fiscal_year, f.department,
                     f.rating ? static_cast<int>(*f.rating) : -1, f.include_retired,
                     f.as_of ? static_cast<int64_t>(*f.as_of) : -1, f.title_key,
                     f.principal ? static_cast<int>(*f.principal) : -1);
}

std::string TokenKind(const RatingChangeFilter& f) {
  auto micros = [](const std::optional<absl::Time>& t) {
    return t ? absl::ToUnixMicros(*t) : int64_t{-1};
  };
  return fmt::format("ratings|{}|{}|{}|{}|{}|{}|{}", f.organization, f.goal, f.department,
                     f.fiscal_year, f.actor, micros(f.start_time), micros(f.end_time));
}

bool Matches(const RatingChangeFilter& filter, const v1::RatingChange& change) {
  if (!filter.goal.empty() && change.goal() != filter.goal) return false;
  if (filter.fiscal_year != 0 && change.fiscal_year() != filter.fiscal_year) return false;
  if (!filter.actor.empty() && change.actor() != filter.actor) return false;
  if (!filter.department.empty() &&
      std::find(change.departments().begin(), change.departments().end(), filter.department) ==
          change.departments().end()) {
    return false;
  }
  const absl::Time time = ToTime(change.record_time());
  if (filter.start_time && time < *filter.start_time) return false;
  if (filter.end_time && time >= *filter.end_time) return false;
  return true;
}

bool Matches(const GoalFilter& filter, const v1::Goal& goal) {
  if (goal.retired() && !filter.include_retired) return false;
  if (!filter.department.empty() && !domain::OwnedBy(goal, filter.department)) return false;
  if (filter.rating && goal.rating() != *filter.rating) return false;
  if (filter.principal && goal.principal() != *filter.principal) return false;
  if (!filter.title_key.empty() &&
      domain::SearchKey(goal.title()).find(filter.title_key) == std::string::npos) {
    return false;
  }
  return true;
}

// A goal folded from its events' records, in order.
absl::StatusOr<v1::Goal> Fold(const std::vector<storage::LogRecord>& records) {
  v1::Goal goal;
  v1::Event event;
  for (const storage::LogRecord& record : records) {
    if (!event.ParseFromString(record.body)) {
      return absl::DataLossError(
          fmt::format("event at position {} cannot be decoded", record.position));
    }
    domain::Apply(event, goal);
  }
  return goal;
}

}  // namespace

absl::StatusOr<v1::Goal> Queries::GetGoal(const domain::GoalName& name,
                                          std::optional<uint64_t> as_of) {
  if (as_of) return FoldGoalAt(name, *as_of);
  absl::StatusOr<std::optional<storage::StoredView>> view = store_.ReadView(StreamOf(name));
  if (!view.ok()) return view.status();
  if (!view->has_value()) {
    return absl::NotFoundError(fmt::format("goal {} not found", name.Format()));
  }
  return DecodeGoal((*view)->bytes);
}

absl::StatusOr<std::vector<v1::Goal>> Queries::AllGoals(std::string_view organization,
                                                        int fiscal_year,
                                                        std::optional<uint64_t> as_of) {
  GoalFilter filter;
  filter.as_of = as_of;
  filter.organization = std::string(organization);
  filter.fiscal_year = fiscal_year;
  filter.include_retired = true;
  std::vector<v1::Goal> goals;
  std::string token;
  do {
    absl::StatusOr<Page<v1::Goal>> page = ListGoals(filter, domain::kMaxPageSize, token);
    if (!page.ok()) return page.status();
    for (v1::Goal& goal : page->items) goals.push_back(std::move(goal));
    token = std::move(page->next_page_token);
  } while (!token.empty());
  return goals;
}

absl::StatusOr<v1::Goal> Queries::FoldGoal(const domain::GoalName& name,
                                           std::optional<uint64_t> version) {
  const size_t limit = version ? *version : std::numeric_limits<size_t>::max();
  absl::StatusOr<std::vector<storage::LogRecord>> records =
      store_.ReadStream(StreamOf(name), 1, limit);
  if (!records.ok()) return records.status();
  if (records->empty()) return absl::NotFoundError(fmt::format("goal {} not found", name.Format()));
  return Fold(*records);
}

absl::StatusOr<std::vector<storage::LogRecord>> Queries::RecordsUpTo(const std::string& stream,
                                                                     uint64_t position) {
  // Stream positions grow with versions, so the events up to `position` are
  // a prefix of the stream's own index.
  constexpr size_t kPage = 256;
  std::vector<storage::LogRecord> records;
  for (uint64_t version = 1;;) {
    absl::StatusOr<std::vector<storage::LogRecord>> page =
        store_.ReadStream(stream, version, kPage);
    if (!page.ok()) return page.status();
    bool past = false;
    for (storage::LogRecord& record : *page) {
      past = record.position > position;
      if (past) break;
      records.push_back(std::move(record));
    }
    if (past || page->size() < kPage) break;
    version += kPage;
  }
  return records;
}

absl::StatusOr<v1::Goal> Queries::FoldGoalAt(const domain::GoalName& name, uint64_t position) {
  absl::StatusOr<std::vector<storage::LogRecord>> records = RecordsUpTo(StreamOf(name), position);
  if (!records.ok()) return records.status();
  if (records->empty()) {
    return absl::NotFoundError(
        fmt::format("goal {} did not exist at position {}", name.Format(), position));
  }
  return Fold(*records);
}

absl::StatusOr<v1::FiscalYear> Queries::GetFiscalYear(const domain::FiscalYearName& name,
                                                      std::optional<uint64_t> as_of) {
  if (absl::Status s = notation::ValidateFiscalYear(name.fiscal_year); !s.ok()) return s;
  if (as_of) {
    absl::StatusOr<std::vector<storage::LogRecord>> records =
        RecordsUpTo(StreamOfYear(name), *as_of);
    if (!records.ok()) return records.status();
    v1::FiscalYear year = domain::ImplicitYear(name);
    for (const storage::LogRecord& record : *records) {
      absl::StatusOr<v1::Event> event = DecodeEvent(record);
      if (!event.ok()) return event.status();
      domain::ApplyToYear(*event, year);
    }
    return year;
  }
  absl::StatusOr<std::optional<storage::StoredView>> view = store_.ReadView(StreamOfYear(name));
  if (!view.ok()) return view.status();
  if (!view->has_value()) return domain::ImplicitYear(name);
  return DecodeYear((*view)->bytes);
}

absl::StatusOr<Page<v1::Goal>> Queries::ListGoals(const GoalFilter& filter, int page_size,
                                                  std::string_view page_token) {
  absl::StatusOr<size_t> size = PageSize(page_size);
  if (!size.ok()) return size.status();
  const std::string prefix = filter.fiscal_year != 0
                                 ? GoalsByYearPrefix(filter.organization, filter.fiscal_year)
                                 : GoalsPrefix(filter.organization);
  const std::string kind = TokenKind(filter);
  absl::StatusOr<std::string> start = ResumeKey(kind, prefix, page_token);
  if (!start.ok()) return start.status();
  Page<v1::Goal> page;
  std::string cursor = *std::move(start);
  // The index a batch of keys at a time, as many as the page still lacks:
  // their goals are read in one batched read, and the key after the batch
  // is where the next batch (or page) starts.
  while (page.items.size() < *size) {
    std::vector<std::string> ids;
    std::string next;
    absl::Status scanned = store_.Scan(storage::Keyspace::kIndex, prefix, cursor,
                                       [&](std::string_view key, std::string_view) {
                                         if (ids.size() == *size - page.items.size()) {
                                           next = std::string(key);
                                           return false;
                                         }
                                         ids.emplace_back(GoalIdOfYearKey(key));
                                         return true;
                                       });
    if (!scanned.ok()) return scanned;
    if (absl::Status s = AddGoals(filter, ids, page.items); !s.ok()) return s;
    if (next.empty()) return page;
    cursor = std::move(next);
  }
  page.next_page_token = EncodePageToken(kind, cursor);
  return page;
}

absl::Status Queries::AddGoals(const GoalFilter& filter, const std::vector<std::string>& ids,
                               std::vector<v1::Goal>& goals) {
  if (filter.as_of) {
    for (const std::string& id : ids) {
      absl::StatusOr<v1::Goal> goal = FoldGoalAt({filter.organization, id}, *filter.as_of);
      // A goal created after the as-of point is not in that listing.
      if (absl::IsNotFound(goal.status())) continue;
      if (!goal.ok()) return goal.status();
      if (Matches(filter, *goal)) goals.push_back(*std::move(goal));
    }
    return absl::OkStatus();
  }
  std::vector<std::string> streams;
  streams.reserve(ids.size());
  for (const std::string& id : ids) streams.push_back(StreamOf({filter.organization, id}));
  absl::StatusOr<std::vector<std::optional<storage::StoredView>>> views = store_.ReadViews(streams);
  if (!views.ok()) return views.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::optional<storage::StoredView>& view = (*views)[i];
    if (!view.has_value()) {
      return absl::DataLossError(
          fmt::format("goal index names {} but its view is missing; rebuild the views", ids[i]));
    }
    v1::Goal& goal = goals.emplace_back();
    if (!goal.ParseFromString(view->bytes)) {
      return absl::DataLossError("a stored goal view cannot be decoded; rebuild the views");
    }
    if (!Matches(filter, goal)) goals.pop_back();
  }
  return absl::OkStatus();
}

absl::StatusOr<Page<v1::Event>> Queries::ListGoalEvents(const domain::GoalName& name, int page_size,
                                                        std::string_view page_token) {
  absl::StatusOr<size_t> size = PageSize(page_size);
  if (!size.ok()) return size.status();
  uint64_t from_version = 1;
  if (!page_token.empty()) {
    absl::StatusOr<uint64_t> decoded = DecodeNumberToken("history", page_token);
    if (!decoded.ok()) return decoded.status();
    from_version = *decoded;
  }
  absl::StatusOr<std::vector<storage::LogRecord>> records =
      store_.ReadStream(StreamOf(name), from_version, *size + 1);
  if (!records.ok()) return records.status();
  if (records->empty() && from_version == 1) {
    return absl::NotFoundError(fmt::format("goal {} not found", name.Format()));
  }
  Page<v1::Event> page;
  if (records->size() > *size) {
    records->pop_back();
    page.next_page_token = EncodePageToken("history", std::to_string(from_version + *size));
  }
  absl::StatusOr<std::vector<v1::Event>> events = DecodeEvents(*records);
  if (!events.ok()) return events.status();
  page.items = *std::move(events);
  return page;
}

absl::StatusOr<Page<v1::RatingChange>> Queries::ListRatingChanges(const RatingChangeFilter& filter,
                                                                  int page_size,
                                                                  std::string_view page_token) {
  absl::StatusOr<size_t> size = PageSize(page_size);
  if (!size.ok()) return size.status();
  const std::string prefix = RatingChangesPrefix(filter.organization);
  const std::string kind = TokenKind(filter);
  absl::StatusOr<std::string> start = ResumeKey(kind, prefix, page_token);
  if (!start.ok()) return start.status();
  Page<v1::RatingChange> page;
  absl::Status error;
  absl::Status scanned = store_.Scan(
      storage::Keyspace::kIndex, prefix, *start, [&](std::string_view key, std::string_view value) {
        v1::RatingChange change;
        uint64_t position = 0;
        if (key.size() != prefix.size() + 8 ||
            !storage::keys::ReadBigEndian64(key.substr(prefix.size()), position) ||
            !change.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError("a rating-change index entry cannot be decoded");
          return false;
        }
        if (!Matches(filter, change)) return true;
        if (page.items.size() == *size) {
          page.next_page_token = EncodePageToken(kind, key);
          return false;
        }
        change.set_position(position);
        page.items.push_back(std::move(change));
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  return page;
}

absl::StatusOr<Page<v1::Event>> Queries::ReadLog(uint64_t start_position, int page_size,
                                                 std::string_view page_token) {
  absl::StatusOr<size_t> size = PageSize(page_size);
  if (!size.ok()) return size.status();
  uint64_t from = std::max<uint64_t>(start_position, 1);
  if (!page_token.empty()) {
    absl::StatusOr<uint64_t> decoded = DecodeNumberToken("log", page_token);
    if (!decoded.ok()) return decoded.status();
    from = *decoded;
  }
  // The head bounds the read, so a full page knows whether more follows
  // without reading (and checking) one event beyond it.
  const uint64_t head = store_.GetHead().position;
  absl::StatusOr<std::vector<storage::LogRecord>> records = store_.ReadLog(from, *size);
  if (!records.ok()) return records.status();
  Page<v1::Event> page;
  if (records->size() == *size && records->back().position < head) {
    page.next_page_token = EncodePageToken("log", std::to_string(records->back().position + 1));
  }
  for (const storage::LogRecord& record : *records) {
    absl::StatusOr<v1::Event> event = DecodeEvent(record);
    if (!event.ok()) return event.status();
    page.items.push_back(*std::move(event));
  }
  return page;
}

}  // namespace dxledger::ledger
