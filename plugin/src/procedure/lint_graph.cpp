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

// Steps as indices into p.steps; the checks are linear in steps and `next` references, since
// an uploaded file may hold thousands of steps (4 MiB).
struct Graph {
  std::vector<std::vector<std::size_t>> succ;
  std::vector<std::vector<std::size_t>> pred;
};

Graph graph_of(const Procedure& p) {
  std::map<std::string_view, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < p.steps.size(); ++i) index.emplace(p.steps[i].id, i);
  Graph g{std::vector<std::vector<std::size_t>>(p.steps.size()),
          std::vector<std::vector<std::size_t>>(p.steps.size())};
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    for (const auto& next : p.steps[i].next) {
      const auto it = index.find(next.step);
      if (it == index.end()) continue;
      g.succ[i].push_back(it->second);
      g.pred[it->second].push_back(i);
    }
  }
  return g;
}

/// Breadth-first from `from` along `edges`, inside `in`; calls visit(step) for each new one.
template <typename Visit>
void walk(std::size_t from, const std::vector<std::vector<std::size_t>>& edges,
          const std::vector<char>& in, std::vector<char>& seen, Visit visit) {
  std::deque<std::size_t> queue{from};
  seen[from] = 1;
  while (!queue.empty()) {
    const std::size_t at = queue.front();
    queue.pop_front();
    for (const std::size_t to : edges[at]) {
      if (in[to] && !seen[to]) {
        seen[to] = 1;
        visit(to);
        queue.push_back(to);
      }
    }
  }
}

/// Strongly connected components of the subgraph `in` (Tarjan, without recursion): a loop
/// counts as one place. Steps outside `in` get kNone.
constexpr std::size_t kNone = static_cast<std::size_t>(-1);
std::vector<std::size_t> components(const Graph& g, const std::vector<char>& in) {
  const std::size_t n = g.succ.size();
  std::vector<std::size_t> comp(n, kNone);
  std::vector<std::size_t> order(n, kNone);
  std::vector<std::size_t> low(n, 0);
  std::vector<char> on_stack(n, 0);
  std::vector<std::size_t> stack;
  std::size_t counter = 0;
  std::size_t next_comp = 0;
  for (std::size_t root = 0; root < n; ++root) {
    if (!in[root] || order[root] != kNone) continue;
    std::vector<std::pair<std::size_t, std::size_t>> frames{{root, 0}};  // step, next edge
    order[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = 1;
    while (!frames.empty()) {
      auto& [v, edge] = frames.back();
      if (edge < g.succ[v].size()) {
        const std::size_t w = g.succ[v][edge++];
        if (!in[w]) continue;
        if (order[w] == kNone) {
          order[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = 1;
          frames.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], order[w]);
        }
        continue;
      }
      const std::size_t done = v;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().first] = std::min(low[frames.back().first], low[done]);
      if (low[done] == order[done]) {
        std::size_t w = kNone;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          comp[w] = next_comp;
        } while (w != done);
        ++next_comp;
      }
    }
  }
  return comp;
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

void check_reachable(const Procedure& p, const StepIndex& by_id, const Graph& g, std::size_t start,
                     Reporter& report) {
  const std::size_t n = p.steps.size();
  const std::vector<char> everywhere(n, 1);
  std::vector<char> seen(n, 0);
  walk(start, g.succ, everywhere, seen, [](std::size_t) {});
  std::vector<char> cut_off(n, 0);
  bool any = false;
  for (std::size_t i = 0; i < n; ++i) {
    cut_off[i] = seen[i] ? 0 : 1;
    any = any || cut_off[i];
  }
  if (!any) return;

  // A wrong `next` on a reachable step is the likely reason for everything cut off.
  std::optional<Cause> broken;
  for (std::size_t i = 0; i < n && !broken; ++i) {
    const NextStep* next = seen[i] ? broken_next(p.steps[i], by_id) : nullptr;
    if (next) broken = Cause{"unknown-next-step", next->pos};
  }
  // Otherwise the entries of the cut-off part (steps, or loops, that nothing else cut off
  // leads to) are the findings, and the steps behind them their consequences.
  const auto comp = components(g, cut_off);
  std::vector<char> entered(n, 0);  // by component
  for (std::size_t v = 0; v < n; ++v) {
    for (const std::size_t w : g.succ[v]) {
      if (cut_off[v] && cut_off[w] && comp[v] != comp[w]) entered[comp[w]] = 1;
    }
  }
  // The first step of an entry loop stands for the loop; the rest of it follows from it.
  std::vector<std::size_t> cause_of(n, kNone);
  std::vector<std::size_t> first_in(n, kNone);  // by component
  std::vector<char> visited(n, 0);
  for (std::size_t e = 0; e < n; ++e) {
    if (!cut_off[e] || entered[comp[e]]) continue;
    if (first_in[comp[e]] != kNone) {
      cause_of[e] = first_in[comp[e]];
      continue;
    }
    first_in[comp[e]] = e;
    walk(e, g.succ, cut_off, visited, [&](std::size_t v) {
      if (cause_of[v] == kNone && comp[v] != comp[e]) cause_of[v] = e;
    });
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!cut_off[i]) continue;
    const Step& step = p.steps[i];
    const std::size_t index = report(
        step.pos, "unreachable-step",
        "Trinn «" + step.id + "» kan ikke nås fra starttrinnet «" + p.start_step + "».", step.id);
    if (broken) {
      mark(report.out()[index], *broken);
    } else if (cause_of[i] != kNone) {
      mark(report.out()[index], Cause{"unreachable-step", p.steps[cause_of[i]].pos});
    }
  }
}

