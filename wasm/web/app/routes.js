// Which view shows for a vault state and a URL hash: enrolment until the
// vault has an identity and a server, unlocking while locked, then by hash.
import { renderEnrol } from "./views/enrol.js";
import { renderUnlock } from "./views/unlock.js";
import { renderCases } from "./views/cases.js";
import { renderCase } from "./views/case.js";
import { renderInterview } from "./views/interview.js";
import { renderNote } from "./views/note.js";
import { renderConflicts } from "./views/conflicts.js";
import { renderHistory } from "./views/history.js";
import { renderSettings } from "./views/settings.js";

const byName = {
  cases: renderCases,
  case: renderCase,
  interview: renderInterview,
  note: renderNote,
  conflicts: renderConflicts,
  history: renderHistory,
  settings: renderSettings,
};

export function resolveRoute(status, hash) {
  if (!status.exists) return { view: renderEnrol, params: [] };
  if (!status.unlocked) return { view: renderUnlock, params: [] };
  if (!status.server) return { view: renderEnrol, params: [] };
  const [name, ...params] = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  return { view: byName[name] || renderCases, params: byName[name] ? params : [] };
}
