import { openDb } from "../../db/client";
import { seedUsage } from "./usage-seed";
const path = "/tmp/uproto/db.sqlite";
import { existsSync } from "node:fs";
const fresh = !existsSync(path);
const db = openDb(path);
const s = db.$client;
const DAY = 86400000;
const to = Date.UTC(2026, 10, 1);
const from = to - 30 * DAY;
if (fresh) {
  let t = performance.now();
  seedUsage(s, { rows: 1_000_000, from, to, teams: Array.from({length: 20}, (_, i) => `team_${i}`), models: ["gpt-a","gpt-b","claude-c","llama-d","mix-e","small-f"], routes: [{id:"rt_1",name:"chat"},{id:"rt_2",name:"code"}] });
  console.log("seed", performance.now() - t);
}
for (const sql of process.argv.slice(2)) {
  const st = s.prepare(sql);
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const r = st.all({ from, to });
    console.log((performance.now() - t).toFixed(0), "ms", r.length, JSON.stringify(r.slice(0, 2)));
  }
  console.log(s.prepare("explain query plan " + sql).all({from, to}).map((x: any) => x.detail).join(" | "));
}
