// The task lifecycle: which principal assumes which role, at which moment. HTML, not SVG, so
// text wraps instead of spilling out of boxes or shrinking at phone width, and it stacks in a
// narrow column. Layout only; every fact comes from the core: the roles and principals from
// the plan, the moments and which role kinds belong to each from its role-kind registry
// (`lifecycle` of form.json, generated from the core at build time: `[{title, kinds}, …]`).

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const SPECIAL = /[&<>"']/;

/** Text made safe for HTML (element content and quoted attributes). Shared by the element: a
 *  keystroke escapes every string of the plan it shows, and most have nothing to escape, so
 *  those are returned as they are without a replace pass. */
export function esc(s) {
  const text = String(s ?? "");
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c]) : text;
}

/** The lifecycle as an ordered list of moments, each with the roles assumed then.
 *  `lifecycle`: the core's moments, `[{title, kinds: [kind, …]}, …]`. */
export function lifecycleHtml(plan, lifecycle) {
  const known = lifecycle.map(({ title, kinds }, i) => ({ title: `${i + 1} · ${title}`, kinds }));
  const placed = new Set(known.flatMap((m) => m.kinds));
  // A role kind no moment lists still shows (last), rather than vanishing from the picture.
  const moments = [...known, { title: "Other", kinds: plan.roles.map((r) => r.kind).filter((k) => !placed.has(k)) }];
  const items = moments
    .filter((m, i) => i < known.length || m.kinds.length)
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
