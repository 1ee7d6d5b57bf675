#!/usr/bin/env node
// Checks schemas/openapi.yaml against the plugin.
//
//   node check_spec.mjs [--spec FILE] --validate-only
//       The file is a valid OpenAPI 3 document (swagger-parser: JSON Schema of the OpenAPI
//       version plus $ref resolution), and follows this project's conventions (below).
//   node check_spec.mjs [--spec FILE] ROUTES [-- DUMP_ARGS...]
//       Additionally, its (method, path) pairs are exactly the router's routes, and
//       info.version is the plugin's version. ROUTES is the dump_routes executable (run with
//       DUMP_ARGS) or a JSON file with its output:
//       {"version":"…","routes":[{"method":"GET","pattern":"/x/{id}"}]}.
//
// Exits 0 when everything holds, 1 on any finding, 2 on bad usage. The Node packages come
// from tests/node_modules (tests/install-npm-deps.sh); without them this fails, never skips.

import { execFileSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.resolve(here, "..");
const kHttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const kProblemMediaType = "application/problem+json";
// Error statuses whose body is not a problem: the health report keeps its shape when failing.
const kNotProblem = new Set(["GET /healthz 503"]);

function usage(message) {
  console.error(`check_spec: ${message}`);
  console.error("usage: check_spec.mjs [--spec openapi.yaml] (--validate-only | ROUTES [-- DUMP_ARGS...])");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { spec: path.resolve(here, "../../schemas/openapi.yaml"), validateOnly: false };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === "--") {
      args.dumpArgs = argv.slice(i + 1);
      break;
    } else if (argv[i] === "--spec") {
      if (i + 1 >= argv.length) usage("--spec needs a file");
      args.spec = path.resolve(argv[++i]);
    } else if (argv[i] === "--validate-only") {
      args.validateOnly = true;
    } else if (argv[i].startsWith("-")) {
      usage(`unknown option ${argv[i]}`);
    } else if (args.routes === undefined) {
      args.routes = path.resolve(argv[i]);
    } else {
      usage(`unexpected argument ${argv[i]}`);
    }
  }
  if (!args.validateOnly && args.routes === undefined) usage("give ROUTES or --validate-only");
  if (args.dumpArgs && args.routes === undefined) usage("arguments after -- need ROUTES");
  return args;
}

async function loadPackages() {
  try {
    const yaml = await import("js-yaml");
    const parser = await import("@apidevtools/swagger-parser");
    return { yaml: yaml.default ?? yaml, SwaggerParser: parser.default ?? parser };
  } catch (e) {
    if (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") {
      console.error(
        `check_spec: FAIL: the Node test packages are not installed (${e.message.split("\n")[0]}).\n` +
          `Run ${path.join(testsDir, "install-npm-deps.sh")} before ctest; it runs npm ci in ` +
          `${testsDir} into ${path.join(testsDir, "node_modules")}.`,
      );
      process.exit(1);
    }
    throw e;
  }
}

function operations(doc) {
  const out = [];
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    for (const method of kHttpMethods) {
      if (item?.[method]) out.push({ method: method.toUpperCase(), path: p, item, op: item[method] });
    }
  }
  return out;
}