void check_exits(const Procedure& p, const StepIndex& by_id, const Graph& g, Reporter& report) {
  // Every step must have a way to an end step: a loop without an exit traps a case.
  const std::size_t n = p.steps.size();
  const std::vector<char> everywhere(n, 1);
  std::vector<char> can_finish(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (p.steps[i].is_end && !can_finish[i]) {
      walk(i, g.pred, everywhere, can_finish, [](std::size_t) {});
    }
  }
  std::vector<char> trapped(n, 0);
  bool any = false;
  for (std::size_t i = 0; i < n; ++i) {
    trapped[i] = !p.steps[i].next.empty() && !can_finish[i] ? 1 : 0;
    any = any || trapped[i];
  }
  if (!any) return;
  // A trap is a step (or loop) from which no trapped step leads further on; the steps before
  // it are trapped only because of it.
  const auto comp = components(g, trapped);
  std::vector<char> leaves(n, 0);  // by component
  for (std::size_t v = 0; v < n; ++v) {
    for (const std::size_t w : g.succ[v]) {
      if (trapped[v] && trapped[w] && comp[v] != comp[w]) leaves[comp[v]] = 1;
    }
  }
  std::vector<std::size_t> index_of(n, kNone);
  for (std::size_t i = 0; i < n; ++i) {
    if (!trapped[i]) continue;
    const Step& step = p.steps[i];
    index_of[i] = report(
        step.pos, "no-exit",
        "Fra trinn «" + step.id + "» finnes ingen vei til et sluttrinn (en løkke uten utgang).",
        step.id);
  }
  // The first step of a trap loop stands for the loop; the rest of it follows from it.
  std::vector<char> visited(n, 0);
  std::vector<std::optional<Cause>> root_of(n);  // by component
  for (std::size_t t = 0; t < n; ++t) {
    if (!trapped[t] || leaves[comp[t]]) continue;
    Diagnostic& trap = report.out()[index_of[t]];
    if (root_of[comp[t]]) {
      if (!trap.consequential) mark(trap, *root_of[comp[t]]);
      continue;
    }
    Cause root{"no-exit", p.steps[t].pos};
    if (const NextStep* next = broken_next(p.steps[t], by_id)) {
      root = Cause{"unknown-next-step", next->pos};
      mark(trap, root);
    }
    root_of[comp[t]] = root;
    walk(t, g.pred, trapped, visited, [&](std::size_t v) {
      Diagnostic& d = report.out()[index_of[v]];
      if (!d.consequential && !(d.line == root.pos.line && d.column == root.pos.column)) {
        mark(d, root);
      }
    });
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
    // Ids of a very different length cannot be close; skipping them keeps this cheap.
    if (id.size() + kMaxEdits < wrong.size() || wrong.size() + kMaxEdits < id.size()) continue;
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
  const Graph g = graph_of(p);
  std::size_t start = kNone;
  for (std::size_t i = 0; i < p.steps.size() && start == kNone; ++i) {
    if (p.steps[i].id == p.start_step) start = i;
  }
  if (start == kNone) {
    report(p.pos, "unknown-start-step",
           "Starttrinnet «" + p.start_step + "» finnes ikke i prosedyren.");
  } else {
    check_reachable(p, by_id, g, start, report);
  }
  check_exits(p, by_id, g, report);
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
