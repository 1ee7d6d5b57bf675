#include "render/bpmn_export.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "render/markup.h"
#include "render/swimlane_layout.h"
#include "render/wording.h"

#ifndef BOLIGFLYT_VERSION
#define BOLIGFLYT_VERSION "0"
#endif

namespace boligflyt::render {
namespace {

using procedure::Procedure;
using procedure::Step;
using procedure::UnitRegistry;

// Where the pool sits on the BPMN plane.
constexpr int kOriginX = 20;
constexpr int kOriginY = 20;
// bpmn-js draws the pool's name in the first 30 px of the header, the lane's in the next 30.
constexpr int kPoolLabelWidth = 30;

// Hands out NCName ids, unique within the document even when two keys map to the same name.
class IdRegistry {
 public:
  std::string make(const std::string& prefix, std::string_view key) {
    std::string id = to_ncname(prefix + std::string(key));
    if (!used_.insert(id).second) {
      for (int n = 2;; ++n) {
        const std::string candidate = id + "_" + std::to_string(n);
        if (used_.insert(candidate).second) {
          id = candidate;
          break;
        }
      }
    }
    return id;
  }

 private:
  std::set<std::string> used_;
};

struct Flow {
  std::string id;
  std::string source;
  std::string target;
  std::string name;
  const RoutedFlow* route = nullptr;
  bool parallel = false;  // leaves a parallel gateway: every branch starts, no condition
  std::string outcome;    // format 1.2: the outcome code of the branch
};

std::string n(int v) { return std::to_string(v); }

void element(std::string& out, int indent, const std::string& open_tag,
             const std::string& text_content, const std::string& close_tag) {
  out.append(static_cast<std::size_t>(indent), ' ');
  out += open_tag;
  append_escaped(out, text_content);
  out += close_tag + "\n";
}

std::string attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + xml_escape(value) + "\"";
}

std::string model_1_2_documentation(const Procedure& p, const UnitRegistry& units, const Step& s);

std::string step_documentation(const Procedure& p, const UnitRegistry& units, const Step& s) {
  std::string doc = s.description;
  doc += "\n\nAnsvarlig enhet: " + unit_name(units, s.responsible.unit) + ".";
  if (!s.participants.empty()) {
    doc += "\nDeltar: ";
    for (std::size_t i = 0; i < s.participants.size(); ++i) {
      doc += (i ? ", " : "") + unit_name(units, s.participants[i].unit);
    }
    doc += ".";
  }
  for (const auto& d : s.deadlines) doc += "\nFrist: " + deadline_in_words(d, p) + ".";
  if (!s.recurrence.empty()) doc += "\nGjentas " + recurrence_in_words(s.recurrence) + ".";
  doc += model_1_2_documentation(p, units, s);
  return doc;
}

// Party or unit name for the format 1.2 lines of a task's documentation.
std::string party_or_unit(const Procedure& p, const UnitRegistry& units, const std::string& id) {
  if (const auto* party = p.find_party(id)) return party->name;
  return unit_name(units, id);
}

// What format 1.2 says about a step that BPMN has no element for inside the pool: handovers
// between units, meetings and participating parties. Empty for older procedures.
std::string model_1_2_documentation(const Procedure& p, const UnitRegistry& units, const Step& s) {
  std::string doc;
  if (!s.participating_parties.empty()) {
    doc += "\nEksterne parter: ";
    for (std::size_t i = 0; i < s.participating_parties.size(); ++i) {
      doc += (i ? ", " : "") + party_or_unit(p, units, s.participating_parties[i].party);
    }
    doc += ".";
  }
  if (const auto* meeting = p.find_meeting(s.meeting)) doc += "\nMøte: " + meeting->name + ".";
  for (const auto& h : s.handovers) {
    doc += "\nOverlevering til " + party_or_unit(p, units, h.to) + ": " + h.what;
    if (!h.within.empty()) doc += " (innen " + duration_in_words(h.within) + ")";
    doc += ".";
  }
  for (const auto& e : s.escalations) {
    doc += "\nEskaleres til " + unit_name(units, e.to) + " etter " + duration_in_words(e.after) +
           ": " + e.text;
  }
  return doc;
}

void bounds(std::string& out, const Rect& r) {
  out += "        <dc:Bounds x=\"" + n(r.x + kOriginX) + "\" y=\"" + n(r.y + kOriginY) +
         "\" width=\"" + n(r.w) + "\" height=\"" + n(r.h) + "\" />\n";
}

}  // namespace

