// Locks the vault after a period with no touch, key or scroll. The period is a
// setting kept in localStorage (a number of minutes, never anything from the vault).

const KEY = "casekeep.lockMinutes";
export const DEFAULT_LOCK_MINUTES = 5;
const ACTIVITY = ["pointerdown", "keydown", "touchstart", "wheel", "input"];

export function lockMinutes() {
  const stored = Number(localStorage.getItem(KEY));
  return Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_LOCK_MINUTES;
}

export function setLockMinutes(minutes) {
  localStorage.setItem(KEY, String(minutes));
}

export class IdleLock {
  /** onIdle is called once the period passes with no activity while started. */
  constructor(onIdle) {
    this.onIdle = onIdle;
    this.timer = 0;
    this.running = false;
    this.poke = () => this.running && this.arm();
    for (const type of ACTIVITY) document.addEventListener(type, this.poke, { passive: true, capture: true });
  }

  start() {
    this.running = true;
    this.arm();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
  }

  arm() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stop();
      this.onIdle();
    }, lockMinutes() * 60_000);
  }
}
