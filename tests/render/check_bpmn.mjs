#!/usr/bin/env node
// Reads the BPMN export with bpmn-moddle, the library bpmn-js and the Camunda Modeler read
// BPMN with, and fails on any warning. Then checks what a BPMN tool relies on: one pool whose
// process has a lane set, every flow node in exactly one lane, every sequence flow between two
// existing nodes, and diagram interchange (a shape or an edge with waypoints) for every element.
// Procedure format 1.2: external parties are collapsed pools (participants without a process)
// that message flows reach from tasks; escalations are timer boundary events on tasks; flows
// out of a parallel gateway carry no condition. With --expect-1.2 the file must use each of
// them (parallel gateways, timer boundary events, message flows to collapsed pools).
//
//   node check_bpmn.mjs [--expect-1.2] FILE.bpmn
//
// Exits 0 when all holds, 1 on any finding, 2 on bad usage. bpmn-moddle comes from
// tests/node_modules (tests/install-npm-deps.sh); without it this fails, never skips.

import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const expectModel12 = args[0] === "--expect-1.2";
if (expectModel12) args.shift();
const file = args[0];
if (!file || args.length > 1) {
  console.error("usage: check_bpmn.mjs [--expect-1.2] FILE.bpmn");
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
const pools = participants.filter((p) => p.processRef);
const collapsedPools = participants.filter((p) => !p.processRef);
if (pools.length !== 1 || pools[0].processRef !== process_) {
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
// Format 1.2 elements.
const messageFlows = collaborations[0]?.messageFlows ?? [];
const taskIds = new Set(tasks.map((t) => t.id));
const collapsedIds = new Set(collapsedPools.map((p) => p.id));
for (const flow of messageFlows) {
  if (!flow.sourceRef || !taskIds.has(flow.sourceRef.id)) findings.push(`${flow.id}: source is not a task`);
  if (!flow.targetRef || !collapsedIds.has(flow.targetRef.id)) {
    findings.push(`${flow.id}: target is not a collapsed pool`);
  }
}
const boundaryEvents = byType(flowElements, "bpmn:BoundaryEvent");
const timers = boundaryEvents.filter((event) => {
  const timer = (event.eventDefinitions ?? []).find((d) => d.$type === "bpmn:TimerEventDefinition");
  return timer && /^P/.test(timer.timeDuration?.body ?? "");
});
for (const event of boundaryEvents) {
  if (!event.attachedToRef || !taskIds.has(event.attachedToRef.id)) {
    findings.push(`${event.id}: not attached to a task`);
  }
  if (!timers.includes(event)) findings.push(`${event.id}: no timer with an ISO 8601 duration`);
}
const parallelGateways = byType(flowElements, "bpmn:ParallelGateway");
for (const flow of flows) {
  if (flow.sourceRef?.$type === "bpmn:ParallelGateway" && flow.conditionExpression) {
    findings.push(`${flow.id}: a flow out of a parallel gateway has a condition`);
  }
}
for (const gateway of parallelGateways) {
  const incoming = flows.filter((f) => f.targetRef === gateway).length;
  const outgoing = flows.filter((f) => f.sourceRef === gateway).length;
  if (incoming < 1 || outgoing < 1 || incoming + outgoing < 3) {
    findings.push(`${gateway.id}: a parallel gateway must split or join (${incoming} in, ${outgoing} out)`);
  }
}
if (expectModel12) {
  const splits = parallelGateways.filter((g) => flows.filter((f) => f.sourceRef === g).length > 1);
  const joins = parallelGateways.filter((g) => flows.filter((f) => f.targetRef === g).length > 1);
  if (splits.length === 0) findings.push("--expect-1.2: no parallel gateway that splits");
  if (joins.length === 0) findings.push("--expect-1.2: no parallel gateway that joins");
  if (timers.length === 0) findings.push("--expect-1.2: no timer boundary event");
  if (messageFlows.length === 0) findings.push("--expect-1.2: no message flow");
  if (collapsedPools.length === 0) findings.push("--expect-1.2: no collapsed pool");
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
for (const flow of [...flows, ...messageFlows]) {
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
    `${flows.length} sequence flows, ${parallelGateways.length} parallel gateways, ` +
    `${timers.length} timer boundary events, ${messageFlows.length} message flows to ` +
    `${collapsedPools.length} collapsed pools, ${drawn.size} diagram elements`);
