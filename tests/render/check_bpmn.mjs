#!/usr/bin/env node
// Reads the BPMN export with bpmn-moddle, the library bpmn-js and the Camunda Modeler read
// BPMN with, and fails on any warning. Then checks what a BPMN tool relies on: one pool whose
// process has a lane set, every flow node in exactly one lane, every sequence flow between two
// existing nodes, and diagram interchange (a shape or an edge with waypoints) for every element.
//
//   node check_bpmn.mjs FILE.bpmn
//
// Exits 0 when all holds, 1 on any finding, 2 on bad usage. bpmn-moddle comes from
// tests/node_modules (tests/install-npm-deps.sh); without it this fails, never skips.

import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error("usage: check_bpmn.mjs FILE.bpmn");
  process.exit(2);
}

let BpmnModdle;
try {
  const module = await import("bpmn-moddle");
  BpmnModdle = module.BpmnModdle ?? module.default;  // named since bpmn-moddle 10
} catch (error) {
  console.error(
    "check_bpmn: the npm package bpmn-moddle is missing (tests/node_modules). " +
      "Run tests/install-npm-deps.sh first.\n" + error.message);
  process.exit(1);
}

const findings = [];
const xml = readFileSync(file, "utf8");
const moddle = new BpmnModdle();
const { rootElement: definitions, warnings } = await moddle.fromXML(xml, "bpmn:Definitions");
for (const warning of warnings) findings.push(`bpmn-moddle: ${warning.message}`);

const byType = (elements, type) => (elements ?? []).filter((e) => e.$type === type);
const collaborations = byType(definitions.rootElements, "bpmn:Collaboration");
const processes = byType(definitions.rootElements, "bpmn:Process");
if (collaborations.length !== 1) findings.push(`expected 1 collaboration, found ${collaborations.length}`);
if (processes.length !== 1) findings.push(`expected 1 process, found ${processes.length}`);
const process_ = processes[0];
const participants = collaborations[0]?.participants ?? [];
if (participants.length !== 1 || participants[0].processRef !== process_) {
  findings.push("the collaboration must have one participant referring to the process");
}

const flowElements = process_?.flowElements ?? [];
const nodes = flowElements.filter((e) => e.$type !== "bpmn:SequenceFlow");
const flows = byType(flowElements, "bpmn:SequenceFlow");
const tasks = byType(flowElements, "bpmn:UserTask");
const lanes = process_?.laneSets?.[0]?.lanes ?? [];
if ((process_?.laneSets ?? []).length !== 1 || lanes.length === 0) {
  findings.push("the process must have one lane set with lanes");
}
const laneOf = new Map();
for (const lane of lanes) {
  for (const node of lane.flowNodeRef ?? []) {
    if (laneOf.has(node.id)) findings.push(`${node.id} is in lanes ${laneOf.get(node.id)} and ${lane.id}`);
    laneOf.set(node.id, lane.id);
  }
}
for (const node of nodes) {
  if (!laneOf.has(node.id)) findings.push(`${node.id} is in no lane`);
}
const nodeIds = new Set(nodes.map((n) => n.id));
for (const flow of flows) {
  if (!flow.sourceRef || !nodeIds.has(flow.sourceRef.id)) findings.push(`${flow.id}: source missing`);
  if (!flow.targetRef || !nodeIds.has(flow.targetRef.id)) findings.push(`${flow.id}: target missing`);
}
if (byType(flowElements, "bpmn:StartEvent").length !== 1) findings.push("expected one start event");
if (byType(flowElements, "bpmn:EndEvent").length === 0) findings.push("expected end events");

// Diagram interchange: every pool, lane, node and flow is drawn, flows with two or more points.
const plane = definitions.diagrams?.[0]?.plane;
const drawn = new Map();
for (const element of plane?.planeElement ?? []) drawn.set(element.bpmnElement?.id, element);
for (const element of [...participants, ...lanes, ...nodes]) {
  const di = drawn.get(element.id);
  if (!di || di.$type !== "bpmndi:BPMNShape" || !di.bounds) findings.push(`${element.id}: no shape`);
}
for (const flow of flows) {
  const di = drawn.get(flow.id);
  if (!di || di.$type !== "bpmndi:BPMNEdge" || (di.waypoint ?? []).length < 2) {
    findings.push(`${flow.id}: no edge with waypoints`);
  }
}

if (findings.length > 0) {
  for (const finding of findings) console.error(finding);
  console.error(`check_bpmn: ${findings.length} finding(s) in ${file}`);
  process.exit(1);
}
console.log(
  `check_bpmn: ${file}: no warnings; ${tasks.length} user tasks, ${lanes.length} lanes, ` +
    `${flows.length} sequence flows, ${drawn.size} diagram elements`);
