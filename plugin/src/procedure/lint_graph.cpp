// The graph checks of the linter: every step reachable from the start, every step with a way
// to an end step. One wrong `next` cuts off everything behind it; those steps are reported,
// but as consequences of the wrong reference, so text output can show the root cause and one
// summary line instead of a cascade (issue 13, part 4).

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "procedure/lint_detail.h"

namespace boligflyt::procedure::lint_detail {
namespace {

using IdSet = std::set<std::string, std::less<>>;

/// Steps reachable from `from` along `next`, staying inside `within`.
IdSet reach(const std::string& from, const StepIndex& by_id, const IdSet& within) {
  IdSet seen{from};
  std::deque<std::string> queue{from};
  while (!queue.empty()) {
    const auto it = by_id.find(queue.front());
    queue.pop_front();
    if (it == by_id.end()) continue;
    for (const auto& next : it->second->next) {
      if (within.count(next.step) && seen.insert(next.step).second) queue.push_back(next.step);
    }
  }
  return seen;
}

struct Cause {
  std::string code;
  SourcePos pos;
};

void mark(Diagnostic& d, const Cause& cause) {
  d.consequential = true;
  d.cause_code = cause.code;
  d.cause_line = cause.pos.line;
  d.cause_column = cause.pos.column;
}

/// The first `next` of a step that names no step.
const NextStep* broken_next(const Step& step, const StepIndex& by_id) {
  for (const auto& next : step.next) {
    if (!by_id.count(next.step)) return &next;
  }
  return nullptr;
}

void check_reachable(const Procedure& p, const StepIndex& by_id, Reporter& report) {
  IdSet all;
  for (const auto& step : p.steps) all.insert(step.id);
  const IdSet seen = reach(p.start_step, by_id, all);
  IdSet cut_off;
  for (const auto& step : p.steps) {
    if (!seen.count(step.id)) cut_off.insert(step.id);
  }
  if (cut_off.empty()) return;

  // A wrong `next` on a reachable step is the likely reason for everything cut off.
  std::optional<Cause> broken;
  for (const auto& step : p.steps) {
    const NextStep* next = seen.count(step.id) ? broken_next(step, by_id) : nullptr;
    if (next) {
      broken = Cause{"unknown-next-step", next->pos};
      break;
    }
  }
  // Otherwise the entries of the cut-off part (steps nothing else cut off leads to, loops
  // counted as one) are the root causes, and the steps behind them their consequences.
  std::map<std::string, IdSet, std::less<>> behind;
  for (const auto& id : cut_off) behind[id] = reach(id, by_id, cut_off);
  const auto is_entry = [&](const std::string& id) {
    for (const auto& [other, reached] : behind) {
      if (reached.count(id) && !behind[id].count(other)) return false;
    }
    return true;
  };
  for (const auto& step : p.steps) {
    if (!cut_off.count(step.id)) continue;
    const std::size_t index = report(
        step.pos, "unreachable-step",
        "Trinn «" + step.id + "» kan ikke nås fra starttrinnet «" + p.start_step + "».", step.id);
    if (broken) {
      mark(report.out()[index], *broken);
      continue;
    }
    if (is_entry(step.id)) continue;
    for (const auto& entry : p.steps) {
      if (cut_off.count(entry.id) && is_entry(entry.id) && behind[entry.id].count(step.id)) {
        mark(report.out()[index], Cause{"unreachable-step", entry.pos});
        break;
      }
    }
  }
}

void check_exits(const Procedure& p, const StepIndex& by_id, Reporter& report) {
  // Every step must have a way to an end step: a loop without an exit traps a case.
  std::map<std::string, std::vector<std::string>, std::less<>> incoming;
  for (const auto& step : p.steps) {
    for (const auto& next : step.next) incoming[next.step].push_back(step.id);
  }
  IdSet can_finish;
  std::deque<std::string> queue;
  for (const auto& step : p.steps) {
    if (step.is_end && can_finish.insert(step.id).second) queue.push_back(step.id);
  }
  while (!queue.empty()) {
    const auto id = queue.front();
    queue.pop_front();
    for (const auto& from : incoming[id]) {
      if (can_finish.insert(from).second) queue.push_back(from);
    }
  }
  IdSet trapped;
  for (const auto& step : p.steps) {
    if (!step.next.empty() && !can_finish.count(step.id)) trapped.insert(step.id);
  }
  if (trapped.empty()) return;
  std::map<std::string, IdSet, std::less<>> ahead;
  for (const auto& id : trapped) ahead[id] = reach(id, by_id, trapped);
  // A trap is a step (or loop) from which no trapped step leads further on; the steps before
  // it are trapped only because of it.
  const auto is_trap = [&](const std::string& id) {
    for (const auto& other : ahead[id]) {
      if (!ahead[other].count(id)) return false;
    }
    return true;
  };
  std::map<std::string, Cause, std::less<>> root_of_trap;
  std::map<std::string, std::size_t, std::less<>> index_of;
  for (const auto& step : p.steps) {
    if (!trapped.count(step.id)) continue;
    index_of[step.id] = report(
        step.pos, "no-exit",
        "Fra trinn «" + step.id + "» finnes ingen vei til et sluttrinn (en løkke uten utgang).",
        step.id);
  }
  for (const auto& step : p.steps) {
    if (!trapped.count(step.id) || !is_trap(step.id)) continue;
    Diagnostic& d = report.out()[index_of[step.id]];
    if (const NextStep* next = broken_next(step, by_id)) {
      mark(d, Cause{"unknown-next-step", next->pos});
      root_of_trap[step.id] = Cause{"unknown-next-step", next->pos};
    } else {
      root_of_trap[step.id] = Cause{"no-exit", step.pos};
    }
  }
  for (const auto& step : p.steps) {
    if (!trapped.count(step.id) || is_trap(step.id)) continue;
    for (const auto& id : ahead[step.id]) {
      const auto root = root_of_trap.find(id);
      if (root != root_of_trap.end()) {
        mark(report.out()[index_of[step.id]], root->second);
        break;
      }
    }
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(const StepIndex& by_id, const std::string& wrong) {
  constexpr std::size_t kMaxEdits = 2;
  std::string best;
  std::size_t best_distance = kMaxEdits + 1;
  bool tie = false;
  for (const auto& [id, step] : by_id) {
    const std::size_t d = edit_distance(id, wrong);
    if (d < best_distance) {
      best = id;
      best_distance = d;
      tie = false;
    } else if (d == best_distance) {
      tie = true;
    }
  }
  // Two equally close ids: guessing would send the owner the wrong way.
  if (best.empty() || tie) return {};
  return " Mente du «" + best + "»?";
}

void lint_graph(const Procedure& p, const StepIndex& by_id, Reporter& report) {
  if (!by_id.count(p.start_step)) {
    report(p.pos, "unknown-start-step",
           "Starttrinnet «" + p.start_step + "» finnes ikke i prosedyren.");
  } else {
    check_reachable(p, by_id, report);
  }
  check_exits(p, by_id, report);
}

void mark_schema_duplicates(Diagnostics& out, std::size_t first_lint) {
  for (std::size_t i = 0; i < first_lint && i < out.size(); ++i) {
    Diagnostic& schema = out[i];
    if (schema.code != "xsd" || schema.message.find("key-sequence") == std::string::npos) {
      continue;
    }
    for (std::size_t j = first_lint; j < out.size(); ++j) {
      const Diagnostic& lint = out[j];
      if (lint.file == schema.file && lint.line == schema.line && !lint.consequential) {
        schema.consequential = true;
        schema.cause_code = lint.code;
        schema.cause_line = lint.line;
        schema.cause_column = lint.column;
        break;
      }
    }
  }
}

}  // namespace boligflyt::procedure::lint_detail
