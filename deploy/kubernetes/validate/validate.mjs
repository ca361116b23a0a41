// Checks every manifest of deploy/kubernetes against Kubernetes' own OpenAPI schemas (the kubernetes-models package:
// its models carry the schemas, so no cluster and no network are needed), and that the kustomization lists them all.
import { readFileSync, readdirSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";

const dir = new URL("..", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort();
const problems = [];
let valid = 0;

const listed = parse(readFileSync(new URL("kustomization.yaml", dir), "utf8")).resources ?? [];
for (const file of files) if (!listed.includes(file)) problems.push(`kustomization.yaml does not list ${file}`);
for (const file of listed) if (!files.includes(file)) problems.push(`kustomization.yaml lists ${file}, which does not exist`);

for (const file of files) {
  for (const document of parseAllDocuments(readFileSync(new URL(file, dir), "utf8"))) {
    if (document.errors.length > 0) {
      problems.push(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const manifest = document.toJS();
    const name = `${file}: ${manifest?.kind} ${manifest?.metadata?.name}`;
    try {
      // The core group's models live under "v1"; the others under "<group>/<version>".
      const models = await import(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`);
      new models[manifest.kind](manifest).validate();
      valid++;
    } catch (error) {
      problems.push(`${name}: ${error.message}`);
    }
  }
}
for (const problem of problems) console.error(problem);
console.log(`${valid} manifests valid, ${problems.length} problems`);
process.exit(problems.length > 0 ? 1 : 0);
