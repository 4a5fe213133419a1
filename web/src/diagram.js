// The task lifecycle as an SVG: which principal assumes which role, at which moment.
// Layout only; every fact (roles, principals, moments) comes from the plan the core returned.

const MOMENTS = [
  { title: "1 · Capacity", kinds: ["containerInstance", "managedInstancesInfrastructure", "managedInstancesNode"] },
  { title: "2 · Task launch", kinds: ["taskExecution", "volumeInfrastructure"] },
  { title: "3 · Task running", kinds: ["task"] },
  { title: "4 · Service", kinds: ["service", "serviceLinked"] },
];

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** Returns an <svg> string for `plan` (the core's RolePlan as JSON). */
export function lifecycleSvg(plan) {
  const colW = 210, boxW = 190, boxH = 64, top = 34, gap = 12;
  const columns = MOMENTS.map((m) => ({ ...m, roles: plan.roles.filter((r) => m.kinds.includes(r.kind)) }));
  const rows = Math.max(1, ...columns.map((c) => c.roles.length));
  const height = top + rows * (boxH + gap) + 8;
  const width = colW * MOMENTS.length;
  let body = "";
  columns.forEach((c, i) => {
    const x = i * colW + 8;
    body += `<text x="${x}" y="16" font-weight="600" fill="currentColor">${esc(c.title)}</text>`;
    if (i < columns.length - 1) {
      body += `<path d="M ${x + boxW + 2} 12 l ${colW - boxW - 6} 0" stroke="currentColor" stroke-opacity=".45" marker-end="url(#arrow)"/>`;
    }
    if (!c.roles.length) {
      body += `<text x="${x}" y="${top + 20}" fill="currentColor" fill-opacity=".6" font-size="11">no role needed</text>`;
    }
    c.roles.forEach((r, j) => {
      const y = top + j * (boxH + gap);
      const name = r.name ?? `${r.namePrefix ?? ""}…`;
      body += `<g data-kind="${esc(r.kind)}">
        <rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="8" fill="none" stroke="currentColor" stroke-opacity=".55"/>
        <text x="${x + 8}" y="${y + 18}" font-weight="600" font-size="12" fill="currentColor">${esc(clip(r.title, 30))}</text>
        <text x="${x + 8}" y="${y + 35}" font-size="11" fill="currentColor" fill-opacity=".8">by ${esc(clip(r.assumedBy.join(", "), 30))}</text>
        <text x="${x + 8}" y="${y + 52}" font-size="11" font-family="ui-monospace,monospace" fill="currentColor" fill-opacity=".8">${esc(clip(name, 28))}</text>
        <title>${esc(r.title)}: assumed by ${esc(r.assumedBy.join(", "))} — ${esc(r.when)}</title></g>`;
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="Which principal assumes which role at which moment of the task lifecycle">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>
    ${body}</svg>`;
}
