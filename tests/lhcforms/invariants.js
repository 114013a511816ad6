// Evaluates FHIRPath invariants with the fhirpath.js engine (npm "fhirpath", used by LHC-Forms).
// Reads {"release": "R5"|"R4B", "checks": [{"resource": {...}, "invariants": [[key, selection, expression], ...]}]}
// on standard input; prints a JSON list of [index, key, failing nodes (truncated)] for every invariant that fails.
"use strict";
const fhirpath = require("fhirpath");
// Some invariants call trace(), which fhirpath.js prints with console.log: keep standard output for the result.
console.log = (...args) => process.stderr.write(args.join(" ") + "\n");
const models = { R5: require("fhirpath/fhir-context/r5"), R4B: require("fhirpath/fhir-context/r4") };

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { release, checks } = JSON.parse(input);
  const failures = [];
  checks.forEach(({ resource, invariants }, index) => {
    for (const [key, selection, expression] of invariants) {
      const failing = fhirpath.evaluate(
        resource,
        `${selection}.where((${expression}).not())`,
        { resource },
        models[release],
      );
      if (failing.length > 0) failures.push([index, key, JSON.stringify(failing).slice(0, 300)]);
    }
  });
  process.stdout.write(JSON.stringify(failures));
});
