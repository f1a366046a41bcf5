// Validate FHIR R4 JSON files with the npm "fhir" package (FHIR.js 4.12.0): its validator checks each resource
// against the R4 core StructureDefinitions it ships (element names, cardinalities, primitive formats, required
// bindings). Usage: node validate.js FILE...; prints one JSON line per file: {"file", "valid", "messages"}
// (errors and fatals only); exits 1 when a file is invalid.
"use strict";
const fs = require("fs");
const { Fhir } = require("fhir");

const fhir = new Fhir();
let failed = false;
for (const file of process.argv.slice(2)) {
  const resource = JSON.parse(fs.readFileSync(file, "utf8"));
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  const messages = result.messages.filter((m) => m.severity === "error" || m.severity === "fatal");
  if (!result.valid) failed = true;
  console.log(JSON.stringify({ file, valid: result.valid, messages }));
}
process.exit(failed ? 1 : 0);
