// What procedure format 1.2 adds to the BPMN export, checked from the model for every file in
// BOLIGFLYT_RENDER_MODEL_FILES: parallel split and join gateways, escalations as timer boundary
// events on the task, external parties as collapsed pools reached by message flows, outcome
// codes on their flows, and diagram interchange for each. (render.bpmn_moddle_model.* reads the
// same files with bpmn-moddle.)
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "model_1_2_support.h"
#include "render/bpmn_export.h"
#include "render/markup.h"
#include "render/wording.h"
#include "render_test_support.h"

namespace boligflyt::render {
namespace {

using model12::by_id;
using model12::file_test_name;
using model12::first_rect;
using model12::Model12;
using model12::model_files;
using model12::numbers_in;
using model12::party_or_unit;
using model12::SvgRect;
using procedure::Procedure;
using procedure::Step;
using testing::by_name;
using testing::elements;
using testing::parse;
using testing::text_of;

class Model12Bpmn : public Model12 {
 protected:
  void SetUp() override {
    xml_ = export_bpmn(m().p, m().units);
    ASSERT_EQ(parse(doc_, xml_), "");
    root_ = doc_.child("bpmn:definitions");
    ASSERT_TRUE(root_);
    for (const auto& n : elements(root_, [](const auto& x) { return x.attribute("id"); })) {
      by_id_[n.attribute("id").value()] = n;
    }
    for (const auto& shape : by_name(root_, "bpmndi:BPMNShape")) {
      const auto b = shape.child("dc:Bounds");
      shapes_[shape.attribute("bpmnElement").value()] = {
          b.attribute("x").as_int(), b.attribute("y").as_int(), b.attribute("width").as_int(),
          b.attribute("height").as_int()};
    }
    for (const auto& edge : by_name(root_, "bpmndi:BPMNEdge")) {
      edges_[edge.attribute("bpmnElement").value()] = by_name(edge, "di:waypoint").size();
    }
    for (const auto& flow : by_name(root_, "bpmn:sequenceFlow")) flows_.push_back(flow);
  }
  pugi::xml_node node(const std::string& id) const {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? pugi::xml_node() : it->second;
  }
  std::vector<pugi::xml_node> flows(const char* end, const std::string& id) const {
    std::vector<pugi::xml_node> out;
    for (const auto& f : flows_) {
      if (id == f.attribute(end).value()) out.push_back(f);
    }
    return out;
  }
  std::string xml_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
  std::map<std::string, pugi::xml_node> by_id_;
  std::map<std::string, SvgRect> shapes_;
  std::map<std::string, std::size_t> edges_;
  std::vector<pugi::xml_node> flows_;
};

TEST_P(Model12Bpmn, ParallelSplitAndJoinAreParallelGateways) {
  for (const auto& s : m().p.steps) {
    if (s.parallel) {
      const std::string id = to_ncname("Gateway_" + s.id);
      const auto gateway = node(id);
      ASSERT_TRUE(gateway) << id;
      EXPECT_STREQ(gateway.name(), "bpmn:parallelGateway");
      const auto out = flows("sourceRef", id);
      EXPECT_EQ(out.size(), s.next.size());
      for (const auto& f : out) EXPECT_FALSE(f.child("bpmn:conditionExpression")) << id;
      EXPECT_TRUE(shapes_.count(id));
    }
    if (!s.join.empty()) {
      const std::string id = to_ncname("Gateway_join_" + s.id);
      const auto gateway = node(id);
      ASSERT_TRUE(gateway) << id;
      EXPECT_STREQ(gateway.name(), "bpmn:parallelGateway");
      const auto* split = m().p.find_step(s.join);
      ASSERT_NE(split, nullptr);
      EXPECT_GE(flows("targetRef", id).size(), split->next.size()) << id;
      const auto out = flows("sourceRef", id);
      ASSERT_EQ(out.size(), 1U);
      EXPECT_EQ(std::string(out.front().attribute("targetRef").value()),
                to_ncname("Activity_" + s.id));
      // The gateway sits in front of the step: left of its task, level with its middle.
      ASSERT_TRUE(shapes_.count(id));
      const SvgRect g = shapes_.at(id);
      const SvgRect t = shapes_.at(to_ncname("Activity_" + s.id));
      EXPECT_LT(g.x + g.w, t.x);
      EXPECT_EQ(g.y + g.h / 2, t.y + t.h / 2);
    }
  }
}

TEST_P(Model12Bpmn, OutcomeCodesAreDocumentedOnTheirFlows) {
  for (const auto& s : m().p.steps) {
    for (std::size_t k = 0; k < s.next.size(); ++k) {
      const auto flow = node(to_ncname("Flow_" + s.id + "_" + std::to_string(k + 1)));
      ASSERT_TRUE(flow) << s.id << " " << k;
      const std::string documentation = text_of(flow.child("bpmn:documentation"));
      if (s.next[k].outcome.empty()) {
        EXPECT_EQ(documentation, "") << s.id;
      } else {
        EXPECT_EQ(documentation, "Utfall: " + s.next[k].outcome) << s.id;
      }
    }
  }
}

TEST_P(Model12Bpmn, EscalationsAreTimerBoundaryEventsOnTheTask) {
  for (const auto& s : m().p.steps) {
    for (std::size_t k = 0; k < s.escalations.size(); ++k) {
      const std::string id = to_ncname("Event_escalation_" + s.id + "_" + std::to_string(k + 1));
      const auto event = node(id);
      ASSERT_TRUE(event) << id;
      EXPECT_STREQ(event.name(), "bpmn:boundaryEvent");
      const std::string task = to_ncname("Activity_" + s.id);
      EXPECT_EQ(std::string(event.attribute("attachedToRef").value()), task);
      EXPECT_STREQ(event.attribute("cancelActivity").value(), "false");
      EXPECT_EQ(text_of(event.child("bpmn:timerEventDefinition").child("bpmn:timeDuration")),
                s.escalations[k].after);
      EXPECT_NE(std::string(event.attribute("name").value())
                    .find(unit_name(m().units, s.escalations[k].to)),
                std::string::npos);
      // Drawn on the task's bottom edge, as BPMN tools attach boundary events.
      ASSERT_TRUE(shapes_.count(id));
      const SvgRect e = shapes_.at(id);
      const SvgRect t = shapes_.at(task);
      EXPECT_EQ(e.y + e.h / 2, t.y + t.h);
      EXPECT_GE(e.x, t.x);
      EXPECT_LE(e.x + e.w, t.x + t.w);
    }
  }
}

TEST_P(Model12Bpmn, ExternalPartiesAreCollapsedPoolsReachedByMessageFlows) {
  const auto collaboration = root_.child("bpmn:collaboration");
  for (const auto& party : m().p.external_parties) {
    const std::string id = to_ncname("Participant_" + party.id);
    const auto pool = node(id);
    ASSERT_TRUE(pool) << id;
    EXPECT_STREQ(pool.name(), "bpmn:participant");
    EXPECT_FALSE(pool.attribute("processRef")) << id << " is not collapsed";
    EXPECT_EQ(std::string(pool.attribute("name").value()), party.name);
    ASSERT_TRUE(shapes_.count(id));
  }
  std::size_t expected = 0;
  for (const auto& s : m().p.steps) {
    for (const auto& h : s.handovers) {
      if (!m().p.find_party(h.to)) continue;
      ++expected;
      const std::string id = to_ncname("MessageFlow_" + h.id);
      const auto flow = node(id);
      ASSERT_TRUE(flow) << id;
      EXPECT_EQ(flow.parent(), collaboration);
      EXPECT_EQ(std::string(flow.attribute("sourceRef").value()), to_ncname("Activity_" + s.id));
      EXPECT_EQ(std::string(flow.attribute("targetRef").value()), to_ncname("Participant_" + h.to));
      EXPECT_GE(edges_[id], 2U) << id;
    }
  }
  EXPECT_EQ(by_name(root_, "bpmn:messageFlow").size(), expected);
  // Schema order inside the collaboration: participants, message flows, then groups.
  std::string order;
  for (const auto& child : collaboration.children()) {
    const std::string name = child.name();
    const char kind = name == "bpmn:participant" ? 'p' : name == "bpmn:messageFlow" ? 'm' : 'g';
    if (order.empty() || order.back() != kind) order += kind;
  }
  EXPECT_TRUE(order == "pmg" || order == "pg" || order == "pm" || order == "p") << order;
}

INSTANTIATE_TEST_SUITE_P(Files, Model12Bpmn, ::testing::ValuesIn(model_files()), file_test_name);

}  // namespace
}  // namespace boligflyt::render
