// Small DOM helpers for the casekeep web app. Content is only ever set as text
// (never innerHTML), so nothing a colleague typed can run as script here.

/** h("button", {onclick, "data-testid": "x"}, "Text", child) makes an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    // The default value, so a form can tell what the person changed.
    else if (key === "value" && "defaultValue" in el) el.defaultValue = value;
    else if (key in el && !key.includes("-")) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A labelled form field; returns the label element, the control inside it. */
export function field(label, control) {
  return h("label", { class: "field" }, h("span", {}, label), control);
}

/** Milliseconds since the epoch of a hybrid logical clock stamp ((ms << 16) | counter). */
export function hlcMillis(hlc) {
  return Math.floor(Number(hlc) / 65536);
}

/** A stamp or ISO time as local date and time for people, e.g. "5 Mar 2024, 10:02". */
export function when(stampOrIso) {
  if (stampOrIso === "" || stampOrIso === undefined || stampOrIso === null) return "never";
  const date = typeof stampOrIso === "string" ? new Date(stampOrIso) : new Date(hlcMillis(stampOrIso));
  if (Number.isNaN(date.getTime())) return String(stampOrIso);
  return date.toLocaleString(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function shortId(hex) {
  return String(hex ?? "").slice(0, 8);
}

/** A field's value as text (strings as they are, anything else as JSON). */
export function valueText(value) {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Reads a form's named controls into a plain object of trimmed strings (passphrases untrimmed). */
export function formValues(form) {
  const values = {};
  for (const [key, value] of new FormData(form)) values[key] = key.startsWith("passphrase") ? value : String(value).trim();
  return values;
}

/**
 * Runs an action from a button or form: disables the controls while it runs
 * and shows its error, if any, in the message area. Returns the action's result
 * or undefined when it failed.
 */
export async function act(controls, action) {
  const list = [controls].flat().filter(Boolean);
  for (const c of list) c.disabled = true;
  clearMessage();
  try {
    return await action();
  } catch (err) {
    showError(err);
    return undefined;
  } finally {
    for (const c of list) c.disabled = false;
  }
}

export function showError(err) {
  const box = document.getElementById("message");
  const code = err && err.code ? ` (${err.code})` : "";
  box.replaceChildren(h("p", { class: "error", role: "alert", "data-testid": "error" },
    `${err && err.message ? err.message : String(err)}${code}`));
  box.hidden = false;
}

export function showInfo(text) {
  const box = document.getElementById("message");
  box.replaceChildren(h("p", { class: "info", role: "status", "data-testid": "info" }, text));
  box.hidden = false;
}

export function clearMessage() {
  const box = document.getElementById("message");
  box.replaceChildren();
  box.hidden = true;
}