std::string export_bpmn(const Procedure& p, const UnitRegistry& units) {
  const Grid grid = make_grid(p);
  const LayoutStyle style = bpmn_style();
  const std::vector<ColumnRange> bands{{0, grid.column_count}};
  const BandLayout layout = layout_band(p, grid, bands, 0, style);
  const auto step_of = [&](std::size_t gi) -> const Step& { return p.steps[grid.steps[gi].index]; };

  IdRegistry ids;
  const std::string key = p.id + "_" + p.version.str();
  const std::string definitions_id = ids.make("Definitions_", key);
  const std::string collaboration_id = ids.make("Collaboration_", key);
  const std::string participant_id = ids.make("Participant_", key);
  const std::string process_id = ids.make("Process_", key);
  const std::string lane_set_id = ids.make("LaneSet_", key);
  const std::string category_id = ids.make("Category_phases_", key);
  const std::string start_id = ids.make("StartEvent_", p.id);
  std::vector<std::string> lane_ids;
  for (const auto& unit : grid.lanes) lane_ids.push_back(ids.make("Lane_", unit));
  std::vector<std::string> task_ids;
  std::map<std::size_t, std::string> gateway_ids;
  std::map<std::size_t, std::string> end_ids;
  for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
    task_ids.push_back(ids.make("Activity_", grid.steps[gi].id));
  }
  for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
    if (has_gateway(step_of(gi))) gateway_ids[gi] = ids.make("Gateway_", grid.steps[gi].id);
    if (step_of(gi).is_end) end_ids[gi] = ids.make("EndEvent_", grid.steps[gi].id);
  }
  // Format 1.2: join gateways, escalation timers, external parties as collapsed pools and
  // message flows for what is handed over to them.
  std::map<std::size_t, std::string> join_ids;
  for (const auto& m : layout.joins)
    join_ids[m.step] = ids.make("Gateway_join_", grid.steps[m.step].id);
  std::map<std::size_t, std::vector<std::string>> escalation_ids;
  for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
    const auto& escalations = step_of(gi).escalations;
    for (std::size_t k = 0; k < escalations.size(); ++k) {
      escalation_ids[gi].push_back(
          ids.make("Event_escalation_", grid.steps[gi].id + "_" + n(static_cast<int>(k) + 1)));
    }
  }
  std::vector<std::string> pool_ids;
  for (const auto& party : p.external_parties)
    pool_ids.push_back(ids.make("Participant_", party.id));
  struct MessageFlow {
    std::string id;
    std::size_t from = 0;  // grid index of the task
    std::size_t pool = 0;  // index in external_parties
    std::size_t slot = 0;  // index among the task's message flows, for the drawing
    const procedure::Handover* handover = nullptr;
  };
  std::vector<MessageFlow> message_flows;
  for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
    std::size_t slot = 0;
    for (const auto& h : step_of(gi).handovers) {
      for (std::size_t k = 0; k < p.external_parties.size(); ++k) {
        if (p.external_parties[k].id != h.to) continue;
        message_flows.push_back({ids.make("MessageFlow_", h.id), gi, k, slot++, &h});
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> phase_ids;  // group, category value
  for (const auto& phase : p.phases) {
    phase_ids.emplace_back(ids.make("Group_", phase.id), ids.make("CategoryValue_", phase.id));
  }

  // The semantic flows, each with its route from the layout.
  std::vector<Flow> flows;
  for (const auto& route : layout.flows) {
    Flow f;
    f.route = &route;
    switch (route.kind) {
      case FlowKind::kStart:
        f.id = ids.make("Flow_start_", p.id);
        f.source = start_id;
        f.target = task_ids[route.to];
        break;
      case FlowKind::kGateway:
        f.id = ids.make("Flow_", grid.steps[route.from].id + "_gateway");
        f.source = task_ids[route.from];
        f.target = gateway_ids.at(route.from);
        break;
      case FlowKind::kEnd:
        f.id = ids.make("Flow_", grid.steps[route.from].id + "_end");
        f.source = task_ids[route.from];
        f.target = end_ids.at(route.from);
        break;
      case FlowKind::kStep:
        f.id = ids.make("Flow_",
                        grid.steps[route.from].id + "_" + n(static_cast<int>(route.next) + 1));
        f.source = route.from_gateway ? gateway_ids.at(route.from) : task_ids[route.from];
        f.target = join_ids.count(route.to) ? join_ids.at(route.to) : task_ids[route.to];
        f.name = step_of(route.from).next[route.next].condition;
        f.parallel = step_of(route.from).parallel;
        f.outcome = step_of(route.from).next[route.next].outcome;
        break;
      case FlowKind::kJoin:
        f.id = ids.make("Flow_", grid.steps[route.to].id + "_join");
        f.source = join_ids.at(route.to);
        f.target = task_ids[route.to];
        break;
      case FlowKind::kOutgoingConnector:
      case FlowKind::kIncomingConnector: continue;  // one band: there are none
    }
    flows.push_back(std::move(f));
  }
  std::map<std::string, std::vector<std::string>> incoming;
  std::map<std::string, std::vector<std::string>> outgoing;
  for (const auto& f : flows) {
    outgoing[f.source].push_back(f.id);
    incoming[f.target].push_back(f.id);
  }
  const auto refs = [&](std::string& out, const std::string& node) {
    for (const auto& id : incoming[node])
      element(out, 6, "<bpmn:incoming>", id, "</bpmn:incoming>");
    for (const auto& id : outgoing[node])
      element(out, 6, "<bpmn:outgoing>", id, "</bpmn:outgoing>");
  };

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out +=
      "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
      "xmlns:bpmndi=\"http://www.omg.org/spec/BPMN/20100524/DI\" "
      "xmlns:dc=\"http://www.omg.org/spec/DD/20100524/DC\" "
      "xmlns:di=\"http://www.omg.org/spec/DD/20100524/DI\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"" +
      attr("id", definitions_id) +
      attr("targetNamespace", "urn:no:boligflyt:prosedyre:" + p.id + ":" + p.version.str()) +
      attr("exporter", "boligflyt") + attr("exporterVersion", BOLIGFLYT_VERSION) + ">\n";

  out += "  <bpmn:category" + attr("id", category_id) + ">\n";
  for (std::size_t i = 0; i < p.phases.size(); ++i) {
    out += "    <bpmn:categoryValue" + attr("id", phase_ids[i].second) +
           attr("value", n(static_cast<int>(i + 1)) + " " + p.phases[i].title) + " />\n";
  }
  out += "  </bpmn:category>\n";

  out += "  <bpmn:collaboration" + attr("id", collaboration_id) + ">\n";
  out += "    <bpmn:participant" + attr("id", participant_id) +
         attr("name", p.title + " " + p.version.str()) + attr("processRef", process_id) + " />\n";
  // The schema's order: participants, message flows, then artifacts (the phase groups).
  for (std::size_t k = 0; k < p.external_parties.size(); ++k) {
    const auto& party = p.external_parties[k];
    out += "    <bpmn:participant" + attr("id", pool_ids[k]) + attr("name", party.name) + ">\n";
    if (!party.description.empty()) {
      element(out, 6, "<bpmn:documentation>", party.description, "</bpmn:documentation>");
    }
    out += "    </bpmn:participant>\n";
  }
  for (const auto& m : message_flows) {
    out += "    <bpmn:messageFlow" + attr("id", m.id) + attr("name", m.handover->what) +
           attr("sourceRef", task_ids[m.from]) + attr("targetRef", pool_ids[m.pool]);
    if (m.handover->channel.empty() && m.handover->within.empty()) {
      out += " />\n";
      continue;
    }
    out += ">\n";
    std::string how = m.handover->channel;
    if (!m.handover->within.empty()) {
      how += (how.empty() ? "Innen " : ", innen ") + duration_in_words(m.handover->within);
    }
    element(out, 6, "<bpmn:documentation>", how, "</bpmn:documentation>");
    out += "    </bpmn:messageFlow>\n";
  }
  for (std::size_t i = 0; i < p.phases.size(); ++i) {
    out += "    <bpmn:group" + attr("id", phase_ids[i].first) +
           attr("categoryValueRef", phase_ids[i].second) + " />\n";
  }
  out += "  </bpmn:collaboration>\n";

  out += "  <bpmn:process" + attr("id", process_id) + attr("name", p.title) +
         " isExecutable=\"false\">\n";
  if (!p.purpose.empty()) {
    element(out, 4, "<bpmn:documentation>", p.purpose, "</bpmn:documentation>");
  }
  out += "    <bpmn:laneSet" + attr("id", lane_set_id) + ">\n";
  for (std::size_t l = 0; l < grid.lanes.size(); ++l) {
    out += "      <bpmn:lane" + attr("id", lane_ids[l]) +
           attr("name", unit_name(units, grid.lanes[l])) + ">\n";
    if (grid.start != kNone && grid.steps[grid.start].lane == l) {
      element(out, 8, "<bpmn:flowNodeRef>", start_id, "</bpmn:flowNodeRef>");
    }
    for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
      if (grid.steps[gi].lane != l) continue;
      if (join_ids.count(gi)) {
        element(out, 8, "<bpmn:flowNodeRef>", join_ids[gi], "</bpmn:flowNodeRef>");
      }
      element(out, 8, "<bpmn:flowNodeRef>", task_ids[gi], "</bpmn:flowNodeRef>");
      for (const auto& id : escalation_ids[gi]) {
        element(out, 8, "<bpmn:flowNodeRef>", id, "</bpmn:flowNodeRef>");
      }
      if (gateway_ids.count(gi)) {
        element(out, 8, "<bpmn:flowNodeRef>", gateway_ids[gi], "</bpmn:flowNodeRef>");
      }
      if (end_ids.count(gi))
        element(out, 8, "<bpmn:flowNodeRef>", end_ids[gi], "</bpmn:flowNodeRef>");
    }
    out += "      </bpmn:lane>\n";
  }
  out += "    </bpmn:laneSet>\n";

  if (grid.start != kNone) {
    out += "    <bpmn:startEvent" + attr("id", start_id) + attr("name", "Start") + ">\n";
    refs(out, start_id);
    out += "    </bpmn:startEvent>\n";
  }
  for (std::size_t gi = 0; gi < grid.steps.size(); ++gi) {
    const Step& s = step_of(gi);
    if (const auto j = join_ids.find(gi); j != join_ids.end()) {
      out += "    <bpmn:parallelGateway" + attr("id", j->second) +
             attr("name", "Alle grenene ferdige") + ">\n";
      refs(out, j->second);
      out += "    </bpmn:parallelGateway>\n";
    }
    out += "    <bpmn:userTask" + attr("id", task_ids[gi]) + attr("name", s.title) + ">\n";
    element(out, 6, "<bpmn:documentation>", step_documentation(p, units, s),
            "</bpmn:documentation>");
    refs(out, task_ids[gi]);
    out += "    </bpmn:userTask>\n";
    for (std::size_t k = 0; k < s.escalations.size(); ++k) {
      // Non-interrupting: the step goes on while the case is raised to the unit above.
      const auto& e = s.escalations[k];
      const std::string& id = escalation_ids[gi][k];
      out += "    <bpmn:boundaryEvent" + attr("id", id) +
             attr("name", "Eskaleres til " + unit_name(units, e.to) + " etter " +
                              duration_in_words(e.after)) +
             " cancelActivity=\"false\"" + attr("attachedToRef", task_ids[gi]) + ">\n";
      if (!e.text.empty()) element(out, 6, "<bpmn:documentation>", e.text, "</bpmn:documentation>");
      out += "      <bpmn:timerEventDefinition" + attr("id", id + "_timer") + ">\n";
      element(out, 8, "<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">", e.after,
              "</bpmn:timeDuration>");
      out += "      </bpmn:timerEventDefinition>\n";
      out += "    </bpmn:boundaryEvent>\n";
    }
    if (s.parallel && gateway_ids.count(gi)) {
      const std::string& id = gateway_ids.at(gi);
      out += "    <bpmn:parallelGateway" + attr("id", id) + ">\n";
      refs(out, id);
      out += "    </bpmn:parallelGateway>\n";
    } else if (const auto g = gateway_ids.find(gi); g != gateway_ids.end()) {
      // A branch without a condition is the one taken otherwise: the gateway's default.
      std::string default_flow;
      int unconditional = 0;
      for (const auto& f : flows) {
        if (f.source == g->second && f.name.empty()) {
          default_flow = f.id;
          ++unconditional;
        }
      }
      out += "    <bpmn:exclusiveGateway" + attr("id", g->second);
      if (unconditional == 1) out += attr("default", default_flow);
      out += ">\n";
      refs(out, g->second);
      out += "    </bpmn:exclusiveGateway>\n";
    }
    if (const auto e = end_ids.find(gi); e != end_ids.end()) {
      // The outcome is a sentence; as the name a tool would print it under a 36 px circle.
      out += "    <bpmn:endEvent" + attr("id", e->second) + attr("name", "Slutt") + ">\n";
      if (!s.end_text.empty()) {
        element(out, 6, "<bpmn:documentation>", s.end_text, "</bpmn:documentation>");
      }
      refs(out, e->second);
      out += "    </bpmn:endEvent>\n";
    }
  }
  for (const auto& f : flows) {
    out += "    <bpmn:sequenceFlow" + attr("id", f.id);
    if (!f.name.empty()) out += attr("name", f.name);
    out += attr("sourceRef", f.source) + attr("targetRef", f.target);
    const bool condition = !f.name.empty() && !f.parallel;
    if (!condition && f.outcome.empty()) {
      out += " />\n";
      continue;
    }
    out += ">\n";
    if (!f.outcome.empty()) {
      // The machine-readable code, for tools that follow decisions; BPMN has no field for it.
      element(out, 6, "<bpmn:documentation>", "Utfall: " + f.outcome, "</bpmn:documentation>");
    }
    if (!condition) {
      out += "    </bpmn:sequenceFlow>\n";
      continue;
    }
    element(out, 6, "<bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">", f.name,
            "</bpmn:conditionExpression>");
    out += "    </bpmn:sequenceFlow>\n";
  }
  out += "  </bpmn:process>\n";

  // Diagram interchange: the layout's rectangles and routes, moved to the plane's origin.
  out += "  <bpmndi:BPMNDiagram" + attr("id", "BPMNDiagram_" + process_id) + ">\n";
  out += "    <bpmndi:BPMNPlane" + attr("id", "BPMNPlane_" + process_id) +
         attr("bpmnElement", collaboration_id) + ">\n";
  const auto shape = [&](const std::string& element_id, const Rect& r, const char* extra) {
    out += "      <bpmndi:BPMNShape" + attr("id", element_id + "_di") +
           attr("bpmnElement", element_id) + extra + ">\n";
    bounds(out, r);
    out += "      </bpmndi:BPMNShape>\n";
  };
  shape(participant_id, {0, 0, layout.width, layout.height}, " isHorizontal=\"true\"");
  for (const auto& lane : layout.lanes) {
    shape(lane_ids[lane.lane],
          {kPoolLabelWidth, lane.rect.y, layout.width - kPoolLabelWidth, lane.rect.h},
          " isHorizontal=\"true\"");
  }
  for (const auto& phase : layout.phases) {
    shape(phase_ids[phase.phase].first, {phase.area.x, 0, phase.area.w, layout.height}, "");
  }
  for (const auto& m : layout.starts) shape(start_id, m.rect, "");
  for (const auto& box : layout.boxes) shape(task_ids[box.step], box.rect, "");
  for (const auto& m : layout.gateways)
    shape(gateway_ids.at(m.step), m.rect, " isMarkerVisible=\"true\"");
  for (const auto& m : layout.ends) shape(end_ids.at(m.step), m.rect, "");
  for (const auto& m : layout.joins) shape(join_ids.at(m.step), m.rect, "");
  for (const auto& box : layout.boxes) {
    // Timers sit on the bottom edge of the task, from the right.
    const auto& timers = escalation_ids[box.step];
    for (std::size_t k = 0; k < timers.size(); ++k) {
      const int x = box.rect.right() - 46 - static_cast<int>(k) * 40;
      shape(timers[k], {x, box.rect.bottom() - 18, 36, 36}, "");
    }
  }
  // The external parties' pools lie collapsed below the municipality's pool.
  std::vector<Rect> pools;
  for (std::size_t k = 0; k < pool_ids.size(); ++k) {
    pools.push_back({0, layout.height + 40 + static_cast<int>(k) * 80, layout.width, 60});
    shape(pool_ids[k], pools.back(), " isHorizontal=\"true\"");
  }
  for (const auto& f : flows) {
    out += "      <bpmndi:BPMNEdge" + attr("id", f.id + "_di") + attr("bpmnElement", f.id) + ">\n";
    for (const auto& pt : f.route->points) {
      out += "        <di:waypoint x=\"" + n(pt.x + kOriginX) + "\" y=\"" + n(pt.y + kOriginY) +
             "\" />\n";
    }
    out += "      </bpmndi:BPMNEdge>\n";
  }
  for (const auto& m : message_flows) {
    const StepBox* box = layout.box_of(m.from);
    if (!box) continue;
    const int x = box->rect.x + 24 + static_cast<int>(m.slot) * 16;
    out += "      <bpmndi:BPMNEdge" + attr("id", m.id + "_di") + attr("bpmnElement", m.id) + ">\n";
    for (const Point pt : {Point{x, box->rect.bottom()}, Point{x, pools[m.pool].y}}) {
      out += "        <di:waypoint x=\"" + n(pt.x + kOriginX) + "\" y=\"" + n(pt.y + kOriginY) +
             "\" />\n";
    }
    out += "      </bpmndi:BPMNEdge>\n";
  }
  out += "    </bpmndi:BPMNPlane>\n";
  out += "  </bpmndi:BPMNDiagram>\n";
  out += "</bpmn:definitions>\n";
  return out;
}

}  // namespace boligflyt::render
