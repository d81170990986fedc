// Copies the pinned front-end packages from node_modules into the git-ignored
// portal/static/vendor/, where Django's staticfiles (and WhiteNoise) find them.
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "portal", "static", "vendor");
const copies = [
  ["bootstrap/dist/css", "bootstrap/css"],
  ["bootstrap/dist/js", "bootstrap/js"],
  ["bootstrap-icons/font", "bootstrap-icons/font"],
  ["chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js"],
  ["chart.js/dist/chart.umd.min.js.map", "chartjs/chart.umd.min.js.map"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["vazirmatn/fonts/webfonts", "vazirmatn/fonts/webfonts"],
  ["vazirmatn/Vazirmatn-font-face.css", "vazirmatn/Vazirmatn-font-face.css"],
];

rmSync(target, { recursive: true, force: true });
for (const [from, to] of copies) {
  const source = join(root, "node_modules", from);
  if (!existsSync(source)) {
    console.error(`copy-vendor: ${from} is missing; run npm ci`);
    process.exit(1);
  }
  mkdirSync(dirname(join(target, to)), { recursive: true });
  cpSync(source, join(target, to), { recursive: true });
}
console.log(`copy-vendor: front-end packages copied to ${target}`);
