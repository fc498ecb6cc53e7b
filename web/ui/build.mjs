// Builds the page into ../dist (or the directory given with --outdir):
// app.js and worker.js bundled and minified by esbuild, index.html and
// style.css copied. The output depends only on the sources and the
// versions pinned in package-lock.json, so scripts/build-web.sh --check can
// rebuild it and compare it with the committed files.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf("--outdir");
const outdir = i > 0 ? process.argv[i + 1] : join(here, "..", "dist");
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
};
const app = await esbuild.build({ ...common, metafile: true, entryPoints: [join(here, "src", "app.js")], outfile: join(outdir, "app.js") });
await esbuild.build({ ...common, entryPoints: [join(here, "src", "worker.js")], outfile: join(outdir, "worker.js") });
for (const f of ["index.html", "style.css"]) copyFileSync(join(here, "src", f), join(outdir, f));

// The licences of the packages bundled into app.js, in licenses.txt.
const pkgs = new Set();
for (const input of Object.keys(app.metafile.inputs)) {
  const m = input.match(/node_modules\/((@[^/]+\/)?[^/]+)\//);
  if (m) pkgs.add(m[1]);
}
let text = "app.js bundles these packages (from the npm registry, versions pinned in web/ui/package-lock.json):\n";
for (const p of [...pkgs].sort()) {
  const dir = join(here, "node_modules", p);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const lic = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"].map((f) => join(dir, f)).find((f) => existsSync(f));
  text += "\n==== " + p + " " + meta.version + " (" + meta.license + ")\n\n" + (lic ? readFileSync(lic, "utf8").trim() + "\n" : "");
}
writeFileSync(join(outdir, "licenses.txt"), text);
