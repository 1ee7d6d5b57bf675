// The BPMN 2.0 export, read back with an XML parser: namespaces, one task per step, lanes that
// are the responsible units, flows between existing nodes, unique NCName ids, and diagram
// interchange from the swimlane layout. (render.bpmn_moddle reads it with bpmn-moddle too.)
#include "render/bpmn_export.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "render/swimlane_layout.h"
#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using testing::by_name;
using testing::elements;
using testing::parse;
using testing::shipped;
using testing::text_of;

constexpr const char* kModel = "http://www.omg.org/spec/BPMN/20100524/MODEL";

struct Bounds {
  int x, y, w, h;
};

class BpmnExport : public ::testing::Test {
 protected:
  void SetUp() override {
    xml_ = export_bpmn(shipped().v3, shipped().units);
    ASSERT_EQ(parse(doc_, xml_), "");
    root_ = doc_.child("bpmn:definitions");
    ASSERT_TRUE(root_);
    process_ = root_.child("bpmn:process");
    ASSERT_TRUE(process_);
    for (const auto& node : process_.children()) {
      const std::string name = node.name();
      if (name == "bpmn:laneSet" || name == "bpmn:documentation" || name == "bpmn:sequenceFlow")
        continue;
      nodes_[node.attribute("id").value()] = name;
    }
    for (const auto& shape : by_name(root_, "bpmndi:BPMNShape")) {
      const auto b = shape.child("dc:Bounds");
      shapes_[shape.attribute("bpmnElement").value()] = {
          b.attribute("x").as_int(), b.attribute("y").as_int(), b.attribute("width").as_int(),
          b.attribute("height").as_int()};
    }
  }
  std::string xml_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
  pugi::xml_node process_;
  std::map<std::string, std::string> nodes_;  // id → element name
  std::map<std::string, Bounds> shapes_;      // bpmnElement → bounds
};

TEST_F(BpmnExport, DeclaresTheBpmn20Namespaces) {
  EXPECT_STREQ(root_.attribute("xmlns:bpmn").value(), kModel);
  EXPECT_STREQ(root_.attribute("xmlns:bpmndi").value(), "http://www.omg.org/spec/BPMN/20100524/DI");
  EXPECT_STREQ(root_.attribute("xmlns:dc").value(), "http://www.omg.org/spec/DD/20100524/DC");
  EXPECT_STREQ(root_.attribute("xmlns:di").value(), "http://www.omg.org/spec/DD/20100524/DI");
  const auto participant = root_.child("bpmn:collaboration").child("bpmn:participant");
  EXPECT_STREQ(participant.attribute("processRef").value(), process_.attribute("id").value());
  EXPECT_STREQ(process_.attribute("isExecutable").value(), "false");
}

TEST_F(BpmnExport, EveryStepIsExactlyOneUserTask) {
  for (const auto& s : shipped().v3.steps) {
    const auto tasks = elements(root_, [&](const auto& n) {
      return std::string(n.name()) == "bpmn:userTask" &&
             "Activity_" + s.id == n.attribute("id").value();
    });
    ASSERT_EQ(tasks.size(), 1U) << s.id;
    EXPECT_EQ(tasks[0].attribute("name").value(), s.title);
  }
  EXPECT_EQ(by_name(process_, "bpmn:userTask").size(), shipped().v3.steps.size());
}

TEST_F(BpmnExport, LanesAreTheResponsibleUnitsAndHoldEveryNodeOnce) {
  std::set<std::string> responsible;
  for (const auto& s : shipped().v3.steps) responsible.insert(s.responsible.unit);
  const auto lanes = by_name(process_.child("bpmn:laneSet"), "bpmn:lane");
  EXPECT_EQ(lanes.size(), responsible.size());
  std::map<std::string, std::string> lane_of;
  for (const auto& lane : lanes) {
    const std::string id = lane.attribute("id").value();
    ASSERT_EQ(id.rfind("Lane_", 0), 0U);
    EXPECT_EQ(responsible.count(id.substr(5)), 1U) << id;
    EXPECT_EQ(lane.attribute("name").value(),
              std::string(shipped().units.find(id.substr(5))->name));
    for (const auto& ref : lane.children("bpmn:flowNodeRef")) {
      EXPECT_EQ(nodes_.count(ref.text().get()), 1U) << ref.text().get();
      EXPECT_TRUE(lane_of.emplace(ref.text().get(), id.substr(5)).second) << ref.text().get();
    }
  }
  for (const auto& [id, name] : nodes_) EXPECT_EQ(lane_of.count(id), 1U) << id << " in no lane";
  for (const auto& s : shipped().v3.steps)
    EXPECT_EQ(lane_of["Activity_" + s.id], s.responsible.unit);
}

TEST_F(BpmnExport, SequenceFlowsJoinExistingNodesAndCarryTheConditions) {
  std::map<std::string, int> outgoing;
  std::set<std::string> names;
  for (const auto& flow : process_.children("bpmn:sequenceFlow")) {
    const std::string source = flow.attribute("sourceRef").value();
    const std::string target = flow.attribute("targetRef").value();
    EXPECT_EQ(nodes_.count(source), 1U) << source;
    EXPECT_EQ(nodes_.count(target), 1U) << target;
    ++outgoing[source];
    if (flow.attribute("name")) {
      names.insert(flow.attribute("name").value());
      EXPECT_EQ(text_of(flow.child("bpmn:conditionExpression")), flow.attribute("name").value());
    }
  }
  for (const auto& s : shipped().v3.steps) {
    for (const auto& next : s.next) {
      if (!next.condition.empty()) {
        EXPECT_EQ(names.count(next.condition), 1U) << next.condition;
      }
    }
    const std::string branch_node = s.next.size() > 1 ? "Gateway_" + s.id : "Activity_" + s.id;
    EXPECT_EQ(outgoing[branch_node], static_cast<int>(s.next.size()) + (s.is_end ? 1 : 0)) << s.id;
    if (s.next.size() > 1) {
      EXPECT_EQ(nodes_["Gateway_" + s.id], "bpmn:exclusiveGateway");
    }
    if (s.is_end) {
      EXPECT_EQ(nodes_["EndEvent_" + s.id], "bpmn:endEvent");
    }
  }
  const auto starts = by_name(process_, "bpmn:startEvent");
  ASSERT_EQ(starts.size(), 1U);
  const auto start_flow = elements(process_, [&](const auto& n) {
    return std::string(n.attribute("sourceRef").value()) == starts[0].attribute("id").value();
  });
  ASSERT_EQ(start_flow.size(), 1U);
  EXPECT_STREQ(start_flow[0].attribute("targetRef").value(), "Activity_soknad-veiledning");
}

