/** UTC calendar helpers for rollup windows (days are "YYYY-MM-DD"; weeks start Monday). */

const DAY_MS = 86_400_000;

/** "YYYY-MM-DD" of an instant in UTC. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The day `n` days after `day` (negative for before). */
export function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** Monday of the UTC week containing `at`. */
export function weekStart(at: Date): string {
  const weekday = (at.getUTCDay() + 6) % 7;
  return addDays(dayOf(at), -weekday);
}

/** First day of the UTC month containing `at`. */
export function monthStart(at: Date): string {
  return `${dayOf(at).slice(0, 7)}-01`;
}

/** Every day from `from` to `to`, inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) out.push(day);
  return out;
}

/** True for a real calendar day written "YYYY-MM-DD". */
export function isDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && dayOf(new Date(`${text}T00:00:00Z`)) === text;
}
