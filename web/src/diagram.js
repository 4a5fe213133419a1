// The task lifecycle: which principal assumes which role, at which moment. HTML, not SVG, so
// text wraps instead of spilling out of boxes or shrinking at phone width, and it stacks in a
// narrow column. Layout only; every fact (roles, principals, moments) comes from the plan the
// core returned, except which moment a role kind belongs to (MOMENTS; the core's role-kind
// registry should hand this over, see issue 12).

const MOMENTS = [
  { title: "1 · Capacity", kinds: ["containerInstance", "managedInstancesInfrastructure", "managedInstancesNode"] },
  { title: "2 · Task launch", kinds: ["taskExecution", "volumeInfrastructure"] },
  { title: "3 · Task running", kinds: ["task"] },
  { title: "4 · Service", kinds: ["service", "serviceLinked"] },
];

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** The lifecycle as an ordered list of moments, each with the roles assumed then. */
export function lifecycleHtml(plan) {
  const placed = new Set(MOMENTS.flatMap((m) => m.kinds));
  // A role kind no moment lists still shows (last), rather than vanishing from the picture.
  const moments = [...MOMENTS, { title: "Other", kinds: plan.roles.map((r) => r.kind).filter((k) => !placed.has(k)) }];
  const items = moments
    .filter((m, i) => i < MOMENTS.length || m.kinds.length)
    .map((m) => {
      const roles = plan.roles.filter((r) => m.kinds.includes(r.kind));
      const boxes = roles.map((r) => `<div class="role-box" data-kind="${esc(r.kind)}">
          <div class="principal">${esc(r.assumedBy.join(", "))} <span aria-hidden="true">→</span> assumes</div>
          <strong>${esc(r.title)}</strong>
          <code>${esc(r.name ?? `${r.namePrefix ?? ""}…`)}</code>
          <div class="when">${esc(r.when)}</div></div>`).join("");
      return `<li class="moment"><h3>${esc(m.title)}</h3>${boxes || `<p class="none">no role needed</p>`}</li>`;
    });
  return `<ol class="lifecycle">${items.join("")}</ol>`;
}