// Conventions the OpenAPI schema cannot express. `doc` is dereferenced.
function conventionFindings(doc) {
  const findings = [];
  const seenIds = new Map();
  for (const { method, path: p, item, op } of operations(doc)) {
    const where = `${method} ${p}`;
    if (!op.operationId) findings.push(`${where}: no operationId`);
    else if (seenIds.has(op.operationId)) {
      findings.push(`${where}: operationId ${op.operationId} also used by ${seenIds.get(op.operationId)}`);
    } else seenIds.set(op.operationId, where);
    if (!op.summary) findings.push(`${where}: no summary`);

    const declared = new Set(
      [...(item.parameters ?? []), ...(op.parameters ?? [])].filter((x) => x.in === "path").map((x) => x.name),
    );
    const inTemplate = new Set([...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    for (const name of inTemplate) {
      if (!declared.has(name)) findings.push(`${where}: path parameter {${name}} is not declared`);
    }
    for (const name of declared) {
      if (!inTemplate.has(name)) findings.push(`${where}: declares path parameter ${name} not in the path`);
    }

    for (const [status, response] of Object.entries(op.responses ?? {})) {
      if (!/^[45]\d\d$/.test(status) || kNotProblem.has(`${where} ${status}`)) continue;
      const types = Object.keys(response.content ?? {});
      if (types.length !== 1 || types[0] !== kProblemMediaType) {
        findings.push(`${where} ${status}: must be ${kProblemMediaType} only (has ${types.join(", ") || "no content"})`);
      }
    }
  }
  return findings;
}

function readRoutes(routesPath, dumpArgs = []) {
  let text;
  if (routesPath.endsWith(".json")) {
    text = readFileSync(routesPath, "utf8");
  } else {
    try {
      accessSync(routesPath, constants.X_OK);
    } catch {
      usage(`${routesPath} is neither a .json file nor an executable`);
    }
    try {
      text = execFileSync(routesPath, dumpArgs, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    } catch (e) {
      throw new Error(`${path.basename(routesPath)} ${dumpArgs.join(" ")} failed (${e.status ?? e.message})`);
    }
  }
  const dump = JSON.parse(text);
  if (!Array.isArray(dump.routes)) throw new Error(`${routesPath}: no "routes" array`);
  return dump;
}

// "/a/{x}/b" -> "/a/{}/b": two paths that differ only in parameter names.
const shape = (p) => p.replace(/\{[^}]+\}/g, "{}");

function agreementFindings(doc, dump) {
  const findings = [];
  const routeKeys = new Map();
  for (const r of dump.routes) {
    const key = `${r.method} ${r.pattern}`;
    if (routeKeys.has(key)) findings.push(`router registers ${key} more than once`);
    routeKeys.set(key, r);
  }
  const specKeys = new Map(operations(doc).map((o) => [`${o.method} ${o.path}`, o]));

  const notInSpec = [...routeKeys.keys()].filter((k) => !specKeys.has(k)).sort();
  const notInRouter = [...specKeys.keys()].filter((k) => !routeKeys.has(k)).sort();
  for (const key of notInSpec) {
    const [method, p] = key.split(" ");
    const near = notInRouter.find((k) => k.split(" ")[0] === method && shape(k.split(" ")[1]) === shape(p));
    findings.push(
      `route ${key} is served but missing from the spec` +
        (near ? ` (the spec has ${near}: parameter names must match the route's)` : ""),
    );
  }
  for (const key of notInRouter) findings.push(`spec describes ${key} but no route serves it`);

  if (dump.version !== undefined && doc.info?.version !== dump.version) {
    findings.push(`info.version is ${doc.info?.version} but the plugin is ${dump.version}`);
  }
  return { findings, count: specKeys.size };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { yaml, SwaggerParser } = await loadPackages();

  let raw;
  try {
    // js-yaml refuses duplicate keys, which would otherwise silently drop an operation.
    raw = yaml.load(readFileSync(args.spec, "utf8"), { filename: args.spec });
  } catch (e) {
    console.error(`check_spec: FAIL: ${args.spec} is not readable YAML: ${e.message}`);
    return 1;
  }

  let doc;
  try {
    doc = await SwaggerParser.validate(structuredClone(raw));
  } catch (e) {
    // One mistake in a shared component is reported once per use; the first lines suffice.
    const lines = e.message.split("\n");
    const shown = lines.slice(0, 25).join("\n");
    const more = lines.length > 25 ? `\n  ... and ${lines.length - 25} more lines` : "";
    console.error(`check_spec: FAIL: ${args.spec} is not a valid OpenAPI document:\n${shown}${more}`);
    return 1;
  }
  const findings = conventionFindings(doc);
  let summary = `${args.spec} is valid OpenAPI ${doc.openapi}`;

  if (!args.validateOnly) {
    let dump;
    try {
      dump = readRoutes(args.routes, args.dumpArgs);
    } catch (e) {
      console.error(`check_spec: FAIL: cannot read the router's routes: ${e.message}`);
      return 1;
    }
    const agreement = agreementFindings(doc, dump);
    findings.push(...agreement.findings);
    summary += `; its ${agreement.count} operations match the router's ${dump.routes.length} routes`;
  }

  if (findings.length) {
    console.error(`check_spec: FAIL: ${findings.length} finding(s) in ${args.spec}:`);
    for (const f of findings) console.error(`  - ${f}`);
    return 1;
  }
  console.log(`check_spec: OK: ${summary}`);
  return 0;
}

process.exitCode = await main();
