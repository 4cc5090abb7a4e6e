// The issue-6 workload, a line-for-line port of bench/workload.cpp: the same
// seeded notes (mulberry32 per note), so both systems store identical texts.
'use strict';

const WORDS = [
  'child', 'visit', 'mother', 'school', 'nurse', 'referral', 'bruise', 'clinic', 'health', 'record',
  'concern', 'family', 'meeting', 'social', 'worker', 'practitioner', 'agreed', 'reported', 'home', 'late',
  'appointment', 'missed', 'weight', 'growth', 'observed', 'discussed', 'plan', 'review', 'safeguarding', 'the',
  'and', 'was', 'with', 'on', 'at', 'for', 'to', 'of', 'a', 'in'];

function mulberry32(state) {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = ((t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t) >>> 0;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function words(next, length) {
  let out = '';
  while (out.length < length) {
    if (out.length) out += ' ';
    out += WORDS[next() % WORDS.length];
  }
  return out.slice(0, length);
}

// The note with this index: {title (40 chars), body (1,000 chars)}.
function makeNote(index, seed = 42) {
  const next = mulberry32((Math.imul(seed, 0x9e3779b1) + index) >>> 0);
  const title = words(next, 40);
  return { title, body: words(next, 1000) };
}

// The PouchDB document of note `index`: {id, case, author, created_at, title, body, status}.
function noteDoc(index) {
  const { title, body } = makeNote(index);
  return {
    _id: 'note-' + String(index).padStart(8, '0'),
    case: 'BENCH',
    author: 'Bench A',
    created_at: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
    title,
    body,
    status: 'draft',
  };
}

module.exports = { makeNote, noteDoc };
