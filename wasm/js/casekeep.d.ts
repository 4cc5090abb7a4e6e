// Types of casekeep.mjs: the casekeep core and sync engine compiled to
// WebAssembly, with the vault kept in the browser's IndexedDB (vault-store.mjs).
//
// Reads are synchronous (the vault is in memory once loaded). Anything that
// writes storage (every write is flushed to IndexedDB before the promise
// resolves) or talks to the server is async. Every failure is a CasekeepError.

/** The core's error codes (docs/cli-exit-codes.md lists the same set). */
export type ErrorCode =
  | "invalid_argument" | "wrong_passphrase" | "locked" | "not_found" | "already_exists"
  | "malformed" | "bad_signature" | "bad_chain" | "decrypt_failed" | "forbidden"
  | "rule_violation" | "storage" | "crypto" | "tampered" | "unavailable" | "refused"
  | "internal";

export class CasekeepError extends Error {
  /** The core's error code, e.g. "wrong_passphrase". */
  readonly code: ErrorCode;
}

export type CaseKind = "scr" | "case_audit" | "imr" | "hor" | "allegation";
export type Role =
  | "lead_reviewer" | "imr_author" | "hor_author" | "note_taker" | "supporting_manager"
  | "director" | "chief_executive" | "practitioner" | "observer";

/** One competing value of a field edited concurrently. */
export interface Head {
  op: string;
  value: unknown;
  hlc: number;
  author: string;
}

export interface RecordView {
  id: string;
  space: string;
  type: "case" | "interview" | "note" | "evidence" | "member" | string;
  deleted: boolean;
  deleted_reason: string;
  created_by: string;
  created_hlc: number;
  /** Shown value of each field (for a conflicting field, the deterministic winner). */
  fields: Record<string, unknown>;
  /** Fields that have more than one head. */
  conflicts: Record<string, Head[]>;
}

export interface SignatureView {
  kind: "signed" | "agreed" | "disputed";
  signer: string;
  signer_name: string;
  valid: boolean;
  current: boolean;
  comment: string;
  hlc: number;
}

export type NoteStatus = "draft" | "signed" | "agreed" | "disputed" | "needs_review";

export interface NoteView {
  record: RecordView;
  status: NoteStatus;
  signatures: SignatureView[];
  addenda: string[];
  signed_content: { title: string; body: string } | null;
}

export interface HistoryEntry {
  changeset: string;
  op: string;
  author: string;
  author_name: string;
  device: string;
  hlc: number;
  kind: "create" | "set" | "add" | "tombstone" | string;
  field: string;
  value: unknown;
}

export interface Conflict {
  space: string;
  record: string;
  type: string;
  field: string;
  heads: Head[];
}

export interface VerifyProblem {
  subject: string;
  message: string;
}

export interface Identity {
  user: string;
  device: string;
  name: string;
}

export interface Status {
  /** A vault exists in this browser profile. */
  exists: boolean;
  unlocked: boolean;
  /** Changes written here and not yet acknowledged by the server. */
  unsynced: number;
  /** ISO 8601 time of the last completed sync, or "". */
  last_sync: string;
  /** The server this vault enrolled with, or "". */
  server: string;
  /** Whether the browser granted persistent storage. */
  persisted: boolean;
}

export interface SyncSummary {
  sent: number;
  received: number;
  pending: number;
  conflicts: number;
}

export interface CaseInput {
  kind: CaseKind;
  reference: string;
  title: string;
  lscb?: string;
  second_lscb?: string;
  parent?: string;
  status?: string;
}

export interface InterviewInput {
  case: string;
  practitioner: string;
  when?: string;
  where?: string;
}

export interface OpenOptions {
  /** The vault's name in this browser: its files are /name/vault.db, kept in
   *  the IndexedDB database "casekeep-vault:/name" (vault-store.mjs); default "casekeep". */
  name?: string;
  /** Keep the vault in memory only (tests under Node); default: IndexedDB when present. */
  memory?: boolean;
  /** The .wasm bytes, when the runtime cannot fetch them (Node). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Argon2id parameters for a new vault; default: browser-friendly (19 MiB, 3 passes). */
  kdf?: { opslimit: number; memlimit: number };
  /** Called after every write, sync, lock and unlock (e.g. to refresh the unsynced count). */
  onChange?: () => void;
}

export class Casekeep {
  status(): Status;
  identity(): Identity;

  /** Create a vault with a new identity and unlock it. */
  create(passphrase: string, displayName: string): Promise<void>;
  /** Throws CasekeepError("wrong_passphrase") and stays locked on a wrong passphrase. */
  unlock(passphrase: string): Promise<void>;
  /** Wipe keys from memory. */
  lock(): void;

  /** Enrol this vault with a server using the operator's one-time code. Returns the name the server knows. */
  enroll(server: string, code: string): Promise<{ name: string; user: string }>;
  /** Push what is unsynced, then pull everything new. */
  sync(): Promise<SyncSummary>;

  createCase(input: CaseInput): Promise<string>;
  cases(): RecordView[];
  get(id: string): RecordView;
  createInterview(input: InterviewInput): Promise<string>;
  interviews(caseId: string): RecordView[];
  /** Interviews this user can see, including ones shared without their case. */
  allInterviews(): RecordView[];
  /** Look the user up in the server's directory (network) and add them to the space. */
  addMember(space: string, user: string, role: Role): Promise<void>;
  members(space: string): RecordView[];

  addNote(interview: string, title: string, body: string): Promise<string>;
  /** Many notes in one transaction (one flush) and as few changesets as fit 256 KiB of text each: all are written, or none. Returns their ids. */
  addNotes(interview: string, notes: { title: string; body: string }[]): Promise<string[]>;
  /**
   * Several record writes in one transaction (one flush), each its own
   * changeset: all are written, or none. `method` is the core's name of a
   * write ("add_note", "edit_note", "sign_note", "set_field", ...), `args` its
   * arguments as the matching method above takes them. Returns each result.
   */
  batch(calls: { method: string; args: Record<string, unknown> }[]): Promise<unknown[]>;
  editNote(note: string, changes: { title?: string; body?: string }): Promise<void>;
  signNote(note: string): Promise<void>;
  agreeNote(note: string): Promise<void>;
  disputeNote(note: string, comment: string): Promise<void>;
  addAddendum(note: string, title: string, body: string): Promise<string>;
  note(id: string): NoteView;
  notes(interview: string): NoteView[];

  /** Set one field of a record (a generic edit). */
  setField(record: string, field: string, value: unknown): Promise<void>;
  history(record: string): HistoryEntry[];
  verify(): VerifyProblem[];
  conflicts(space?: string): Conflict[];
  /** Replace every head of the field with `value`. */
  resolve(record: string, field: string, value: unknown): Promise<void>;
}

/** Load the WebAssembly core and the vault's files from IndexedDB (moving a
 *  vault IDBFS kept, the first time). Rejects with code "storage" when the
 *  vault is open in another tab or window, or its stored files are damaged. */
export function open(options?: OpenOptions): Promise<Casekeep>;
