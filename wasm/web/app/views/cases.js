// The start page: the cases this person can see, interviews shared without
// their case (a practitioner's view), and a form to open a new case.
import { h, field, act, formValues, valueText } from "../dom.js";

const KINDS = [["imr", "Individual Management Review"], ["hor", "Health Overview Report"], ["scr", "Serious Case Review"],
  ["case_audit", "Serious case audit"], ["allegation", "Allegation case"]];

export function renderCases(app) {
  const cases = app.ck.cases().filter((c) => !c.deleted);
  const caseIds = new Set(cases.map((c) => c.id));
  const shared = app.ck.allInterviews().filter((i) => !i.deleted && !caseIds.has(valueText(i.fields.case)));
  return h("div", { class: "stack" },
    h("section", { class: "card" },
      h("h2", {}, "Cases"),
      cases.length === 0 ? h("p", { class: "muted", "data-testid": "no-cases" }, "No cases yet.") :
        h("ul", { class: "list", "data-testid": "case-list" }, cases.map(caseItem))),
    shared.length === 0 ? null : h("section", { class: "card" },
      h("h2", {}, "Interviews shared with you"),
      h("ul", { class: "list", "data-testid": "shared-interviews" }, shared.map(interviewItem))),
    newCaseForm(app));
}

function caseItem(c) {
  return h("li", {},
    h("a", { href: `#/case/${c.id}`, class: "row-link", "data-testid": "case-item" },
      h("strong", {}, valueText(c.fields.reference)), " ",
      h("span", {}, valueText(c.fields.title)),
      h("span", { class: "tag" }, valueText(c.fields.kind)),
      c.fields.status ? h("span", { class: "tag" }, valueText(c.fields.status)) : null));
}

export function interviewItem(i) {
  return h("li", {},
    h("a", { href: `#/interview/${i.id}`, class: "row-link", "data-testid": "interview-item" },
      h("strong", {}, valueText(i.fields.practitioner)), " ",
      h("span", { class: "muted" }, [valueText(i.fields.when), valueText(i.fields.where)].filter(Boolean).join(" · "))));
}

function newCaseForm(app) {
  const form = h("form", { class: "card form", "data-testid": "case-form" },
    h("h2", {}, "New case"),
    field("Kind", h("select", { name: "kind", "data-testid": "case-kind" },
      KINDS.map(([value, label]) => h("option", { value }, label)))),
    field("Reference", h("input", { name: "reference", required: true, "data-testid": "case-reference", placeholder: "e.g. IMR-2024-07" })),
    field("Title", h("input", { name: "title", required: true, "data-testid": "case-title" })),
    field("Local Safeguarding Children Board", h("input", { name: "lscb", "data-testid": "case-lscb" })),
    h("button", { type: "submit", class: "primary", "data-testid": "case-create" }, "Create case"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const input = { kind: v.kind, reference: v.reference, title: v.title };
    if (v.lscb) input.lscb = v.lscb;
    const id = await act([...form.elements], () => app.ck.createCase(input));
    if (id) app.go(`#/case/${id}`);
  });
  return form;
}