TEST_F(BpmnExport, IdsAreUniqueNcNames) {
  static const std::regex kNcName("[A-Za-z_][A-Za-z0-9._-]*");
  std::set<std::string> ids;
  for (const auto& n : elements(root_, [](const auto& e) { return e.attribute("id"); })) {
    const std::string id = n.attribute("id").value();
    EXPECT_TRUE(std::regex_match(id, kNcName)) << id;
    EXPECT_TRUE(ids.insert(id).second) << id;
  }
  for (const auto& n : elements(root_, [](const auto& e) { return e.attribute("bpmnElement"); })) {
    EXPECT_EQ(ids.count(n.attribute("bpmnElement").value()), 1U)
        << n.attribute("bpmnElement").value();
  }
}

TEST_F(BpmnExport, DiagramInterchangeDrawsEveryElementInsideItsLane) {
  for (const auto& [id, name] : nodes_) EXPECT_EQ(shapes_.count(id), 1U) << id;
  for (const auto& lane : by_name(process_, "bpmn:lane")) {
    ASSERT_EQ(shapes_.count(lane.attribute("id").value()), 1U);
    const Bounds l = shapes_[lane.attribute("id").value()];
    for (const auto& ref : lane.children("bpmn:flowNodeRef")) {
      const Bounds s = shapes_[ref.text().get()];
      EXPECT_TRUE(s.x >= l.x && s.y >= l.y && s.x + s.w <= l.x + l.w && s.y + s.h <= l.y + l.h)
          << ref.text().get();
    }
  }
  for (const auto& flow : process_.children("bpmn:sequenceFlow")) {
    const auto edge = elements(root_, [&](const auto& n) {
      return std::string(n.name()) == "bpmndi:BPMNEdge" &&
             std::string(n.attribute("bpmnElement").value()) == flow.attribute("id").value();
    });
    ASSERT_EQ(edge.size(), 1U) << flow.attribute("id").value();
    std::vector<pugi::xml_node> points;
    for (const auto& p : edge[0].children("di:waypoint")) points.push_back(p);
    ASSERT_GE(points.size(), 2U);
    // The first waypoint touches the source shape, the last the target shape.
    const auto touches = [](const Bounds& b, const pugi::xml_node& p) {
      const int x = p.attribute("x").as_int();
      const int y = p.attribute("y").as_int();
      return x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
    };
    EXPECT_TRUE(touches(shapes_[flow.attribute("sourceRef").value()], points.front()))
        << flow.attribute("id").value();
    EXPECT_TRUE(touches(shapes_[flow.attribute("targetRef").value()], points.back()))
        << flow.attribute("id").value();
  }
}

TEST_F(BpmnExport, ReusesTheSwimlaneLayout) {
  const Grid grid = make_grid(shipped().v3);
  for (const auto& a : grid.steps) {
    for (const auto& b : grid.steps) {
      if (a.column < b.column) {
        EXPECT_LT(shapes_["Activity_" + a.id].x, shapes_["Activity_" + b.id].x)
            << a.id << " " << b.id;
      }
    }
  }
}

TEST_F(BpmnExport, TwoExportsAreByteIdentical) {
  EXPECT_EQ(xml_, export_bpmn(shipped().v3, shipped().units));
}

TEST(BpmnExportText, EscapesNamesAndConditions) {
  const auto p = testing::with_markup_in_text();
  const std::string xml = export_bpmn(p, shipped().units);
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, xml), "");
  const auto task = elements(doc, [](const auto& n) {
    return std::string(n.attribute("id").value()) == "Activity_soknad-veiledning";
  });
  ASSERT_EQ(task.size(), 1U);
  EXPECT_EQ(task[0].attribute("name").value(), p.steps.front().title);
  EXPECT_NE(xml.find("name=\"Når &lt;i&gt;x&lt;/i&gt; &amp; &quot;y&quot;\""), std::string::npos);
}

TEST(BpmnExportSparse, ExportsTheSmallestProcedure) {
  const std::string xml = export_bpmn(testing::sparse_procedure(), procedure::UnitRegistry{});
  pugi::xml_document doc;
  ASSERT_EQ(parse(doc, xml), "");
  EXPECT_EQ(by_name(doc, "bpmn:userTask").size(), 2U);
  EXPECT_EQ(by_name(doc, "bpmn:lane").size(), 2U);
  EXPECT_EQ(by_name(doc, "bpmn:startEvent").size(), 1U);
  EXPECT_EQ(by_name(doc, "bpmn:endEvent").size(), 1U);
  EXPECT_EQ(by_name(doc, "bpmn:exclusiveGateway").size(), 0U);
  EXPECT_EQ(by_name(doc, "bpmn:sequenceFlow").size(), 3U);  // start, step, end
}

}  // namespace
}  // namespace boligflyt::render
